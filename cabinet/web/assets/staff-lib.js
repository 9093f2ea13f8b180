// Shared parts of the staff pages: who the member of staff is, the clinic's
// catalog (cached for the visit), appointment lines and boards, a day
// switcher, and texts. Times are shown in the branch's time zone.

import { get } from './api.js';
import { dict, lang, locale, fmtTime, isoDay, addDays } from './i18n.js';
import { h, link } from './dom.js';

export const st = dict({
  ru: {
    status_pending: 'Ждёт подтверждения', status_confirmed: 'Подтверждена', status_completed: 'Визит состоялся',
    status_cancelled: 'Отменена', status_no_show: 'Клиент не пришёл',
    client: 'Клиент', service: 'Услуга', specialist: 'Специалист', branch: 'Филиал', date: 'Дата',
    noName: 'Клиент без имени', hiddenClient: 'Клиент другого специалиста',
    open: 'Открыть', openCard: 'Карта клиента', bookFor: 'Записать',
    prevDay: 'Предыдущий день', nextDay: 'Следующий день', today: 'Сегодня', chooseDay: 'Выбрать день',
    prevWeek: 'Предыдущая неделя', nextWeek: 'Следующая неделя', thisWeek: 'Эта неделя',
    nothingThatDay: 'На этот день записей нет.', free: 'Записей нет',
    count: ({ n }) => `${n} ${plural(n, ['запись', 'записи', 'записей'])}`,
    frontDeskOnly: 'Этот раздел для администраторов и управляющих филиалов.',
    notFound: 'Такой страницы нет', notFoundText: 'Возможно, запись или карта вам недоступна. Проверьте адрес или вернитесь к расписанию.',
    toSchedule: 'К расписанию',
  },
  en: {
    status_pending: 'Awaiting confirmation', status_confirmed: 'Confirmed', status_completed: 'Visit done',
    status_cancelled: 'Cancelled', status_no_show: 'Did not come',
    client: 'Client', service: 'Service', specialist: 'Specialist', branch: 'Branch', date: 'Date',
    noName: 'Client without a name', hiddenClient: "Another specialist's client",
    open: 'Open', openCard: "Client's card", bookFor: 'Book',
    prevDay: 'Previous day', nextDay: 'Next day', today: 'Today', chooseDay: 'Choose a day',
    prevWeek: 'Previous week', nextWeek: 'Next week', thisWeek: 'This week',
    nothingThatDay: 'No appointments on this day.', free: 'No appointments',
    count: ({ n }) => `${n} ${n === 1 ? 'appointment' : 'appointments'}`,
    frontDeskOnly: 'This section is for the front desk: administrators and branch managers.',
    notFound: 'There is no such page', notFoundText: 'The appointment or card may not be open to you. Check the address or go back to the schedule.',
    toSchedule: 'Back to the schedule',
  },
});

function plural(n, forms) {
  const m10 = n % 10, m100 = n % 100;
  return forms[m10 === 1 && m100 !== 11 ? 0 : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? 1 : 2];
}

/** The staff roles of the session. */
export function rolesOf(session) {
  const roles = session.user?.roles || [];
  const admin = roles.includes('admin');
  const manager = roles.includes('manager');
  return { admin, manager, frontDesk: admin || manager, specialistID: session.specialist_id || '' };
}

/** The branches a member of staff runs (admin: all). */
export async function runBranches(session) {
  const { admin } = rolesOf(session);
  const all = await branches();
  return admin ? all : all.filter((b) => (session.user?.branch_ids || []).includes(b.id));
}

const cache = new Map();
function once(key, fn) {
  if (!cache.has(key)) cache.set(key, fn().catch((err) => { cache.delete(key); throw err; }));
  return cache.get(key);
}

/** The clinic's branches, services, specialists, products (public, cached). */
export const branches = () => once('branches', async () => (await get('branches')).branches);
export const services = (branchID = '') => once(`services:${branchID}`, async () => (await get('services', { branch_id: branchID })).services);
export const specialists = (branchID = '', serviceID = '') => once(`specialists:${branchID}:${serviceID}`,
  async () => (await get('specialists', { branch_id: branchID, service_id: serviceID })).specialists);
export const products = () => once('products', async () => (await get('products')).products);

/**
 * The time zone to count "today" in: the branch of the staff member's own
 * specialist record, else their first branch, else the clinic's first.
 */
export async function homeZone(session) {
  const all = await branches();
  let id = '';
  if (session.specialist_id) {
    const sp = (await specialists()).find((x) => x.id === session.specialist_id);
    id = sp?.branch_ids?.[0] || '';
  }
  id = id || session.user?.branch_ids?.[0] || all[0]?.id;
  return all.find((b) => b.id === id)?.time_zone || all[0]?.time_zone || 'Europe/Moscow';
}

/** Today's calendar date in a zone. */
export const todayIn = (tz) => isoDay(new Date(), tz);

/** The Monday of a calendar date's week. */
export function mondayOf(day) {
  const [y, m, d] = day.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(day, -((wd + 6) % 7));
}

