// Home: the next visit (reschedule, cancel, add to calendar), the courses
// of procedures with their progress, the current personal offers, and the
// top recommendations with their reasons. Each part loads on its own: one
// that fails says so and the others still show.

import { get } from '../api.js';
import { dict, plural, locale } from '../i18n.js';
import { h, mount, errorBox } from '../dom.js';
import { catalog, apptFacts, apptActions, isUpcoming, serviceName, tzOf, rememberedBranch } from '../booking-lib.js';
import { offerCard } from './offers.js';
import { recItem } from './recommendations.js';

const t = dict({
  ru: {
    title: 'Главная', hello: ({ name }) => `Здравствуйте, ${name}!`, helloAnon: 'Здравствуйте!',
    next: 'Ближайший визит', noNext: 'Записей пока нет. Выберите процедуру и удобное время — это займёт минуту.',
    book: 'Записаться', moreVisits: ({ n }) => `Ещё ${plural(n, ['запись', 'записи', 'записей'])}`, allVisits: 'Все визиты',
    courses: 'Курсы процедур',
    progress: ({ done, total }) => `Пройдено ${done} из ${plural(total, ['сеанса', 'сеансов', 'сеансов'])}`,
    nextFrom: ({ date }) => `Следующий сеанс — с ${date}`, nextNow: 'Пора записаться на следующий сеанс.',
    bookedSessions: ({ n }) => `Записано: ${plural(n, ['сеанс', 'сеанса', 'сеансов'])}`,
    bookNext: 'Записаться на следующий сеанс', courseDone: 'Курс пройден',
    offers: 'Предложения для вас', allOffers: 'Все предложения',
    recs: 'Рекомендуем', allRecs: 'Все рекомендации', whyTitle: 'Почему',
    favorites: 'Избранное', shortcuts: 'Разделы', offersLink: 'Предложения', recsLink: 'Рекомендации', all: 'Все',
  },
  en: {
    title: 'Home', hello: ({ name }) => `Hello, ${name}!`, helloAnon: 'Hello!',
    next: 'Your next visit', noNext: 'No visits booked yet. Choose a treatment and a time that suits you — it takes a minute.',
    book: 'Book', moreVisits: ({ n }) => plural(n, ['more visit', 'more visits']), allVisits: 'All visits',
    courses: 'Courses of treatment',
    progress: ({ done, total }) => `${done} of ${total} sessions done`,
    nextFrom: ({ date }) => `Next session from ${date}`, nextNow: 'It is time to book the next session.',
    bookedSessions: ({ n }) => `Booked: ${plural(n, ['session', 'sessions'])}`,
    bookNext: 'Book the next session', courseDone: 'Course completed',
    offers: 'Offers for you', allOffers: 'All offers',
    recs: 'Recommended', allRecs: 'All recommendations', whyTitle: 'Why',
    favorites: 'Favourites', shortcuts: 'Sections', offersLink: 'Offers', recsLink: 'Recommendations', all: 'All',
  },
});

const settle = (p) => p.then((v) => ({ ok: true, v }), (err) => {
  if (err && err.status === 401) throw err;
  return { ok: false, err };
});

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const cat = await catalog();
  const [appts, plans, offers, recs] = await Promise.all([
    settle(get('me/appointments', { status: 'upcoming' })),
    settle(get('me/plans')),
    settle(get('me/offers')),
    settle(get('me/recommendations')),
  ]);
  const name = (ctx.session.profile?.name || '').trim().split(/\s+/)[0];
  mount(ctx.main,
    h('h1', {}, name ? t('hello', { name }) : t('helloAnon')),
    nextVisit(ctx, cat, appts),
    courses(cat, plans, ctx),
    offersPart(cat, offers),
    recsPart(cat, recs),
    h('nav', { class: 'bk-shortcuts', 'aria-label': t('shortcuts') },
      h('a', { href: 'favorites' }, t('favorites')), h('a', { href: 'offers' }, t('offersLink')), h('a', { href: 'recommendations' }, t('recsLink'))));
  return undefined;
}

