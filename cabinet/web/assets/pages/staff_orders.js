// Orders of products for pick-up, for the front desk (managers of the
// branch, admins): the open ones by default, or by status; each order with
// its client, lines and total moves on — confirmed, ready for pick-up,
// handed over — or is cancelled with a reason (the stock is returned).
// Specialists see a note instead: orders are the front desk's.

import { get, post } from '../api.js';
import { dict, fmtDateTime, fmtMoney } from '../i18n.js';
import { h, mount, field, errorBox, busy, link, toast } from '../dom.js';
import { st, rolesOf, runBranches, pathWith } from '../staff-lib.js';

const t = dict({
  ru: {
    title: 'Заказы', branch: 'Филиал', all: 'Все филиалы', show: 'Показать',
    f_open: 'Открытые', f_new: 'Новые', f_confirmed: 'Подтверждённые', f_ready: 'Готовы к выдаче', f_completed: 'Выданные', f_cancelled: 'Отменённые', f_all: 'Все',
    s_new: 'Новый', s_confirmed: 'Подтверждён', s_ready: 'Готов к выдаче', s_completed: 'Выдан', s_cancelled: 'Отменён',
    number: ({ n }) => `Заказ № ${n}`, total: 'Итого', placed: 'Оформлен', note: 'Комментарий клиента',
    toConfirmed: 'Подтвердить', toReady: 'Собран, готов к выдаче', toCompleted: 'Выдан клиенту',
    cancel: 'Отменить заказ', reason: 'Причина отмены', cancelDo: 'Отменить заказ', keep: 'Не отменять',
    moved: ({ n, s }) => `Заказ № ${n}: ${s}`, none: 'Заказов нет.', desk: 'покупка на стойке', cabinet: 'из кабинета',
    count: ({ n }) => `Заказов: ${n}`, items: 'Состав заказа', noCard: 'карта клиента вам недоступна',
  },
  en: {
    title: 'Orders', branch: 'Branch', all: 'All branches', show: 'Show',
    f_open: 'Open', f_new: 'New', f_confirmed: 'Confirmed', f_ready: 'Ready for pick-up', f_completed: 'Handed over', f_cancelled: 'Cancelled', f_all: 'All',
    s_new: 'New', s_confirmed: 'Confirmed', s_ready: 'Ready for pick-up', s_completed: 'Handed over', s_cancelled: 'Cancelled',
    number: ({ n }) => `Order No. ${n}`, total: 'Total', placed: 'Placed', note: "Client's comment",
    toConfirmed: 'Confirm', toReady: 'Packed, ready for pick-up', toCompleted: 'Handed over',
    cancel: 'Cancel the order', reason: 'Reason', cancelDo: 'Cancel the order', keep: 'Keep it',
    moved: ({ n, s }) => `Order No. ${n}: ${s}`, none: 'No orders.', desk: 'bought at the desk', cabinet: 'from the cabinet',
    count: ({ n }) => `Orders: ${n}`, items: 'Items', noCard: "the client's card is not open to you",
  },
});

const FILTERS = ['open', 'new', 'confirmed', 'ready', 'completed', 'cancelled', 'all'];
// The next steps of an open order, as the API allows them.
const NEXT = { new: ['confirmed', 'ready', 'completed'], confirmed: ['ready', 'completed'], ready: ['completed'] };
const BADGE = { new: 'warn', confirmed: '', ready: 'ok', completed: 'ok', cancelled: 'bad' };

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const { session, query } = ctx;
  if (!rolesOf(session).frontDesk) {
    mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'notice' }, st('frontDeskOnly')), h('p', {}, link('staff/day', st('toSchedule'))));
    return undefined;
  }
  const mine = await runBranches(session);
  const branchNames = new Map(mine.map((b) => [b.id, b]));
  const filter = FILTERS.includes(query.get('status')) ? query.get('status') : 'open';
  const branch = branchNames.has(query.get('branch')) ? query.get('branch') : '';
  const { orders } = await get('staff/orders', { status: filter === 'all' ? '' : filter, branch_id: branch });
  const ids = [...new Set(orders.map((o) => o.client_id).filter(Boolean))].slice(0, 100);
  const names = ids.length ? (await get('staff/client-names', { id: ids, orders: true })).names : {};

  const nav = h('nav', { class: 'staff-filters', 'aria-label': t('show') },
    h('ul', { class: 'chips' }, FILTERS.map((f) => h('li', {},
      h('a', { class: 'chip', href: pathWith('staff/orders', { status: f === 'open' ? '' : f, branch }), 'aria-current': f === filter ? 'page' : null }, t(`f_${f}`))))));
  const branchSel = h('select', { name: 'branch' }, h('option', { value: '' }, t('all')),
    mine.map((b) => h('option', { value: b.id, selected: b.id === branch }, b.name)));
  branchSel.addEventListener('change', () => ctx.navigate(pathWith('staff/orders', { status: filter === 'open' ? '' : filter, branch: branchSel.value })));

  const list = h('ul', { class: 'list staff-orders' });
  const draw = (o) => orderItem(o, names, branchNames, (updated, message) => {
    const next = draw(updated);
    const old = list.querySelector(`[data-id="${CSS.escape(updated.id)}"]`);
    old.replaceWith(next);
    next.querySelector('h2').focus();
    toast(message);
  });
  orders.forEach((o) => list.append(draw(o)));

  mount(ctx.main,
    h('h1', {}, t('title')),
    h('div', { class: 'staff-toolbar' }, nav, mine.length > 1 ? h('div', { class: 'staff-picker' }, field({ label: t('branch'), input: branchSel })) : null),
    h('p', { class: 'muted', role: 'status' }, t('count', { n: orders.length })),
    orders.length ? list : h('p', { class: 'muted staff-empty' }, t('none')));
  return undefined;
}

