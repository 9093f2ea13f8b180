// What the booking pages share: the catalog (branches, services,
// specialists), the remembered branch, an appointment's summary and its
// actions (move, cancel, add to calendar) with the online cut-off, the
// favourite toggle, and the slot picker (specialist → date strip → free
// times) that booking and moving both use. Every time is shown in the
// branch's time zone.

import { api, get, post, del, apiURL } from './api.js';
import { dict, locale, fmtDay, fmtTime, fmtMoney, isoDay, addDays, plural } from './i18n.js';
import { h, mount, busy, errorBox, toast, uid } from './dom.js';

export const tb = dict({
  ru: {
    service: 'Услуга', branch: 'Филиал', specialist: 'Специалист', anySpecialist: 'Любой специалист',
    when: 'Когда', price: 'Стоимость', note: 'Комментарий',
    status_pending: 'Ждёт подтверждения', status_confirmed: 'Подтверждена', status_completed: 'Состоялась',
    status_cancelled: 'Отменена', status_no_show: 'Неявка',
    move: 'Перенести', cancelVisit: 'Отменить', toCalendar: 'Добавить в календарь', details: 'Подробнее',
    changeUntil: ({ when }) => `Перенести или отменить запись онлайн можно до ${when}.`,
    tooLate: 'До визита меньше 12 часов: изменить или отменить запись онлайн уже нельзя.',
    callClinic: 'Позвоните в клинику', callClinicPhone: ({ phone }) => `Позвоните в клинику: ${phone}`,
    cancelAsk: ({ when }) => `Отменить запись на ${when}?`,
    cancelReason: 'Причина (необязательно)', cancelReasonHint: 'Поможет клинике подобрать другое время',
    cancelYes: 'Да, отменить', cancelNo: 'Не отменять', cancelled: 'Запись отменена',
    tzNote: ({ city }) => `Время указано по часовому поясу филиала (${city}).`,
    morning: 'Утро', day: 'День', evening: 'Вечер',
    today: 'Сегодня', tomorrow: 'Завтра',
    dateStrip: 'Дата', freeTimes: 'Свободное время',
    noSlotsDay: 'В этот день свободного времени нет.',
    noSlotsWindow: 'В эти две недели свободного времени нет.',
    noSlotsAtAll: 'Свободного времени для онлайн-записи пока нет. Позвоните в клинику — мы подберём время.',
    earlier: 'Раньше', later: 'Позже',
    slotsCount: ({ n }) => plural(n, ['окно', 'окна', 'окон']),
    noSlotsShort: 'нет мест',
    taken: 'Это время только что заняли. Выберите другое — вот ближайшее свободное:',
    takenNoAlt: 'Это время только что заняли. Выберите другое.',
    favAdd: 'В избранное', favOn: 'В избранном', favAdded: 'Добавлено в избранное', favRemoved: 'Убрано из избранного',
    favLabel: ({ name }) => `Избранное: ${name}`,
    minutes: ({ n }) => plural(n, ['минута', 'минуты', 'минут']),
    cat_consultation: 'Консультации', cat_cleansing: 'Чистки', cat_peel: 'Пилинги', cat_injection: 'Инъекционные процедуры',
    cat_laser: 'Лазерные процедуры', cat_hardware: 'Аппаратные процедуры', cat_massage: 'Массаж', cat_care: 'Уход', cat_other: 'Другое',
    unknownService: 'Процедура', unknownSpecialist: 'Специалист клиники',
  },
  en: {
    service: 'Service', branch: 'Branch', specialist: 'Specialist', anySpecialist: 'Any specialist',
    when: 'When', price: 'Price', note: 'Comment',
    status_pending: 'Awaiting confirmation', status_confirmed: 'Confirmed', status_completed: 'Done',
    status_cancelled: 'Cancelled', status_no_show: 'Missed',
    move: 'Reschedule', cancelVisit: 'Cancel', toCalendar: 'Add to calendar', details: 'Details',
    changeUntil: ({ when }) => `You can reschedule or cancel online until ${when}.`,
    tooLate: 'The visit is less than 12 hours away: it can no longer be changed or cancelled online.',
    callClinic: 'Call the clinic', callClinicPhone: ({ phone }) => `Call the clinic: ${phone}`,
    cancelAsk: ({ when }) => `Cancel the visit on ${when}?`,
    cancelReason: 'Reason (optional)', cancelReasonHint: 'Helps the clinic offer you another time',
    cancelYes: 'Yes, cancel', cancelNo: 'Keep it', cancelled: 'The visit is cancelled',
    tzNote: ({ city }) => `Times are in the branch's time zone (${city}).`,
    morning: 'Morning', day: 'Afternoon', evening: 'Evening',
    today: 'Today', tomorrow: 'Tomorrow',
    dateStrip: 'Date', freeTimes: 'Free times',
    noSlotsDay: 'No free times on this day.',
    noSlotsWindow: 'No free times in these two weeks.',
    noSlotsAtAll: 'There are no free times to book online yet. Call the clinic and we will find a time.',
    earlier: 'Earlier', later: 'Later',
    slotsCount: ({ n }) => plural(n, ['free time', 'free times']),
    noSlotsShort: 'full',
    taken: 'Someone has just taken this time. Choose another — here are the nearest free ones:',
    takenNoAlt: 'Someone has just taken this time. Choose another.',
    favAdd: 'Add to favourites', favOn: 'In favourites', favAdded: 'Added to favourites', favRemoved: 'Removed from favourites',
    favLabel: ({ name }) => `Favourite: ${name}`,
    minutes: ({ n }) => `${n} min`,
    cat_consultation: 'Consultations', cat_cleansing: 'Cleansing', cat_peel: 'Peels', cat_injection: 'Injections',
    cat_laser: 'Laser', cat_hardware: 'Device treatments', cat_massage: 'Massage', cat_care: 'Care', cat_other: 'Other',
    unknownService: 'Treatment', unknownSpecialist: 'A specialist of the clinic',
  },
});

