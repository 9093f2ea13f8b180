// A branch's day across its specialists, for the front desk (managers of
// the branch, admins): a column per specialist with their appointments, in
// the branch's time zone. A specialist sees a note instead (their own day
// is under "My day").

import { get } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, field, link } from '../dom.js';
import { st, rolesOf, runBranches, dayTitle, daySwitcher, specialistBoard, pathWith, todayIn, validDay } from '../staff-lib.js';

const t = dict({
  ru: {
    title: 'День филиала', branch: 'Филиал', book: 'Записать клиента',
    summary: ({ n, specs, pending }) => `Записей: ${n} у специалистов: ${specs}. Ждут подтверждения: ${pending}.`,
    noBranches: 'За вами не закреплён ни один филиал.',
  },
  en: {
    title: 'Branch day', branch: 'Branch', book: 'Book a client',
    summary: ({ n, specs, pending }) => `Appointments: ${n} across ${specs} specialists. Awaiting confirmation: ${pending}.`,
    noBranches: 'No branch is assigned to you.',
  },
});

export async function render(ctx) {
  const { session, query } = ctx;
  ctx.setTitle(t('title'));
  if (!rolesOf(session).frontDesk) {
    mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'notice' }, st('frontDeskOnly')), h('p', {}, link('staff/day', st('toSchedule'))));
    return undefined;
  }
  const mine = await runBranches(session);
  if (!mine.length) {
    mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'notice' }, t('noBranches')));
    return undefined;
  }
  const branch = mine.find((b) => b.id === query.get('branch')) || mine[0];
  const day = validDay(query.get('date')) ? query.get('date') : '';
  const data = await get('staff/schedule', { branch_id: branch.id, from: day });
  const tz = data.time_zone;
  const active = data.appointments.filter((a) => a.status !== 'cancelled');
  const hrefFor = (d) => pathWith('staff/branch', { branch: branch.id, date: d });

  const select = h('select', { name: 'branch' }, mine.map((b) => h('option', { value: b.id, selected: b.id === branch.id }, b.name)));
  select.addEventListener('change', () => ctx.navigate(pathWith('staff/branch', { branch: select.value, date: day })));

  mount(ctx.main,
    h('div', { class: 'staff-head' },
      h('h1', {}, `${t('title')}: ${branch.name}`),
      h('p', { class: 'staff-day-title' }, dayTitle(data.from))),
    h('div', { class: 'staff-toolbar' },
      daySwitcher({ day: data.from, today: todayIn(tz), hrefFor, navigate: ctx.navigate }),
      mine.length > 1 ? h('div', { class: 'staff-picker' }, field({ label: t('branch'), input: select })) : null,
      h('a', { class: 'button', href: pathWith('staff/book', { branch: branch.id }) }, t('book'))),
    h('p', { class: 'muted', role: 'status' }, t('summary', {
      n: active.length, specs: data.specialists.length, pending: active.filter((a) => a.status === 'pending').length,
    })),
    specialistBoard(data));
  return undefined;
}