const dayFmt = new Map();
/** A calendar date as "понедельник, 30 ноября" (style: long or short). */
export function dayTitle(day, style = 'long') {
  const key = locale() + style;
  if (!dayFmt.has(key)) {
    dayFmt.set(key, new Intl.DateTimeFormat(locale(), style === 'long'
      ? { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }
      : { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }));
  }
  const [y, m, d] = day.split('-').map(Number);
  const s = dayFmt.get(key).format(new Date(Date.UTC(y, m - 1, d)));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A date-only string "2026-11-30" is valid. */
export const validDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** The status of an appointment as a badge. */
export function statusBadge(status) {
  const cls = { confirmed: 'ok', completed: 'ok', pending: 'warn', cancelled: 'bad', no_show: 'bad' }[status] || '';
  return h('span', { class: ['badge', cls, `status-${status}`] }, st(`status_${status}`));
}

/** "10:00–11:00" in tz. */
export const timeRange = (a, tz) => `${fmtTime(a.start, tz)}–${fmtTime(a.end, tz)}`;

/** The client of a schedule line: a link to the card, or who it is not. */
export function clientLabel(a) {
  if (!a.client_id) return null;
  if (a.client_name === undefined) return h('span', { class: 'muted' }, st('hiddenClient'));
  return link(`staff/clients/${encodeURIComponent(a.client_id)}`, a.client_name || st('noName'));
}

/**
 * One appointment of a schedule: time, status, service, client, and what
 * else is asked for (specialist, branch).
 */
export function appointmentItem(a, tz, { specialist = false, branch = false, compact = false } = {}) {
  const href = `staff/appointments/${encodeURIComponent(a.id)}`;
  return h('li', { class: ['staff-appt', `is-${a.status}`, compact && 'compact'], dataset: { id: a.id } },
    h('div', { class: 'staff-appt-time' }, h('a', { href, class: 'staff-appt-link', 'aria-label': `${timeRange(a, tz)}, ${a.service_name}` }, timeRange(a, tz))),
    h('div', { class: 'staff-appt-body' },
      h('div', { class: 'staff-appt-service' }, a.service_name),
      h('div', { class: 'staff-appt-client' }, clientLabel(a)),
      specialist ? h('div', { class: 'muted staff-appt-meta' }, a.specialist_name) : null,
      branch ? h('div', { class: 'muted staff-appt-meta' }, a.branch_name) : null),
    h('div', { class: 'staff-appt-status' }, statusBadge(a.status)));
}

/** A list of appointments, or the "nothing" line. */
export function appointmentList(list, tz, opts = {}) {
  if (!list.length) return h('p', { class: 'muted staff-empty' }, opts.empty || st('nothingThatDay'));
  return h('ul', { class: 'list staff-appts' }, list.map((a) => appointmentItem(a, tz, opts)));
}

/**
 * The previous / today / next switcher with a date field. hrefFor(day)
 * makes the page's address for a day; step is 1 (days) or 7 (weeks).
 */
export function daySwitcher({ day, today, step = 1, hrefFor, navigate, label }) {
  const input = h('input', { type: 'date', value: day, name: 'date', class: 'staff-date-input' });
  input.addEventListener('change', () => { if (validDay(input.value)) navigate(hrefFor(step === 7 ? mondayOf(input.value) : input.value)); });
  const id = `date-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  const prev = step === 7 ? st('prevWeek') : st('prevDay');
  const next = step === 7 ? st('nextWeek') : st('nextDay');
  return h('nav', { class: 'staff-switcher', 'aria-label': label || st('chooseDay') },
    h('a', { class: 'button secondary', href: hrefFor(addDays(day, -step)), 'aria-label': prev, title: prev }, '‹'),
    h('a', { class: 'button secondary', href: hrefFor(step === 7 ? mondayOf(today) : today) }, step === 7 ? st('thisWeek') : st('today')),
    h('a', { class: 'button secondary', href: hrefFor(addDays(day, step)), 'aria-label': next, title: next }, '›'),
    h('label', { for: id, class: 'staff-date-label' }, st('chooseDay')), input);
}

/** Builds a cabinet path with a query, leaving out empty values. */
export function pathWith(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The "not found" view, as the app draws it, for an object one may not see. */
export function notFoundView(ctx) {
  ctx.setTitle(st('notFound'));
  ctx.main.replaceChildren(h('h1', {}, st('notFound')), h('p', {}, st('notFoundText')),
    h('p', {}, link('staff', st('toSchedule'))));
}

/**
 * A board of specialists' columns for a day: each column a specialist and
 * their appointments.
 */
export function specialistBoard(data) {
  const tz = data.time_zone;
  const bySpec = new Map(data.specialists.map((sp) => [sp.id, []]));
  for (const a of data.appointments) {
    if (!bySpec.has(a.specialist_id)) bySpec.set(a.specialist_id, []);
    bySpec.get(a.specialist_id).push(a);
  }
  const names = new Map(data.specialists.map((sp) => [sp.id, sp]));
  const cols = [...bySpec.entries()].map(([id, list]) => {
    const sp = names.get(id);
    const title = sp?.name || list[0]?.specialist_name || id;
    const headID = `col-${id}`.replace(/[^a-zA-Z0-9_-]/g, '_');
    return h('section', { class: 'staff-column', 'aria-labelledby': headID },
      h('h2', { id: headID, class: 'staff-column-title' }, title,
        sp?.title ? h('span', { class: 'muted staff-column-sub' }, sp.title) : null,
        h('span', { class: 'badge staff-column-count' }, st('count', { n: list.filter((a) => a.status !== 'cancelled').length }))),
      appointmentList(list, tz, { compact: true, empty: st('free') }));
  });
  if (!cols.length) return h('p', { class: 'muted staff-empty' }, st('nothingThatDay'));
  return h('div', { class: 'staff-board' }, cols);
}

/** Whether the page's language is English (for small choices). */
export const isEN = () => lang() === 'en';