/** The default change deadline, for an appointment the API sent without changeable_until. */
export const CHANGE_DEADLINE_MS = 12 * 3600 * 1000;
/** Slots are searched at most this many days ahead (the API's horizon). */
export const HORIZON_DAYS = 60;
const WINDOW_DAYS = 14;

// ---- The catalog -------------------------------------------------------

let catalogCache = null;
let catalogAt = 0;

/**
 * The catalog: {branches, services, specialists} and maps by ID (branch,
 * service, specialist). Kept for five minutes across pages.
 */
export function catalog() {
  if (!catalogCache || Date.now() - catalogAt > 5 * 60 * 1000) {
    catalogAt = Date.now();
    catalogCache = Promise.all([get('branches'), get('services'), get('specialists')]).then(([b, s, sp]) => ({
      branches: b.branches || [],
      services: s.services || [],
      specialists: sp.specialists || [],
      branch: new Map((b.branches || []).map((x) => [x.id, x])),
      service: new Map((s.services || []).map((x) => [x.id, x])),
      specialist: new Map((sp.specialists || []).map((x) => [x.id, x])),
    }));
    catalogCache.catch(() => { catalogCache = null; });
  }
  return catalogCache;
}

/** The time zone of a branch (the first branch's when unknown). */
export function tzOf(cat, branchId) {
  return cat.branch.get(branchId)?.time_zone || cat.branches[0]?.time_zone || undefined;
}

export function serviceName(cat, id) { return cat.service.get(id)?.name || tb('unknownService'); }
export function categoryName(code) { const v = tb(`cat_${code}`); return v === `cat_${code}` ? tb('cat_other') : v; }

/** "45 минут · 3 500 ₽" */
export function serviceMeta(s) {
  return [s.duration_minutes ? tb('minutes', { n: s.duration_minutes }) : '', fmtMoney(s.price)].filter(Boolean).join(' · ');
}

// ---- The remembered branch ---------------------------------------------

const branchKey = (session) => `kabinet:branch:${session?.user?.id || 'anon'}`;

/** The branch this user chose last on this device, or "". */
export function rememberedBranch(session) {
  try { return localStorage.getItem(branchKey(session)) || ''; } catch { return ''; }
}

/** Remembers the branch chosen (per user, on this device). */
export function rememberBranch(session, id) {
  try { localStorage.setItem(branchKey(session), id); } catch { /* private mode: nothing remembered */ }
}

/**
 * The branch to offer first: the one chosen last on this device, else the
 * questionnaire's preferred branch, else the only branch; "" when the client
 * has to choose.
 */
