// Booking on behalf of a client (the front desk: managers of the branch,
// admins): find the client who called (or come here from their card), pick
// the branch, the service, a specialist or anyone, the day, a free time in
// the branch's zone, add a note for colleagues, and book. A taken time
// says so and the free times are read again.

import { get, post } from '../api.js';
import { dict, fmtTime, fmtMoney } from '../i18n.js';
import { h, mount, field, showFieldError, clearErrors, errorBox, busy, link, toast } from '../dom.js';
import { st, rolesOf, runBranches, services, specialists, todayIn, validDay, pathWith, dayTitle } from '../staff-lib.js';

const t = dict({
  ru: {
    title: 'Запись клиента', client: 'Клиент', change: 'Выбрать другого клиента',
    findClient: 'Найдите клиента', q: 'Телефон, e-mail или имя', find: 'Найти', none: 'Никого не нашли.', choose: 'Выбрать',
    short: 'Введите хотя бы 2 символа',
    branch: 'Филиал', service: 'Услуга', specialist: 'Специалист', anyone: 'Любой свободный', day: 'День',
    slots: 'Свободное время', noSlots: 'На этот день свободного времени нет. Выберите другой день или специалиста.',
    pickSlot: 'Выберите время', note: 'Заметка для коллег', noteHint: 'Видят только сотрудники. Клиент получит подтверждение записи.',
    book: 'Записать', booked: 'Клиент записан.', taken: 'Это время только что заняли. Выберите другое.',
    minutes: ({ n }) => `${n} мин`,
  },
  en: {
    title: 'Book a client', client: 'Client', change: 'Choose another client',
    findClient: 'Find the client', q: 'Phone, e-mail or name', find: 'Find', none: 'Nobody found.', choose: 'Choose',
    short: 'Type at least 2 characters',
    branch: 'Branch', service: 'Service', specialist: 'Specialist', anyone: 'Anyone free', day: 'Day',
    slots: 'Free times', noSlots: 'No free time on this day. Choose another day or specialist.',
    pickSlot: 'Choose a time', note: 'Note for colleagues', noteHint: 'Only staff see it. The client gets a confirmation.',
    book: 'Book', booked: 'The client is booked.', taken: 'Someone has just taken this time. Choose another.',
    minutes: ({ n }) => `${n} min`,
  },
});

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const { session, query } = ctx;
  if (!rolesOf(session).frontDesk) {
    mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'notice' }, st('frontDeskOnly')), h('p', {}, link('staff/day', st('toSchedule'))));
    return undefined;
  }
  const clientID = query.get('client') || '';
  if (!clientID) return pickClient(ctx);
  const names = (await get('staff/client-names', { id: [clientID] })).names;
  const clientName = names[clientID];
  const mine = await runBranches(session);
  const state = {
    branch: (mine.find((b) => b.id === query.get('branch')) || mine[0])?.id || '',
    service: query.get('service') || '', specialist: query.get('specialist') || '', day: '', slot: null,
  };

  const branchSel = h('select', { name: 'branch_id' }, mine.map((b) => h('option', { value: b.id, selected: b.id === state.branch }, b.name)));
  const serviceSel = h('select', { name: 'service_id' });
  const specSel = h('select', { name: 'specialist_id' });
  const dayInput = h('input', { type: 'date', name: 'day' });
  const slotsBox = h('div', { class: 'staff-slots', 'aria-live': 'polite' });
  const note = h('textarea', { name: 'note', maxlength: 2000, rows: 3 });
  const button = h('button', { type: 'submit', disabled: true }, t('book'));
  const chosen = h('p', { class: 'staff-chosen', role: 'status' });
  const form = h('form', { class: 'staff-book', novalidate: true },
    h('div', { class: 'staff-book-grid' },
      field({ label: t('branch'), input: branchSel }),
      field({ label: t('service'), input: serviceSel }),
      field({ label: t('specialist'), input: specSel }),
      field({ label: t('day'), input: dayInput })),
    h('fieldset', { class: 'staff-slots-box' }, h('legend', {}, t('slots')), slotsBox),
    chosen,
    field({ label: t('note'), input: note, hint: t('noteHint') }),
    h('div', { class: 'actions' }, button));

  const zone = () => mine.find((b) => b.id === state.branch)?.time_zone || 'Europe/Moscow';

  async function fillServices() {
    const list = (await services(state.branch)).slice().sort((a, b) => a.name.localeCompare(b.name));
    if (!list.some((s) => s.id === state.service)) state.service = list[0]?.id || '';
    serviceSel.replaceChildren(...list.map((s) => h('option', { value: s.id, selected: s.id === state.service },
      `${s.name} · ${t('minutes', { n: s.duration_minutes })} · ${fmtMoney(s.price)}`)));
  }
  async function fillSpecialists() {
    const list = state.service ? await specialists(state.branch, state.service) : [];
    if (!list.some((s) => s.id === state.specialist)) state.specialist = '';
    specSel.replaceChildren(h('option', { value: '' }, t('anyone')),
      ...list.map((s) => h('option', { value: s.id, selected: s.id === state.specialist }, `${s.name}, ${s.title}`)));
    return list;
  }
  let specNames = new Map();
  async function fillSlots() {
    state.slot = null;
    button.disabled = true;
    chosen.textContent = '';
    if (!state.service || !state.day) { slotsBox.replaceChildren(); return; }
    slotsBox.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    try {
      const { slots } = await get('slots', { service_id: state.service, branch_id: state.branch, specialist_id: state.specialist, from: state.day, to: state.day });
      if (!slots.length) { slotsBox.replaceChildren(h('p', { class: 'muted' }, t('noSlots'))); return; }
      const tz = zone();
      const chips = slots.map((s) => {
        const label = state.specialist ? fmtTime(s.start, tz) : `${fmtTime(s.start, tz)} · ${specNames.get(s.specialist_id) || ''}`;
        const b = h('button', { type: 'button', class: 'chip', 'aria-pressed': 'false', dataset: { start: s.start, specialist: s.specialist_id } }, label);
        b.addEventListener('click', () => {
          slotsBox.querySelectorAll('.chip').forEach((c) => c.setAttribute('aria-pressed', 'false'));
          b.setAttribute('aria-pressed', 'true');
          state.slot = s;
          button.disabled = false;
          chosen.textContent = `${dayTitle(state.day)}, ${fmtTime(s.start, tz)} — ${specNames.get(s.specialist_id) || ''}`;
        });
        return h('li', {}, b);
      });
      slotsBox.replaceChildren(h('ul', { class: 'chips' }, chips));
    } catch (err) {
      slotsBox.replaceChildren(errorBox(err));
    }
  }
  async function refreshAll() {
    await fillServices();
    const list = await fillSpecialists();
    specNames = new Map(list.map((s) => [s.id, s.name]));
    await fillSlots();
  }

  state.day = validDay(query.get('date')) ? query.get('date') : todayIn(zone());
  dayInput.value = state.day;
  dayInput.min = todayIn(zone());
  branchSel.addEventListener('change', () => { state.branch = branchSel.value; refreshAll(); });
  serviceSel.addEventListener('change', async () => {
    state.service = serviceSel.value;
    const list = await fillSpecialists();
    specNames = new Map(list.map((s) => [s.id, s.name]));
    fillSlots();
  });
  specSel.addEventListener('change', () => { state.specialist = specSel.value; fillSlots(); });
  dayInput.addEventListener('change', () => { if (validDay(dayInput.value)) { state.day = dayInput.value; fillSlots(); } });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!state.slot) { slotsBox.prepend(h('p', { class: 'field-error' }, t('pickSlot'))); return; }
    busy(button, async () => {
      try {
        const a = await post('staff/appointments', {
          client_id: clientID, service_id: state.service, branch_id: state.branch,
          specialist_id: state.slot.specialist_id, start: state.slot.start, note: note.value.trim(),
        }, { headers: { 'Idempotency-Key': `${clientID}:${state.slot.start}:${state.slot.specialist_id}` } });
        toast(t('booked'));
        ctx.navigate(`staff/appointments/${encodeURIComponent(a.id)}`);
      } catch (err) {
        if (err.code === 'slot_taken') {
          await fillSlots();
          form.querySelector('.actions').before(Object.assign(errorBox({ message: t('taken') }), { className: 'alert error form-error' }));
          return;
        }
        if (!showFieldError(form, err)) form.querySelector('.actions').before(Object.assign(errorBox(err), { className: 'alert error form-error' }));
      }
    });
  });

  await refreshAll();
  mount(ctx.main,
    h('h1', {}, t('title')),
    h('div', { class: 'card staff-book-client' },
      h('p', { class: 'muted staff-kicker' }, t('client')),
      h('p', { class: 'staff-client-name' }, clientName !== undefined
        ? link(`staff/clients/${encodeURIComponent(clientID)}`, clientName || st('noName')) : st('hiddenClient')),
      h('p', {}, link('staff/book', t('change')))),
    form);
  return undefined;
}