function nextVisit(ctx, cat, res) {
  const head = h('h2', { id: 'bk-next' }, t('next'));
  const box = h('section', { class: 'bk-home-next', 'aria-labelledby': 'bk-next' }, head);
  if (!res.ok) { box.append(errorBox(res.err)); return box; }
  const upcoming = (res.v.appointments || []).filter(isUpcoming);
  if (!upcoming.length) {
    box.append(h('div', { class: 'card bk-empty' }, h('p', {}, t('noNext')), h('a', { class: 'button', href: 'book' }, t('book'))));
    return box;
  }
  const a = upcoming[0];
  box.append(h('article', { class: 'card bk-appt bk-next', dataset: { appointment: a.id, status: a.status } },
    apptFacts(a, cat),
    apptActions(a, cat, { moveHref: `appointments/${encodeURIComponent(a.id)}?move=1`, onCancelled: () => render(ctx) })));
  box.append(h('p', { class: 'bk-more' },
    upcoming.length > 1 ? h('a', { href: 'appointments' }, t('moreVisits', { n: upcoming.length - 1 })) : h('a', { href: 'appointments' }, t('allVisits')),
    ' · ', h('a', { href: 'book' }, t('book'))));
  return box;
}

function courses(cat, res, ctx) {
  if (!res.ok) return h('section', {}, h('h2', {}, t('courses')), errorBox(res.err));
  const plans = (res.v.plans || []).filter((p) => p.status === 'active' || p.status === 'completed').slice(0, 3);
  if (!plans.length) return null;
  return h('section', { class: 'bk-courses', 'aria-labelledby': 'bk-courses' }, h('h2', { id: 'bk-courses' }, t('courses')),
    plans.map((p) => {
      const done = Math.min(p.completed, p.sessions);
      const booked = (p.booked || []).filter(isUpcoming);
      const pct = Math.round((done / p.sessions) * 100);
      const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(p.sessions),
        'aria-valuenow': String(done), 'aria-label': t('progress', { done, total: p.sessions }) }, h('span', {}));
      bar.firstChild.style.width = `${pct}%`;
      const tz = tzOf(cat, p.branch_id);
      const branch = p.branch_id || rememberedBranch(ctx.session);
      const left = p.sessions - done - booked.length;
      return h('article', { class: 'card bk-course', dataset: { plan: p.id } },
        h('h3', {}, serviceName(cat, p.service_id)),
        h('p', { class: 'bk-course-count' }, p.status === 'completed' ? t('courseDone') : t('progress', { done, total: p.sessions })),
        bar,
        booked.length ? h('p', { class: 'muted' }, t('bookedSessions', { n: booked.length })) : null,
        p.status === 'active' && left > 0 && p.next_suggested_from
          ? h('p', { class: 'muted' }, new Date(p.next_suggested_from).getTime() <= Date.now()
            ? t('nextNow') : t('nextFrom', { date: dayMonth(p.next_suggested_from, tz) })) : null,
        p.status === 'active' && left > 0 && cat.service.has(p.service_id)
          ? h('a', { class: 'button secondary', href: `book?service_id=${encodeURIComponent(p.service_id)}&branch_id=${encodeURIComponent(branch)}&plan_id=${encodeURIComponent(p.id)}${p.specialist_id ? `&specialist_id=${encodeURIComponent(p.specialist_id)}` : ''}` }, t('bookNext'))
          : null);
    }));
}

function offersPart(cat, res) {
  if (!res.ok) return h('section', {}, h('h2', {}, t('offers')), errorBox(res.err));
  const list = (res.v.offers || []).slice(0, 2);
  if (!list.length) return null;
  return h('section', { class: 'bk-home-offers', 'aria-labelledby': 'bk-offers' },
    h('div', { class: 'bk-title-row' }, h('h2', { id: 'bk-offers' }, t('offers')), h('a', { href: 'offers', 'aria-label': t('allOffers') }, t('all'), ' →')),
    h('div', { class: 'grid two' }, list.map((o) => offerCard(o, cat, { compact: true }))));
}

function recsPart(cat, res) {
  if (!res.ok) return h('section', {}, h('h2', {}, t('recs')), errorBox(res.err));
  const list = (res.v.recommendations || []).slice(0, 3);
  if (!list.length) return null;
  return h('section', { class: 'bk-home-recs', 'aria-labelledby': 'bk-recs' },
    h('div', { class: 'bk-title-row' }, h('h2', { id: 'bk-recs' }, t('recs')), h('a', { href: 'recommendations', 'aria-label': t('allRecs') }, t('all'), ' →')),
    h('ul', { class: 'card bk-recs compact' }, list.map((r) => recItem(r, cat, { compact: true }))));
}


/** "7 декабря" in tz. */
function dayMonth(v, tz) {
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', timeZone: tz }).format(new Date(v));
}