export async function preferredBranch(session, cat) {
  const mine = rememberedBranch(session);
  if (mine && cat.branch.has(mine)) return mine;
  if (cat.branches.length === 1) return cat.branches[0].id;
  try {
    const p = await get('me/profile');
    if (p && p.preferred_branch_id && cat.branch.has(p.preferred_branch_id)) return p.preferred_branch_id;
  } catch (err) {
    if (err && err.status === 401) throw err;
    // No questionnaire to read (a staff account): the client chooses.
  }
  return '';
}

// ---- Appointments ------------------------------------------------------

export const isActive = (a) => a.status === 'pending' || a.status === 'confirmed';
export const isUpcoming = (a) => isActive(a) && new Date(a.end).getTime() > Date.now();
/** Until when the client may move or cancel a: the API's changeable_until (the clinic's own deadline). */
export const changeUntil = (a) => (a.changeable_until ? new Date(a.changeable_until) : new Date(new Date(a.start).getTime() - CHANGE_DEADLINE_MS));
export const canChange = (a) => isUpcoming(a) && Date.now() < changeUntil(a).getTime();

const STATUS_CLASS = { pending: 'warn', confirmed: 'ok', completed: '', cancelled: 'bad', no_show: 'bad' };

/** The status as a badge. */
export function statusBadge(status) {
  return h('span', { class: ['badge', STATUS_CLASS[status]], dataset: { status } }, tb(`status_${status}`));
}

/** "9 декабря, среда, 12:15" */
export function whenShort(start, tz) { return `${fmtDay(start, tz)}, ${fmtTime(start, tz)}`; }

/** "9 декабря, 12:15": for phrases such as "until …" and "the visit on …". */
export function whenPlain(v, tz) {
  const d = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', timeZone: tz }).format(new Date(v));
  return `${d}, ${fmtTime(v, tz)}`;
}

/** A note when the browser's time zone is not the branch's. */
export function tzNote(tz) {
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!tz || mine === tz) return null;
  const city = tz.split('/').pop().replace(/_/g, ' ');
  return h('p', { class: 'hint bk-tz' }, tb('tzNote', { city: cityName(city) }));
}

function cityName(city) {
  const ru = { Moscow: 'Москва', Kaliningrad: 'Калининград', Samara: 'Самара', Yekaterinburg: 'Екатеринбург', Novosibirsk: 'Новосибирск',
    Krasnoyarsk: 'Красноярск', Irkutsk: 'Иркутск', Vladivostok: 'Владивосток', Omsk: 'Омск' };
  return locale() === 'ru-RU' && ru[city] ? ru[city] : city;
}

/** The link that downloads an appointment as an iCalendar event. */
export function calendarLink(a) {
  return h('a', { class: 'button secondary bk-ics', href: apiURL(`me/appointments/${encodeURIComponent(a.id)}/calendar.ics`),
    download: 'visit.ics', dataset: { action: 'calendar' } }, calendarIcon(), tb('toCalendar'));
}

function calendarIcon() {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('width', '18'); svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', 'M7 2v2H5a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2H7zm-2 7h14v10H5V9zm2 2v2h2v-2H7zm4 0v2h2v-2h-2z');
  p.setAttribute('fill', 'currentColor');
  svg.append(p);
  return svg;
}

/**
 * An appointment's facts: when, who, where, price (and the status unless
 * told not to). heading: the service name's element ('h2', 'h3' or null).
 */
export function apptFacts(a, cat, { heading = 'h3', linkTo = true, status = true } = {}) {
  const tz = tzOf(cat, a.branch_id);
  const branch = cat.branch.get(a.branch_id);
  const sp = cat.specialist.get(a.specialist_id);
  const name = serviceName(cat, a.service_id);
  return h('div', { class: 'bk-facts' },
    heading ? h(heading, { class: 'bk-service-name' }, linkTo ? h('a', { href: `appointments/${encodeURIComponent(a.id)}` }, name) : name) : null,
    status ? h('p', { class: 'bk-status' }, statusBadge(a.status)) : null,
    h('p', { class: 'bk-when' }, fmtDay(a.start, tz), ' · ', h('span', { class: 'bk-nowrap' }, `${fmtTime(a.start, tz)}–${fmtTime(a.end, tz)}`)),
    h('p', { class: 'bk-who' }, sp ? `${sp.name}, ${sp.title.toLowerCase()}` : tb('unknownSpecialist')),
    branch ? h('p', { class: 'bk-where muted' }, `${branch.name} · ${branch.address}`) : null);
}