/** Step one: find the client who called. */
async function pickClient(ctx) {
  const q = (ctx.query.get('q') || '').trim();
  const input = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off', maxlength: 100 });
  const form = h('form', { class: 'staff-search', role: 'search', novalidate: true },
    field({ label: t('q'), input }), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('find'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    if (input.value.trim().length < 2) { showFieldError(form, { field: 'q', message: t('short') }); return; }
    ctx.navigate(pathWith('staff/book', { q: input.value.trim() }));
  });
  const results = h('div', { 'aria-live': 'polite' });
  if (q.length >= 2) {
    try {
      const { clients } = await get('staff/clients', { q });
      mount(results, clients.length
        ? h('ul', { class: 'list staff-clients' }, clients.map((c) => h('li', { class: 'staff-client' },
          h('div', { class: 'staff-client-main' }, h('div', { class: 'staff-client-name' }, c.name || st('noName')),
            h('div', { class: 'muted staff-client-contacts' }, [c.phone, c.email].filter(Boolean).join(' · '))),
          h('div', { class: 'staff-client-actions' }, h('a', { class: 'button', href: pathWith('staff/book', { client: c.id }) }, t('choose'))))))
        : h('p', { class: 'muted' }, t('none')));
    } catch (err) {
      if (err.status !== 422) throw err;
      showFieldError(form, err);
    }
  }
  mount(ctx.main, h('h1', {}, t('title')), h('h2', {}, t('findClient')), form, results);
  if (!q) input.focus();
  return undefined;
}
