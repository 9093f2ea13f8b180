// A service (messages about new services link here): what it is, how long
// it takes and what it costs, where and by whom it is done, the client's
// offers on it, why it is (or is not) recommended, the favourite toggle and
// the booking button.

import { get } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount } from '../dom.js';
import { catalog, categoryName, serviceMeta, favoriteSet, favoriteToggle, rememberedBranch } from '../booking-lib.js';
import { offerCard } from './offers.js';

const t = dict({
  ru: {
    title: 'Услуга', notFound: 'Такой услуги нет или на неё нельзя записаться онлайн.', toList: 'Все услуги',
    book: 'Записаться', duration: 'Длительность', price: 'Стоимость', where: 'Где делают', who: 'Специалисты',
    needsConfirmation: 'Запись подтверждает врач после того, как изучит вашу анкету.',
    whyYou: 'Почему вам подходит', caution: 'Обратите внимание', offers: 'Ваши предложения',
    courseTime: 'Пора на следующий сеанс курса.',
  },
  en: {
    title: 'Service', notFound: 'There is no such service, or it cannot be booked online.', toList: 'All services',
    book: 'Book', duration: 'Duration', price: 'Price', where: 'Where', who: 'Specialists',
    needsConfirmation: 'The doctor confirms the booking after reading your questionnaire.',
    whyYou: 'Why it suits you', caution: 'Please note', offers: 'Your offers',
    courseTime: 'It is time for the next session of your course.',
  },
});

const quiet = (p, empty) => p.catch((err) => { if (err && err.status === 401) throw err; return empty; });

export async function render(ctx) {
  const id = ctx.params.id;
  const cat = await catalog();
  const s = cat.service.get(id);
  if (!s) {
    ctx.setTitle(t('title'));
    mount(ctx.main, h('h1', {}, t('title')), h('div', { class: 'alert info' }, t('notFound')), h('p', {}, h('a', { href: 'book' }, t('toList'))));
    return undefined;
  }
  ctx.setTitle(s.name);
  const [favs, specs, explain, offers] = await Promise.all([
    favoriteSet(),
    quiet(get('specialists', { service_id: s.id }).then((r) => r.specialists || []), []),
    quiet(get('me/recommendations/explain', { item: s.id }), null),
    quiet(get('me/offers').then((r) => r.offers || []), []),
  ]);
  const branch = rememberedBranch(ctx.session);
  const bookHref = `book?service_id=${encodeURIComponent(s.id)}${branch && s.branch_ids.includes(branch) ? `&branch_id=${encodeURIComponent(branch)}` : ''}`;
  const mine = offers.filter((o) => (o.item_ids || []).includes(s.id));
  const branches = cat.branches.filter((b) => s.branch_ids.includes(b.id));
  const reasonList = (list) => h('ul', { class: 'bk-reasons' }, list.map((x) => h('li', {}, x.text)));

  mount(ctx.main,
    h('p', { class: 'bk-eyebrow' }, categoryName(s.category)),
    h('h1', {}, s.name),
    h('p', { class: 'bk-svc-meta' }, serviceMeta(s)),
    s.description ? h('p', { class: 'bk-desc' }, s.description) : null,
    s.needs_confirmation ? h('p', { class: 'notice' }, t('needsConfirmation')) : null,
    h('div', { class: 'actions bk-svc-actions' },
      h('a', { class: 'button', href: bookHref, dataset: { book: s.id } }, t('book')),
      favoriteToggle('service', s.id, s.name, favs.has(`service:${s.id}`))),
    explain && explain.recommended && (explain.for.length || explain.course)
      ? h('section', { class: 'card bk-why-card' }, h('h2', {}, t('whyYou')),
        explain.course ? h('p', {}, t('courseTime')) : null, explain.for.length ? reasonList(explain.for) : null) : null,
    explain && explain.exclusions.length
      ? h('section', { class: 'notice bk-caution' }, h('h2', {}, t('caution')), reasonList(explain.exclusions)) : null,
    mine.length ? h('section', {}, h('h2', {}, t('offers')), mine.map((o) => offerCard(o, cat, { compact: true }))) : null,
    h('dl', { class: 'bk-dl bk-svc-facts' },
      h('dt', {}, t('where')), h('dd', {}, h('ul', { class: 'bk-plain' }, branches.map((b) => h('li', {}, `${b.name} · ${b.address}`)))),
      specs.length ? [h('dt', {}, t('who')), h('dd', {}, h('ul', { class: 'bk-plain' }, specs.map((p) => h('li', {}, `${p.name}, ${p.title.toLowerCase()}`))))] : null));
  return undefined;
}