/**
 * The actions of an upcoming appointment: reschedule, cancel, add to the
 * calendar, and the cut-off explained. onCancelled(updated) is called after
 * a cancellation; moveHref is where "Reschedule" goes (null: onMove).
 */
export function apptActions(a, cat, { onCancelled, onMove, moveHref } = {}) {
  const branch = cat.branch.get(a.branch_id);
  const tz = tzOf(cat, a.branch_id);
  const box = h('div', { class: 'bk-appt-actions' });
  const confirmBox = h('div', { class: 'bk-cancel', hidden: true });
  const buttons = h('div', { class: 'actions' });
  if (canChange(a)) {
    buttons.append(moveHref
      ? h('a', { class: 'button secondary', href: moveHref, dataset: { action: 'move' } }, tb('move'))
      : h('button', { type: 'button', class: 'secondary', dataset: { action: 'move' }, onClick: () => onMove && onMove() }, tb('move')));
    const cancelBtn = h('button', { type: 'button', class: 'danger', dataset: { action: 'cancel' } }, tb('cancelVisit'));
    cancelBtn.addEventListener('click', () => {
      buttons.hidden = true;
      confirmBox.hidden = false;
      mount(confirmBox, cancelForm(a, tz, {
        done: (updated) => { toast(tb('cancelled')); onCancelled && onCancelled(updated); },
        back: () => { confirmBox.hidden = true; buttons.hidden = false; cancelBtn.focus(); },
      }));
      confirmBox.querySelector('textarea')?.focus();
    });
    buttons.append(cancelBtn);
  }
  buttons.append(calendarLink(a));
  box.append(buttons, confirmBox);
  if (isUpcoming(a)) box.append(cutoffNote(a, tz, branch));
  return box;
}

/** Says until when the visit can be changed online, or whom to call. */
export function cutoffNote(a, tz, branch) {
  if (canChange(a)) return h('p', { class: 'hint bk-cutoff' }, tb('changeUntil', { when: whenPlain(changeUntil(a), tz) }));
  const phone = branch?.phone;
  return h('p', { class: 'notice bk-cutoff' }, tb('tooLate'), ' ',
    phone ? h('a', { href: `tel:${phone.replace(/[^\d+]/g, '')}` }, tb('callClinicPhone', { phone })) : tb('callClinic'), '.');
}

function cancelForm(a, tz, { done, back }) {
  const reason = h('textarea', { name: 'reason', maxlength: 1000, rows: 2 });
  const id = uid('cancel');
  reason.id = id;
  const yes = h('button', { type: 'submit', class: 'danger', dataset: { action: 'cancel-confirm' } }, tb('cancelYes'));
  const no = h('button', { type: 'button', class: 'secondary', onClick: back }, tb('cancelNo'));
  const form = h('form', { class: 'bk-cancel-form', novalidate: true },
    h('p', { class: 'bk-cancel-ask' }, tb('cancelAsk', { when: whenPlain(a.start, tz) })),
    h('div', { class: 'field' }, h('label', { for: id }, tb('cancelReason')),
      h('p', { class: 'hint', id: `${id}-hint` }, tb('cancelReasonHint')), reason),
    h('div', { class: 'actions' }, yes, no));
  reason.setAttribute('aria-describedby', `${id}-hint`);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    form.querySelector('.alert')?.remove();
    busy(yes, async () => {
      try {
        const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
        const updated = await post(`me/appointments/${encodeURIComponent(a.id)}/cancel`, body);
        done(updated);
      } catch (err) {
        if (err && err.status === 401) return;
        form.prepend(errorBox(err));
      }
    });
  });
  return form;
}

// ---- Favourites ----------------------------------------------------------

/**
 * A button that adds an item to the favourites or removes it (aria-pressed
 * says which). onChange(isFavourite) after each change.
 */