function orderItem(o, names, branchNames, changed) {
  // Plain text: the name may come from the order alone, with the card closed.
  const client = names[o.client_id] !== undefined
    ? h('strong', {}, names[o.client_id] || st('noName'))
    : h('span', { class: 'muted' }, t('noCard'));
  const headID = `order-${o.id}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  const actions = h('div', { class: 'actions staff-order-actions' });
  const li = h('li', { class: ['card', 'staff-order', `is-${o.status}`], dataset: { id: o.id, status: o.status }, 'aria-labelledby': headID },
    h('div', { class: 'row' },
      h('h2', { id: headID, tabindex: -1, class: 'staff-order-title' }, t('number', { n: o.number })),
      h('span', { class: ['badge', BADGE[o.status]], dataset: { status: o.status } }, t(`s_${o.status}`))),
    h('p', { class: 'staff-order-meta' },
      h('span', {}, st('client'), ': ', client), ' · ',
      h('span', {}, branchNames.get(o.branch_id)?.name || o.branch_id), ' · ',
      h('span', { class: 'muted' }, `${t('placed')} ${fmtDateTime(o.created_at, branchNames.get(o.branch_id)?.time_zone)}, ${o.source === 'front_desk' ? t('desk') : t('cabinet')}`)),
    h('ul', { class: 'staff-order-items', 'aria-label': t('items') }, o.items.map((it) => h('li', { class: 'row' },
      h('span', {}, `${it.brand} ${it.name}`.trim(), it.quantity > 1 ? ` × ${it.quantity}` : ''),
      h('span', {}, fmtMoney(it.subtotal))))),
    h('p', { class: 'row staff-order-total' }, h('strong', {}, t('total')), h('strong', {}, fmtMoney(o.total))),
    o.note ? h('p', {}, h('span', { class: 'muted' }, `${t('note')}: `), o.note) : null,
    o.cancel_reason ? h('p', { class: 'muted' }, o.cancel_reason) : null,
    actions);
  const move = (to, reason = '') => post(`staff/orders/${encodeURIComponent(o.id)}/status`, { status: to, reason })
    .then((updated) => changed(updated, t('moved', { n: updated.number, s: t(`s_${updated.status}`) })));
  for (const to of NEXT[o.status] || []) {
    const b = h('button', { type: 'button', class: to === NEXT[o.status][0] ? '' : 'secondary', dataset: { to } }, t(`to${to[0].toUpperCase()}${to.slice(1)}`));
    b.addEventListener('click', () => busy(b, () => move(to).catch((err) => showErr(actions, err))));
    actions.append(b);
  }
  if (NEXT[o.status]) {
    const ask = h('button', { type: 'button', class: 'danger', dataset: { to: 'cancelled' } }, t('cancel'));
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 500, autocomplete: 'off' });
    const yes = h('button', { type: 'submit', class: 'danger' }, t('cancelDo'));
    const no = h('button', { type: 'button', class: 'secondary' }, t('keep'));
    const form = h('form', { class: 'staff-order-cancel', hidden: true, novalidate: true },
      field({ label: t('reason'), input: reason }), h('div', { class: 'actions' }, yes, no));
    ask.addEventListener('click', () => { form.hidden = false; ask.hidden = true; reason.focus(); });
    no.addEventListener('click', () => { form.hidden = true; ask.hidden = false; ask.focus(); });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(yes, () => move('cancelled', reason.value.trim()).catch((err) => showErr(form, err)));
    });
    actions.append(ask);
    li.append(form);
  }
  return li;
}

function showErr(box, err) {
  box.querySelector('.alert')?.remove();
  box.append(errorBox(err));
}
