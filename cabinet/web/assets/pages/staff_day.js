// A specialist's day (the staff home page): their appointments of a day in
// the branch's time zone, each with the service and the client, leading to
// the appointment (mark it done, missed) and the client's card. The front
// desk may switch to any specialist of their branches; someone with no
// schedule of their own sees their branch's day across specialists.

import { get } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, field } from '../dom.js';
import {
  rolesOf, runBranches, specialists, dayTitle, daySwitcher, appointmentList, specialistBoard,
  pathWith, todayIn, validDay,
} from '../staff-lib.js';

const t = dict({
  ru: {
    myDay: 'Мой день', dayOf: ({ name }) => `День: ${name}`, branchDay: ({ name }) => `День филиала: ${name}`,
    who: 'Чьё расписание', mine: 'Моё', summary: ({ active, done }) => `Записей: ${active}, из них завершено: ${done}`,
  },
  en: {
    myDay: 'My day', dayOf: ({ name }) => `Day: ${name}`, branchDay: ({ name }) => `Branch day: ${name}`,
    who: 'Whose schedule', mine: 'Mine', summary: ({ active, done }) => `Appointments: ${active}, done: ${done}`,
  },
});

export async function render(ctx) {
  const { session, query } = ctx;
  const roles = rolesOf(session);
  const day = validDay(query.get('date')) ? query.get('date') : '';
  const spec = query.get('specialist') || '';
  const branch = query.get('branch') || '';
  const data = await get('staff/schedule', { from: day, specialist_id: spec, branch_id: branch });
  const tz = data.time_zone;
  const own = data.scope === 'specialist' && data.specialist_id === roles.specialistID;
  const sp = data.specialists[0];
  let title;
  if (data.scope === 'specialist') title = own ? t('myDay') : t('dayOf', { name: sp?.name || '' });
  else title = t('branchDay', { name: (await runBranches(session)).find((b) => b.id === data.branch_id)?.name || '' });
  ctx.setTitle(title);

  const hrefFor = (d) => pathWith('staff/day', { date: d, specialist: spec, branch });
  const active = data.appointments.filter((a) => a.status !== 'cancelled');
  const done = active.filter((a) => a.status === 'completed').length;

  mount(ctx.main,
    h('div', { class: 'staff-head' },
      h('h1', {}, title),
      h('p', { class: 'staff-day-title' }, dayTitle(data.from))),
    h('div', { class: 'staff-toolbar' },
      daySwitcher({ day: data.from, today: todayIn(tz), hrefFor, navigate: ctx.navigate }),
      roles.frontDesk ? await whoPicker(ctx, data, spec) : null),
    h('p', { class: 'muted', role: 'status' }, t('summary', { active: active.length, done })),
    data.scope === 'specialist'
      ? appointmentList(data.appointments, tz, { branch: (sp?.branch_ids || []).length > 1 })
      : specialistBoard(data));
  return undefined;
}

/** The front desk's choice of whose day to see. */
async function whoPicker(ctx, data, current) {
  const roles = rolesOf(ctx.session);
  const mine = await runBranches(ctx.session);
  const ids = new Set(mine.map((b) => b.id));
  const list = (await specialists()).filter((sp) => sp.branch_ids.some((b) => ids.has(b)));
  const select = h('select', { name: 'specialist' },
    roles.specialistID ? h('option', { value: '' }, t('mine')) : h('option', { value: '' }, '—'),
    list.map((sp) => h('option', { value: sp.id, selected: (current || (data.scope === 'specialist' ? data.specialist_id : '')) === sp.id }, sp.name)));
  select.addEventListener('change', () => ctx.navigate(pathWith('staff/day', { date: ctx.query.get('date'), specialist: select.value })));
  return h('div', { class: 'staff-picker' }, field({ label: t('who'), input: select }));
}