export function favoriteToggle(kind, itemId, name, on, { onChange, compact = false } = {}) {
  let state = !!on;
  const label = h('span', {});
  const btn = h('button', { type: 'button', class: ['bk-fav', compact ? 'compact' : 'secondary'], dataset: { fav: `${kind}:${itemId}` } }, heartIcon(), label);
  const draw = () => {
    btn.setAttribute('aria-pressed', String(state));
    label.textContent = compact ? '' : (state ? tb('favOn') : tb('favAdd'));
    if (compact) btn.setAttribute('aria-label', tb('favLabel', { name }));
    else btn.removeAttribute('aria-label');
  };
  draw();
  btn.addEventListener('click', () => busy(btn, async () => {
    try {
      if (state) await del(`me/favorites/${encodeURIComponent(kind)}/${encodeURIComponent(itemId)}`);
      else await post('me/favorites', { kind, item_id: itemId });
      state = !state;
      draw();
      toast(state ? tb('favAdded') : tb('favRemoved'));
      if (onChange) onChange(state);
    } catch (err) {
      if (err && err.status === 401) return;
      toast(err.message);
    }
  }));
  return btn;
}

function heartIcon() {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('width', '20'); svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false'); svg.setAttribute('class', 'bk-heart');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', 'M12 20.5s-7.5-4.6-9.3-9.2C1.5 8.1 3.6 4.5 7.1 4.5c2 0 3.6 1.1 4.9 2.9 1.3-1.8 2.9-2.9 4.9-2.9 3.5 0 5.6 3.6 4.4 6.8-1.8 4.6-9.3 9.2-9.3 9.2z');
  p.setAttribute('stroke', 'currentColor'); p.setAttribute('stroke-width', '1.8'); p.setAttribute('stroke-linejoin', 'round');
  svg.append(p);
  return svg;
}

/** The client's favourites as a Set of "kind:id" (empty on failure). */
export async function favoriteSet() {
  try {
    const r = await get('me/favorites');
    return new Set((r.favorites || []).map((f) => `${f.kind}:${f.item_id}`));
  } catch (err) {
    if (err && err.status === 401) throw err;
    return new Set();
  }
}

// ---- Booking requests ------------------------------------------------------

/** A random Idempotency-Key (crypto.randomUUID needs a secure context). */
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Books: resolves to the appointment; rejects with the ApiError. */
export function book(body, key) {
  return api('POST', 'me/appointments', { body, headers: { 'Idempotency-Key': key } });
}

/** The alternatives of a 409 slot_taken answer. */
export function alternativesOf(err) {
  return err?.body?.error?.alternatives || err?.body?.alternatives || [];
}

// ---- Calendar days ---------------------------------------------------------

const dayFmt = new Map();
function dfmt(opts) {
  const k = locale() + JSON.stringify(opts);
  if (!dayFmt.has(k)) dayFmt.set(k, new Intl.DateTimeFormat(locale(), { ...opts, timeZone: 'UTC' }));
  return dayFmt.get(k);
}
const dayDate = (day) => { const [y, m, d] = day.split('-').map(Number); return new Date(Date.UTC(y, m - 1, d)); };

/** "9 декабря, среда" for a calendar day "2026-12-09". */
export function dayLong(day) { return fmtDay(dayDate(day), 'UTC'); }

function hourIn(v, tz) { return Number(fmtTime(v, tz).slice(0, 2)); }

// ---- The slot picker ---------------------------------------------------------

/**
 * The slot picker: specialist chips, a strip of days, the free times of the
 * chosen day. Options: cat, service, branchId; specialists (the chips
 * beside "any"), labelOf(specialist) (a chip's text), anyIndex (where "any"
 * goes among them, 0: first), specialistId (the first choice; "" = any);
 * busy (the client's own visits, [{start, end}], whose times are left out);
 * onSelect(slot | null, event); level (of its headings, 2 by default).
 * Returns {el, load(), select(slot), showTaken(err), hideTaken(), selected(),
 * specialistId(), tz}.
 */
