// The client's current personal offers (GET me/offers): the discount or
// the gift, until when it is valid, and what it applies to — a service
// there can be booked from here.

import { get } from '../api.js';
import { dict, isoDay, fmtCalendarDate } from '../i18n.js';
import { h, mount } from '../dom.js';
import { catalog, tzOf } from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Персональные предложения', intro: 'Предложения подобраны для вас и действуют ограниченное время.',
    none: 'Сейчас персональных предложений нет. Мы сообщим, когда они появятся.',
    discount: ({ p }) => `−${p}%`, gift: ({ g }) => `Подарок: ${g}`,
    until: ({ date }) => `Действует до ${date} включительно`,
    appliesTo: 'Относится к', book: 'Записаться', anyItem: 'На любые услуги и товары клиники',
    details: 'Подробнее', product: 'Товар',
  },
  en: {
    title: 'Personal offers', intro: 'Offers chosen for you, for a limited time.',
    none: 'No personal offers right now. We will let you know when there are.',
    discount: ({ p }) => `−${p}%`, gift: ({ g }) => `Gift: ${g}`,
    until: ({ date }) => `Valid until ${date} inclusive`,
    appliesTo: 'Applies to', book: 'Book', anyItem: 'Any service or product of the clinic',
    details: 'Details', product: 'Product',
  },
});

/**
 * An offer as a card. products: a Map of product ID → product (optional);
 * compact: the title, the discount and the validity only.
 */
export function offerCard(o, cat, { products, compact = false } = {}) {
  const tz = tzOf(cat, '');
  const lastDay = isoDay(new Date(new Date(o.valid_until).getTime() - 1), tz);
  const items = o.item_ids || [];
  const services = items.filter((id) => cat.service.has(id)).map((id) => cat.service.get(id));
  const others = items.filter((id) => !cat.service.has(id));
  return h('article', { class: 'card bk-offer', dataset: { offer: o.id } },
    h('div', { class: 'bk-offer-top' },
      o.discount_percent ? h('span', { class: 'bk-offer-badge' }, t('discount', { p: o.discount_percent })) : null,
      h(compact ? 'h3' : 'h2', { class: 'bk-offer-title' }, o.title)),
    o.gift ? h('p', { class: 'bk-offer-gift' }, t('gift', { g: o.gift })) : null,
    h('p', { class: 'muted bk-offer-until' }, t('until', { date: fmtCalendarDate(lastDay) })),
    compact
      ? (services.length === 1 ? h('a', { class: 'button secondary', href: `book?service_id=${encodeURIComponent(services[0].id)}` }, t('book')) : null)
      : h('div', { class: 'bk-offer-items' },
        h('p', { class: 'bk-offer-applies' }, t('appliesTo'), ':'),
        items.length ? h('ul', { class: 'list' },
          services.map((s) => h('li', { class: 'row bk-offer-item' },
            h('a', { href: `services/${encodeURIComponent(s.id)}` }, s.name),
            h('a', { class: 'button secondary', href: `book?service_id=${encodeURIComponent(s.id)}`, dataset: { book: s.id } }, t('book')))),
          others.map((id) => {
            const p = products && products.get(id);
            return h('li', { class: 'bk-offer-item' }, p ? `${p.brand} ${p.name}` : t('product'));
          })) : h('p', {}, t('anyItem'))));
}

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [cat, r] = await Promise.all([catalog(), get('me/offers')]);
  const offers = r.offers || [];
  let products = new Map();
  if (offers.some((o) => (o.item_ids || []).some((id) => !cat.service.has(id)))) {
    try {
      const p = await get('products');
      products = new Map((p.products || []).map((x) => [x.id, x]));
    } catch (err) {
      if (err.status === 401) throw err; // without names the offer still shows
    }
  }
  mount(ctx.main,
    h('h1', {}, t('title')),
    offers.length ? [h('p', { class: 'muted' }, t('intro')), h('div', { class: 'bk-offers' }, offers.map((o) => offerCard(o, cat, { products })))]
      : h('div', { class: 'card bk-empty' }, h('p', {}, t('none'))));
  return undefined;
}
