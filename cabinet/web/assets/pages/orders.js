// The client's orders of products for pick-up, newest first, with their
// status; each opens its page.

import { get } from '../api.js';
import { dict, fmtDate, fmtMoney, plural } from '../i18n.js';
import { h, mount, link } from '../dom.js';
import { t as ct, backLink, branches, statusBadge } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Заказы',
    intro: 'Средства, заказанные для получения в филиале. Мы сообщим, когда заказ будет готов.',
    none: 'Заказов пока нет.', catalogue: 'Заказать средства', open: 'В работе', done: 'Завершённые',
    items: (v) => plural(v.n, ['товар', 'товара', 'товаров']),
    pickup: ({ branch }) => `Получение: ${branch}`,
  },
  en: {
    title: 'Orders',
    intro: 'Products ordered for pick-up at a branch. We will tell you when an order is ready.',
    none: 'No orders yet.', catalogue: 'Order products', open: 'In progress', done: 'Finished',
    items: (v) => plural(v.n, ['item', 'items']),
    pickup: ({ branch }) => `Pick-up: ${branch}`,
  },
});

const OPEN = ['new', 'confirmed', 'ready'];

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [res, branchMap] = await Promise.all([get('me/orders'), branches()]);
  const orders = res.orders || [];
  const item = (o) => {
    const b = branchMap[o.branch_id];
    const count = (o.items || []).reduce((n, i) => n + i.quantity, 0);
    return h('li', { class: 'card kc-order', dataset: { order: o.id, status: o.status } },
      h('div', { class: 'row' }, h('h3', {}, link(`orders/${encodeURIComponent(o.id)}`, ct('orderNo', { n: o.number }))), statusBadge(o.status)),
      h('p', { class: 'muted' }, `${fmtDate(o.created_at, b?.time_zone)} · ${t('items', { n: count })} · ${fmtMoney(o.total)}`),
      h('p', { class: 'kc-order-items' }, (o.items || []).map((i) => i.name).join(', ')),
      b ? h('p', { class: 'hint' }, t('pickup', { branch: b.name })) : null);
  };
  const open = orders.filter((o) => OPEN.includes(o.status));
  const done = orders.filter((o) => !OPEN.includes(o.status));
  mount(ctx.main, backLink(),
    h('div', { class: 'row kc-head' }, h('h1', {}, t('title')), h('a', { class: 'button', href: 'products' }, t('catalogue'))),
    h('p', { class: 'muted' }, t('intro')),
    orders.length ? null : h('p', { class: 'notice' }, t('none')),
    open.length ? h('section', { 'aria-labelledby': 'o-open' }, h('h2', { id: 'o-open' }, t('open')), h('ul', { class: 'kc-orders' }, open.map(item))) : null,
    done.length ? h('section', { 'aria-labelledby': 'o-done' }, h('h2', { id: 'o-done' }, t('done')), h('ul', { class: 'kc-orders' }, done.map(item))) : null);
  return undefined;
}