export function slotPicker(opts) {
  const { cat, service, branchId, onSelect } = opts;
  const tz = tzOf(cat, branchId);
  const today = isoDay(new Date(), tz);
  const lastDay = addDays(today, HORIZON_DAYS);
  let specialistId = opts.specialistId || '';
  let from = today;
  let slotsByDay = new Map();
  let day = '';
  let chosen = null;
  let seq = 0;
  const hx = `h${opts.level || 2}`; // the level of the picker's headings
  const hpart = `h${(opts.level || 2) + 1}`;

  const specHead = h(hx, { id: uid('spec'), class: 'bk-ph' }, tb('specialist'));
  const specChips = h('div', { class: 'chips bk-specs', role: 'group', 'aria-labelledby': specHead.id });
  const dayHead = h(hx, { id: uid('day'), class: 'bk-ph' }, tb('dateStrip'));
  const prev = h('button', { type: 'button', class: 'link bk-win', onClick: () => shift(-WINDOW_DAYS) }, '← ', tb('earlier'));
  const next = h('button', { type: 'button', class: 'link bk-win', onClick: () => shift(WINDOW_DAYS) }, tb('later'), ' →');
  const strip = h('div', { class: 'strip bk-days', role: 'group', 'aria-labelledby': dayHead.id });
  const timesHead = h(hx, { id: uid('times'), class: 'bk-ph' }, tb('freeTimes'));
  const taken = h('div', { class: 'bk-taken', hidden: true });
  const times = h('div', { class: 'bk-times', role: 'group', 'aria-labelledby': timesHead.id });
  const status = h('p', { class: 'bk-status-line muted', role: 'status' });

  const specialists = opts.specialists || [];
  const specSection = h('section', { class: 'bk-section' }, specHead, specChips);
  const el = h('div', { class: 'bk-picker' },
    specSection,
    h('section', { class: 'bk-section' }, h('div', { class: 'bk-day-head' }, dayHead, h('div', { class: 'bk-wins' }, prev, next)), strip),
    h('section', { class: 'bk-section' }, timesHead, tzNote(tz), taken, status, times));

  function drawSpecs() {
    const choices = specialists.map((s) => [s.id, opts.labelOf ? opts.labelOf(s) : s.name]);
    choices.splice(Math.min(opts.anyIndex || 0, choices.length), 0, ['', opts.anyLabel || tb('anySpecialist')]);
    mount(specChips, choices.map(([id, label]) => h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(id === specialistId), dataset: { specialist: id || 'any' },
      onClick: () => { if (id !== specialistId) { specialistId = id; drawSpecs(); choose(null); reload(); } },
    }, label)));
  }

  function shift(n) {
    let f = addDays(from, n);
    if (f < today) f = today;
    if (f > lastDay) return;
    from = f;
    day = '';
    reload();
  }

  /** Loads again after a choice, showing a failure with a retry instead of throwing. */
  function reload() {
    return load({ advance: false }).catch((err) => {
      if (err && err.status === 401) return;
      status.textContent = '';
      mount(times, errorBox(err), h('button', { type: 'button', class: 'secondary', onClick: reload }, tb('retry')));
    });
  }

  function busyOverlap(slot) {
    const s = new Date(slot.start).getTime(), e = new Date(slot.end).getTime();
    return (opts.busy || []).some((b) => new Date(b.start).getTime() < e && new Date(b.end).getTime() > s);
  }

  /** Loads the window's slots; on the first load moves on to the first window with any. */
  async function load({ advance = true } = {}) {
    const my = ++seq;
    status.textContent = tb('loading');
    let tries = advance ? Math.ceil(HORIZON_DAYS / WINDOW_DAYS) + 1 : 1;
    for (;;) {
      let to = addDays(from, WINDOW_DAYS - 1);
      if (to > lastDay) to = lastDay;
      const r = await get('slots', { service_id: service.id, branch_id: branchId, from, to, specialist_id: specialistId || undefined });
      if (my !== seq) return;
      slotsByDay = new Map();
      for (const s of r.slots || []) {
        if (busyOverlap(s)) continue;
        const d = isoDay(s.start, tz);
        if (!slotsByDay.has(d)) slotsByDay.set(d, []);
        slotsByDay.get(d).push(s);
      }
      tries -= 1;
      if (slotsByDay.size || tries <= 0 || to >= lastDay) break;
      from = addDays(to, 1);
    }
    if (!slotsByDay.has(day)) day = [...slotsByDay.keys()].sort()[0] || '';
    draw();
  }

  function draw() {
    prev.disabled = from <= today;
    let to = addDays(from, WINDOW_DAYS - 1);
    if (to > lastDay) to = lastDay;
    next.disabled = to >= lastDay;
    const days = [];
    for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
    mount(strip, days.map((d) => {
      const n = (slotsByDay.get(d) || []).length;
      const date = dayDate(d);
      const top = d === today ? tb('today') : d === addDays(today, 1) ? tb('tomorrow') : dfmt({ weekday: 'short' }).format(date);
      return h('button', {
        type: 'button', class: ['chip', 'bk-day'], 'aria-pressed': String(d === day), disabled: n === 0, dataset: { day: d },
        onClick: () => { day = d; draw(); },
      }, h('span', { class: 'bk-wd' }, top), h('span', { class: 'bk-dn' }, String(date.getUTCDate())),
      h('span', { class: 'bk-mo' }, n ? dfmt({ month: 'short' }).format(date) : tb('noSlotsShort')),
      n ? h('span', { class: 'bk-sr' }, `, ${tb('slotsCount', { n })}`) : null);
    }));
    const on = strip.querySelector('[aria-pressed="true"]');
    if (on) strip.scrollLeft = Math.max(0, on.offsetLeft - (strip.clientWidth - on.offsetWidth) / 2);
    drawTimes();
  }

  function drawTimes() {
    const list = slotsByDay.get(day) || [];
    if (!slotsByDay.size) {
      status.textContent = from <= today && next.disabled ? tb('noSlotsAtAll') : tb('noSlotsWindow');
      mount(times);
      return;
    }
    status.textContent = list.length ? dayLong(day) : tb('noSlotsDay');
    const parts = [['morning', (x) => x < 12], ['day', (x) => x >= 12 && x < 17], ['evening', (x) => x >= 17]];
    mount(times, parts.map(([key, test]) => {
      const group = list.filter((s) => test(hourIn(s.start, tz)));
      if (!group.length) return null;
      return h('div', { class: 'bk-part' }, h(hpart, { class: 'bk-part-name' }, tb(key)),
        h('ul', { class: 'chips bk-slots' }, group.map((s) => h('li', {}, slotButton(s)))));
    }));
  }

  function slotButton(s) {
    const sp = cat.specialist.get(s.specialist_id);
    return h('button', {
      type: 'button', class: ['chip', 'bk-slot'], dataset: { start: s.start, specialist: s.specialist_id },
      'aria-pressed': String(!!chosen && chosen.start === s.start && chosen.specialist_id === s.specialist_id),
      'aria-label': `${fmtTime(s.start, tz)}${sp && !specialistId ? `, ${sp.name}` : ''}`,
      onClick: (e) => choose(s, e),
    }, fmtTime(s.start, tz));
  }

  function choose(s, e) {
    chosen = s;
    el.querySelectorAll('.bk-slot, .bk-alt').forEach((b) => {
      b.setAttribute('aria-pressed', String(!!s && b.dataset.start === s.start && b.dataset.specialist === s.specialist_id));
    });
    if (onSelect) onSelect(s, e);
  }

  /** After a 409: the alternatives, and the day's times again without the taken one. */
  function showTaken(err) {
    const alts = alternativesOf(err).filter((s) => !busyOverlap(s));
    taken.hidden = false;
    mount(taken, h('div', { class: 'alert error', role: 'alert' }, alts.length ? tb('taken') : tb('takenNoAlt')),
      alts.length ? h('ul', { class: 'chips bk-alts' }, alts.map((s) => {
        const sp = cat.specialist.get(s.specialist_id);
        return h('li', {}, h('button', {
          type: 'button', class: ['chip', 'bk-alt'], 'aria-pressed': 'false', dataset: { start: s.start, specialist: s.specialist_id },
          onClick: (e) => { const d = isoDay(s.start, tz); if (slotsByDay.has(d)) { day = d; draw(); } choose(s, e); },
        }, h('span', { class: 'bk-alt-when' }, `${fmtDay(s.start, tz)}, ${fmtTime(s.start, tz)}`),
        sp ? h('span', { class: 'bk-alt-who' }, sp.name) : null));
      })) : null);
    choose(null);
    taken.scrollIntoView({ block: 'nearest' });
    return reload();
  }

  drawSpecs();
  return {
    el,
    load,
    select: choose,
    showTaken,
    hideTaken: () => { taken.hidden = true; mount(taken); },
    selected: () => chosen,
    specialistId: () => specialistId,
    tz,
  };
}

/** Formats a slot for the confirm bar: "Ср, 9 декабря, 12:15 · Елена Смирнова". */
export function slotText(cat, slot, tz) {
  const sp = cat.specialist.get(slot.specialist_id);
  return { when: whenShort(slot.start, tz), who: sp ? sp.name : '' };
}

