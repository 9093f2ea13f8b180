// The history of visits: completed visits, latest first, with the
// specialist's notes and recommendations — procedures to book, products
// to order, home care — and the visit's before / after photos when there
// are some.

import { get } from '../api.js';
import { dict, fmtDateTime, fmtMoney } from '../i18n.js';
import { h, mount, link } from '../dom.js';
import { backLink, branches } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Визиты и рекомендации',
    intro: 'Завершённые визиты с заметками и рекомендациями специалистов.',
    none: 'Здесь появятся ваши визиты в клинику с рекомендациями специалиста.',
    book: 'Записаться на процедуру', upcoming: 'Предстоящие записи →',
    notes: 'Заметки специалиста', recs: 'Рекомендации',
    kind_procedure: 'Процедура', kind_product: 'Средство', kind_home_care: 'Домашний уход',
    bookIt: 'Записаться', orderIt: 'В каталоге', photos: 'Фото до и после',
    course: 'Визит курса процедур', updated: 'Заметка обновлена',
  },
  en: {
    title: 'Visits and recommendations',
    intro: 'Completed visits with the specialists’ notes and recommendations.',
    none: 'Your visits to the clinic with the specialist’s recommendations will appear here.',
    book: 'Book a procedure', upcoming: 'Upcoming appointments →',
    notes: 'Specialist’s notes', recs: 'Recommendations',
    kind_procedure: 'Procedure', kind_product: 'Product', kind_home_care: 'Home care',
    bookIt: 'Book', orderIt: 'In the catalogue', photos: 'Before and after photos',
    course: 'A session of a course', updated: 'Note updated',
  },
});

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [res, branchMap, photos] = await Promise.all([get('me/visits'), branches(), get('me/photos')]);
  const visits = res.visits || [];
  const withPhotos = new Set((photos.photos || []).map((p) => p.appointment_id).filter(Boolean));

  const body = visits.length ? h('ul', { class: 'kc-visits' }, visits.map((v) => {
    const tz = branchMap[v.branch_id]?.time_zone;
    const recs = v.recommendations || [];
    return h('li', { class: 'card kc-visit', dataset: { appointment: v.appointment_id } },
      h('div', { class: 'row' }, h('h2', {}, v.service_name), h('span', { class: 'muted' }, fmtMoney(v.price))),
      h('p', { class: 'kc-when' }, fmtDateTime(v.start, tz)),
      h('p', { class: 'muted' }, [v.specialist_name, v.branch_name].filter(Boolean).join(' · ')),
      v.plan_id ? h('p', {}, h('span', { class: 'badge' }, t('course'))) : null,
      v.notes ? h('div', { class: 'kc-visit-notes' }, h('h3', {}, t('notes')), h('p', { class: 'kc-notes' }, v.notes)) : null,
      recs.length ? h('div', { class: 'kc-recs' }, h('h3', {}, t('recs')), h('ul', { class: 'list' }, recs.map((r) => h('li', { dataset: { kind: r.kind } },
        h('span', { class: 'badge' }, t(`kind_${r.kind}`)), ' ',
        r.name ? h('strong', {}, r.name) : null,
        r.text ? h('p', { class: 'kc-notes' }, r.text) : null,
        r.kind === 'procedure' && r.item_id ? h('p', {}, link(`book?service_id=${encodeURIComponent(r.item_id)}`, t('bookIt'))) : null,
        r.kind === 'product' && r.item_id ? h('p', {}, link(`products?product=${encodeURIComponent(r.item_id)}`, t('orderIt'))) : null)))) : null,
      withPhotos.has(v.appointment_id) ? h('p', {}, link(`photos/compare?appointment_id=${encodeURIComponent(v.appointment_id)}`, t('photos'))) : null);
  })) : h('div', { class: 'notice' }, h('p', {}, t('none')), h('p', {}, link('book', t('book'))));

  mount(ctx.main, backLink(), h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro'), ' ', link('appointments', t('upcoming'))),
    body);
  return undefined;
}
