// The client's visits: upcoming ones (soonest first) with reschedule,
// cancel and add-to-calendar and the online cut-off explained, then past
// and cancelled ones (latest first) with "book again".

import { get } from '../api.js';
import { dict, plural } from '../i18n.js';
import { h, mount } from '../dom.js';
import { catalog, apptFacts, apptActions, isUpcoming, serviceName, tzOf, statusBadge, whenShort } from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Мои визиты', book: 'Записаться', upcoming: 'Предстоящие', past: 'Прошедшие',
    noUpcoming: 'Предстоящих записей нет.', noPast: 'Здесь появятся прошедшие визиты.',
    showAll: ({ n }) => `Показать ещё ${plural(n, ['визит', 'визита', 'визитов'])}`,
    bookAgain: 'Записаться снова',
  },
  en: {
    title: 'My visits', book: 'Book', upcoming: 'Upcoming', past: 'Past',
    noUpcoming: 'No upcoming visits.', noPast: 'Past visits will appear here.',
    showAll: ({ n }) => `Show ${plural(n, ['more visit', 'more visits'])}`,
    bookAgain: 'Book again',
  },
});

const PAST_FIRST = 10;

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [cat, r] = await Promise.all([catalog(), get('me/appointments')]);
  const all = r.appointments || [];
  const upcoming = all.filter(isUpcoming).sort((x, y) => new Date(x.start) - new Date(y.start));
  const past = all.filter((a) => !isUpcoming(a)).sort((x, y) => new Date(y.start) - new Date(x.start));
  const redraw = () => render(ctx);

  const upList = upcoming.length
    ? h('ul', { class: 'bk-list' }, upcoming.map((a) => h('li', { class: 'card bk-appt', dataset: { appointment: a.id, status: a.status } },
      apptFacts(a, cat), apptActions(a, cat, { moveHref: `appointments/${encodeURIComponent(a.id)}?move=1`, onCancelled: redraw }))))
    : h('div', { class: 'bk-empty' }, h('p', {}, t('noUpcoming')), h('a', { class: 'button', href: 'book' }, t('book')));

  const pastItem = (a) => {
    const tz = tzOf(cat, a.branch_id);
    return h('li', { class: 'bk-past', dataset: { appointment: a.id, status: a.status } },
      h('div', { class: 'row' },
        h('a', { href: `appointments/${encodeURIComponent(a.id)}`, class: 'bk-past-name' }, serviceName(cat, a.service_id)),
        statusBadge(a.status)),
      h('p', { class: 'muted bk-past-when' }, whenShort(a.start, tz), ' · ', cat.branch.get(a.branch_id)?.name || ''),
      cat.service.has(a.service_id)
        ? h('a', { class: 'bk-again', href: `book?service_id=${encodeURIComponent(a.service_id)}&branch_id=${encodeURIComponent(a.branch_id)}` }, t('bookAgain')) : null);
  };
  const pastList = h('ul', { class: 'list bk-past-list' }, past.slice(0, PAST_FIRST).map(pastItem));
  const more = past.length > PAST_FIRST ? h('button', { type: 'button', class: 'secondary', onClick: () => {
    mount(pastList, past.map(pastItem));
    more.remove();
  } }, t('showAll', { n: past.length - PAST_FIRST })) : null;

  mount(ctx.main,
    h('div', { class: 'bk-title-row' }, h('h1', {}, t('title')), h('a', { class: 'button', href: 'book' }, t('book'))),
    h('section', { class: 'bk-upcoming', 'aria-labelledby': 'bk-up' }, h('h2', { id: 'bk-up' }, t('upcoming')), upList),
    h('section', { class: 'bk-past-section', 'aria-labelledby': 'bk-past' }, h('h2', { id: 'bk-past' }, t('past')),
      past.length ? [pastList, more] : h('p', { class: 'muted' }, t('noPast'))));
  return undefined;
}
