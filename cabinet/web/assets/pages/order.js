// One order: its status and what it means, the steps it goes through, the
// items and total, where to collect it, its history; a new order can be
// cancelled (the stock goes back).

import { get, post } from '../api.js';
import { dict, fmtDateTime, fmtMoney } from '../i18n.js';
import { h, mount, field, link, errorBox, busy, toast } from '../dom.js';
import { t as ct, backLink, branches, statusBadge, volumeText } from '../card-lib.js';

const t = dict({
  ru: {
    notFound: 'Такого заказа нет', notFoundText: 'Возможно, ссылка устарела.', toOrders: 'Все заказы',
    allOrders: 'Все заказы',
    what_new: 'Клиника получила заказ и скоро подтвердит его. Товары уже отложены для вас.',
    what_confirmed: 'Заказ подтверждён, его собирают. Мы сообщим, когда можно забирать.',
    what_ready: 'Заказ готов — его можно забрать в филиале.',
    what_completed: 'Заказ получен. Спасибо!',
    what_cancelled: 'Заказ отменён.',
    reason: ({ r }) => `Причина: ${r}`,
    steps: 'Этапы заказа',
    items: 'Состав', product: 'Товар', qty: 'Кол-во', price: 'Цена', sum: 'Сумма', total: 'Итого',
    pickup: 'Где забрать', phone: ({ p }) => `Телефон: ${p}`,
    note: 'Комментарий', history: 'История',
    created: 'Заказ оформлен', by_staff: 'сотрудник клиники',
    cancel: 'Отменить заказ', cancelReason: 'Причина отмены (необязательно)', confirmCancel: 'Да, отменить заказ',
    cancelled: 'Заказ отменён', keep: 'Не отменять',
  },
  en: {
    notFound: 'There is no such order', notFoundText: 'The link may be out of date.', toOrders: 'All orders',
    allOrders: 'All orders',
    what_new: 'The clinic has received the order and will confirm it soon. The products are set aside for you.',
    what_confirmed: 'The order is confirmed and being put together. We will tell you when to collect it.',
    what_ready: 'The order is ready: you can collect it at the branch.',
    what_completed: 'The order has been collected. Thank you!',
    what_cancelled: 'The order was cancelled.',
    reason: ({ r }) => `Reason: ${r}`,
    steps: 'Order steps',
    items: 'Items', product: 'Product', qty: 'Qty', price: 'Price', sum: 'Subtotal', total: 'Total',
    pickup: 'Where to collect', phone: ({ p }) => `Phone: ${p}`,
    note: 'Comment', history: 'History',
    created: 'Order placed', by_staff: 'clinic staff',
    cancel: 'Cancel the order', cancelReason: 'Why (optional)', confirmCancel: 'Yes, cancel the order',
    cancelled: 'Order cancelled', keep: 'Keep it',
  },
});

const STEPS = ['new', 'confirmed', 'ready', 'completed'];

