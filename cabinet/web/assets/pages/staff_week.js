// A specialist's week, Monday to Sunday, in the branch's time zone: seven
// day columns on a wide screen, one under another on a phone. The front
// desk may look at any specialist's week.

import { get } from '../api.js';
import { dict, addDays } from '../i18n.js';
import { h, mount, link, field } from '../dom.js';
import {
  st, rolesOf, homeZone, todayIn, mondayOf, dayTitle, daySwitcher, appointmentItem, pathWith, validDay, specialists, runBranches,
} from '../staff-lib.js';

const t = dict({
  ru: { myWeek: 'Моя неделя', weekOf: ({ name }) => `Неделя: ${name}`, branchWeek: ({ name }) => `Неделя филиала: ${name}`, who: 'Чьё расписание', mine: 'Моё', total: ({ n }) => `Записей за неделю: ${n}` },
  en: { myWeek: 'My week', weekOf: ({ name }) => `Week: ${name}`, branchWeek: ({ name }) => `Branch week: ${name}`, who: 'Whose schedule', mine: 'Mine', total: ({ n }) => `Appointments this week: ${n}` },
});

export async function render(ctx) {
  const { session, query } = ctx;
  const roles = rolesOf(session);
  const spec = query.get('specialist') || '';
  const tzGuess = await homeZone(session);
  const today = todayIn(tzGuess);
  const from = mondayOf(validDay(query.get('from')) ? query.get('from') : today);
  const data = await get('staff/schedule', { from, days: 7, specialist_id: spec });
  const tz = data.time_zone;
  const sp = data.specialists[0];
  const own = data.scope === 'specialist' && data.specialist_id === roles.specialistID;
  let title;
  if (data.scope === 'specialist') title = own ? t('myWeek') : t('weekOf', { name: sp?.name || '' });
  else title = t('branchWeek', { name: (await runBranches(session)).find((b) => b.id === data.branch_id)?.name || '' });
  ctx.setTitle(title);

  const byDay = new Map();
  for (let i = 0; i < 7; i += 1) byDay.set(addDays(from, i), []);
  for (const a of data.appointments) {
    const d = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(a.start));
    if (byDay.has(d)) byDay.get(d).push(a);
  }
  const todayHere = todayIn(tz);
  const days = [...byDay.entries()].map(([d, list]) => h('section', {
    class: ['staff-weekday', d === todayHere && 'is-today'], 'aria-labelledby': `wd-${d}`,
  },
  h('h2', { id: `wd-${d}`, class: 'staff-weekday-title' },
    link(pathWith('staff/day', { date: d, specialist: spec }), dayTitle(d, 'short')),
    d === todayHere ? h('span', { class: 'badge ok' }, st('today')) : null),
  list.length
    ? h('ul', { class: 'list staff-appts' }, list.map((a) => appointmentItem(a, tz, { compact: true, specialist: data.scope === 'branch' })))
    : h('p', { class: 'muted staff-empty' }, st('free'))));

  const hrefFor = (d) => pathWith('staff/week', { from: d, specialist: spec });
  mount(ctx.main,
    h('div', { class: 'staff-head' },
      h('h1', {}, title),
      h('p', { class: 'staff-day-title' }, `${dayTitle(from, 'short')} — ${dayTitle(addDays(from, 6), 'short')}`)),
    h('div', { class: 'staff-toolbar' },
      daySwitcher({ day: from, today: todayIn(tz), step: 7, hrefFor, navigate: ctx.navigate }),
      roles.frontDesk ? await whoPicker(ctx, data, spec) : null),
    h('p', { class: 'muted', role: 'status' }, t('total', { n: data.appointments.filter((a) => a.status !== 'cancelled').length })),
    h('div', { class: 'staff-week' }, days));
  return undefined;
}

async function whoPicker(ctx, data, current) {
  const roles = rolesOf(ctx.session);
  const ids = new Set((await runBranches(ctx.session)).map((b) => b.id));
  const list = (await specialists()).filter((sp) => sp.branch_ids.some((b) => ids.has(b)));
  const select = h('select', { name: 'specialist' },
    h('option', { value: '' }, roles.specialistID ? t('mine') : '—'),
    list.map((sp) => h('option', { value: sp.id, selected: (current || (data.scope === 'specialist' ? data.specialist_id : '')) === sp.id }, sp.name)));
  select.addEventListener('change', () => ctx.navigate(pathWith('staff/week', { from: ctx.query.get('from'), specialist: select.value })));
  return h('div', { class: 'staff-picker' }, field({ label: t('who'), input: select }));
}