/** The page. */
export async function render(ctx) {
  let order;
  const branchMap = await branches();
  try {
    order = await get(`me/orders/${encodeURIComponent(ctx.params.id)}`);
  } catch (err) {
    if (err.status !== 404) throw err;
    ctx.setTitle(t('notFound'));
    mount(ctx.main, backLink(), h('h1', {}, t('notFound')), h('p', {}, t('notFoundText')), h('p', {}, link('orders', t('toOrders'))));
    return undefined;
  }
  draw();

  function draw() {
    ctx.setTitle(ct('orderNo', { n: order.number }));
    const b = branchMap[order.branch_id];
    const tz = b?.time_zone;
    const at = STEPS.indexOf(order.status);
    const steps = order.status === 'cancelled' ? null : h('ol', { class: 'kc-steps', 'aria-label': t('steps') }, STEPS.map((st, i) => h('li', {
      class: i < at ? 'done' : i === at ? 'current' : '', 'aria-current': i === at ? 'step' : undefined,
    }, ct(`status_${st}`))));

    const table = h('table', { class: 'kc-table kc-order-table' },
      h('caption', { class: 'kc-vh' }, t('items')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('product')), h('th', { scope: 'col', class: 'num' }, t('qty')), h('th', { scope: 'col', class: 'num' }, t('sum')))),
      h('tbody', {}, (order.items || []).map((i) => h('tr', {},
        h('th', { scope: 'row' }, h('span', { class: 'kc-brand' }, i.brand), h('br'), i.name, i.volume ? h('span', { class: 'muted' }, ` · ${volumeText(i)}`) : null,
          h('br'), h('span', { class: 'hint' }, `${t('price')}: ${fmtMoney(i.unit_price)}`)),
        h('td', { class: 'num' }, String(i.quantity)),
        h('td', { class: 'num' }, fmtMoney(i.subtotal))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 2 }, t('total')), h('td', { class: 'num' }, h('strong', {}, fmtMoney(order.total))))));

    const history = (order.history || []).map((l) => h('li', {},
      h('span', { class: 'muted' }, fmtDateTime(l.at, tz)), ' — ',
      l.from ? ct(`status_${l.to}`) : t('created'),
      l.by_staff ? h('span', { class: 'muted' }, ` (${t('by_staff')})`) : null,
      l.reason ? h('span', {}, `: ${l.reason}`) : null));

    let cancelBox = null;
    if (order.status === 'new') {
      const reasonIn = h('textarea', { name: 'reason', rows: 2, maxlength: 300 });
      const status = h('div', { role: 'status', 'aria-live': 'polite' });
      const start = h('button', { type: 'button', class: 'danger' }, t('cancel'));
      const confirm = h('button', { type: 'button', class: 'danger' }, t('confirmCancel'));
      const keep = h('button', { type: 'button', class: 'secondary' }, t('keep'));
      const more = h('div', { hidden: true }, field({ label: t('cancelReason'), input: reasonIn }), h('div', { class: 'actions' }, confirm, keep));
      start.addEventListener('click', () => { more.hidden = false; start.hidden = true; reasonIn.focus(); });
      keep.addEventListener('click', () => { more.hidden = true; start.hidden = false; start.focus(); });
      confirm.addEventListener('click', () => busy(confirm, async () => {
        try {
          const reason = reasonIn.value.trim();
          order = await post(`me/orders/${encodeURIComponent(order.id)}/cancel`, reason ? { reason } : {});
        } catch (err) {
          mount(status, errorBox(err));
          if (err.status === 409) { try { order = await get(`me/orders/${encodeURIComponent(order.id)}`); } catch { /* keep */ } }
          return;
        }
        toast(t('cancelled'));
        draw();
      }));
      cancelBox = h('section', { class: 'kc-cancel no-print' }, status, h('div', { class: 'actions' }, start), more);
    }

    mount(ctx.main, h('nav', { class: 'kc-back' }, link('orders', h('span', { 'aria-hidden': 'true' }, '← '), t('allOrders'))),
      h('div', { class: 'row kc-head' }, h('h1', {}, ct('orderNo', { n: order.number })), statusBadge(order.status)),
      h('p', { class: 'muted' }, fmtDateTime(order.created_at, tz)),
      h('div', { class: `alert ${order.status === 'cancelled' ? 'error' : order.status === 'ready' ? 'ok' : 'info'}`, role: 'status' },
        t(`what_${order.status}`), order.cancel_reason ? h('span', {}, ' ', t('reason', { r: order.cancel_reason })) : null),
      steps,
      h('section', { 'aria-labelledby': 'or-items' }, h('h2', { id: 'or-items' }, t('items')), table),
      b ? h('section', { class: 'card', 'aria-labelledby': 'or-pickup' }, h('h2', { id: 'or-pickup' }, t('pickup')),
        h('p', {}, h('strong', {}, b.name), h('br'), b.address), b.phone ? h('p', {}, h('a', { href: `tel:${b.phone.replace(/[^+\d]/g, '')}` }, t('phone', { p: b.phone }))) : null) : null,
      order.note ? h('section', {}, h('h2', {}, t('note')), h('p', { class: 'kc-notes' }, order.note)) : null,
      history.length ? h('section', { 'aria-labelledby': 'or-history' }, h('h2', { id: 'or-history' }, t('history')), h('ul', { class: 'kc-history' }, history)) : null,
      cancelBox);
  }
  return undefined;
}
