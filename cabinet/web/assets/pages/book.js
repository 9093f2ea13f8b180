// Booking: a service (from the list, a favourite, a recommendation, an
// offer or a course) → the branch (remembered per user on this device, else
// the questionnaire's preferred branch) → a specialist or "any" → a strip of
// days → the free times → confirm. With the branch known and "any
// specialist" preselected, the first day with free times is open at once,
// so a booking is two taps: a time, then "Book". A time taken meanwhile
// (409) shows the nearest free ones from the answer; a procedure the
// questionnaire rules out (422 not_eligible) shows why.

import { get } from '../api.js';
import { dict, fmtMoney } from '../i18n.js';
import { h, mount, busy, errorBox, uid } from '../dom.js';
import {
  tb, catalog, categoryName, serviceMeta, preferredBranch, rememberBranch, slotPicker, book, newKey, slotText,
  isActive, favoriteSet,
} from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Запись', chooseService: 'Выберите процедуру',
    favorites: 'Избранное', recommended: 'Рекомендуем вам', all: 'Все услуги',
    notFound: 'Такой услуги нет или на неё нельзя записаться онлайн.', toList: 'Выбрать другую услугу',
    aboutService: 'Об услуге', otherService: 'Другая услуга',
    chooseBranch: 'Выберите филиал — в следующий раз мы предложим его сразу.',
    branchHead: 'Филиал', course: 'Сеанс курса процедур',
    needsConfirmation: 'После записи врач изучит вашу анкету и подтвердит визит. Мы сообщим, когда он подтвердит.',
    comment: 'Добавить комментарий для клиники', commentLabel: 'Комментарий', commentHint: 'Например, пожелания по процедуре',
    confirm: 'Записаться', confirmRegion: 'Подтверждение записи',
    notEligible: 'Онлайн-запись на эту процедуру недоступна',
    notEligibleHelp: 'Позвоните в клинику или запишитесь на консультацию — специалист подберёт подходящую процедуру.',
    toConsultation: 'Записаться на консультацию', noBranches: 'Эту услугу пока нельзя записать онлайн ни в одном филиале.',
  },
  en: {
    title: 'Book', chooseService: 'Choose a treatment',
    favorites: 'Favourites', recommended: 'Recommended for you', all: 'All services',
    notFound: 'There is no such service, or it cannot be booked online.', toList: 'Choose another service',
    aboutService: 'About the service', otherService: 'Another service',
    chooseBranch: 'Choose a branch — next time we will offer it straight away.',
    branchHead: 'Branch', course: 'A session of your course',
    needsConfirmation: 'After you book, the doctor reads your questionnaire and confirms the visit. We will let you know.',
    comment: 'Add a comment for the clinic', commentLabel: 'Comment', commentHint: 'For example, wishes about the procedure',
    confirm: 'Book', confirmRegion: 'Confirm the booking',
    notEligible: 'This treatment cannot be booked online',
    notEligibleHelp: 'Call the clinic or book a consultation — the specialist will find a treatment that suits you.',
    toConsultation: 'Book a consultation', noBranches: 'This service cannot be booked online at any branch yet.',
  },
});

// The order of categories in the list: from a first visit to procedures.
const CATEGORY_ORDER = ['consultation', 'cleansing', 'care', 'peel', 'massage', 'hardware', 'injection', 'laser'];

export async function render(ctx) {
  const id = ctx.query.get('service_id') || ctx.query.get('service') || '';
  const cat = await catalog();
  if (!id) return serviceList(ctx, cat);
  const service = cat.service.get(id);
  if (!service) {
    ctx.setTitle(t('title'));
    mount(ctx.main, h('h1', {}, t('title')), h('div', { class: 'alert info' }, t('notFound')),
      h('p', {}, h('a', { href: 'book' }, t('toList'))));
    return undefined;
  }
  return bookService(ctx, cat, service);
}

/** The services: favourites and recommendations first, then by category. */
async function serviceList(ctx, cat) {
  ctx.setTitle(t('title'));
  const [favs, recs] = await Promise.all([
    favoriteSet(),
    get('me/recommendations').then((r) => r.recommendations || []).catch((err) => { if (err.status === 401) throw err; return []; }),
  ]);
  const row = (s, why) => h('li', {}, h('a', { class: 'bk-svc', href: `book?service_id=${encodeURIComponent(s.id)}`, dataset: { service: s.id } },
    h('span', { class: 'bk-svc-name' }, s.name), h('span', { class: 'bk-svc-meta' }, serviceMeta(s)),
    why ? h('span', { class: 'bk-svc-why' }, why) : null));
  const fav = cat.services.filter((s) => favs.has(`service:${s.id}`));
  const rec = recs.filter((r) => r.kind === 'procedure' && cat.service.has(r.item_id)).slice(0, 3);
  const cats = [];
  for (const s of cat.services) if (!cats.includes(s.category)) cats.push(s.category);
  const rank = (c) => { const i = CATEGORY_ORDER.indexOf(c); return i < 0 ? CATEGORY_ORDER.length : i; };
  cats.sort((a, b) => rank(a) - rank(b));
  mount(ctx.main,
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('chooseService')),
    fav.length ? h('section', { class: 'bk-group' }, h('h2', {}, t('favorites')), h('ul', { class: 'bk-svcs' }, fav.map((s) => row(s)))) : null,
    rec.length ? h('section', { class: 'bk-group' }, h('h2', {}, t('recommended')),
      h('ul', { class: 'bk-svcs' }, rec.map((r) => row(cat.service.get(r.item_id), (r.reasons || [])[0])))) : null,
    h('section', { class: 'bk-group' }, h('h2', {}, t('all')),
      cats.map((c) => [h('h3', { class: 'bk-cat' }, categoryName(c)),
        h('ul', { class: 'bk-svcs' }, cat.services.filter((s) => s.category === c).map((s) => row(s)))])));
  return undefined;
}

/** Booking one service. */
async function bookService(ctx, cat, service) {
  ctx.setTitle(`${t('title')}: ${service.name}`);
  const planId = ctx.query.get('plan_id') || '';
  const wantSpecialist = ctx.query.get('specialist_id') || '';
  const offered = cat.branches.filter((b) => service.branch_ids.includes(b.id));
  const [preferred, mine] = await Promise.all([
    preferredBranch(ctx.session, cat),
    get('me/appointments', { status: 'upcoming' }).then((r) => (r.appointments || []).filter(isActive))
      .catch((err) => { if (err.status === 401) throw err; return []; }),
  ]);
  let branchId = ctx.query.get('branch_id') || preferred;
  if (!offered.some((b) => b.id === branchId)) branchId = offered.length === 1 ? offered[0].id : '';

  let alive = true;
  let picker = null;
  let key = '';
  let keyFor = '';
  let branchSeq = 0;

  const branchHead = h('h2', { id: uid('branch') }, t('branchHead'));
  const branchChips = h('div', { class: 'chips bk-branches', role: 'group', 'aria-labelledby': branchHead.id });
  const branchHint = h('p', { class: 'hint bk-branch-hint' });
  const pickerBox = h('div', { class: 'bk-picker-box' });
  const commentInput = h('textarea', { name: 'note', maxlength: 1000, rows: 3 });
  const commentId = uid('note');
  commentInput.id = commentId;
  commentInput.setAttribute('aria-describedby', `${commentId}-hint`);
  const comment = h('details', { class: 'bk-comment' }, h('summary', {}, t('comment')),
    h('div', { class: 'field' }, h('label', { for: commentId }, t('commentLabel')),
      h('p', { class: 'hint', id: `${commentId}-hint` }, t('commentHint')), commentInput));
  comment.hidden = true;

  const barWhen = h('p', { class: 'bk-confirm-when' });
  const barWho = h('p', { class: 'bk-confirm-who' });
  const barMsg = h('div', { class: 'bk-confirm-msg' });
  const confirmBtn = h('button', { type: 'button', class: 'bk-confirm-btn', dataset: { action: 'confirm' } }, t('confirm'));
  const bar = h('section', { class: 'bk-confirm', 'aria-label': t('confirmRegion'), hidden: true },
    barMsg, h('div', { class: 'bk-confirm-row' }, h('div', { class: 'bk-confirm-text' }, barWhen, barWho), confirmBtn));
  const problems = h('div', { class: 'bk-problems' });

  function onSelect(slot, e) {
    mount(barMsg);
    mount(problems);
    if (!slot) { bar.hidden = true; return; }
    const { when, who } = slotText(cat, slot, picker.tz);
    barWhen.textContent = when;
    barWho.textContent = [who, fmtMoney(service.price)].filter(Boolean).join(' · ');
    bar.hidden = false;
    if (e && e.detail === 0) confirmBtn.focus(); // chosen with the keyboard: go on to confirming
  }

  async function chooseBranch(id, first = false) {
    branchId = id;
    if (!first) rememberBranch(ctx.session, id);
    drawBranches();
    bar.hidden = true;
    mount(problems);
    const my = ++branchSeq;
    const r = await get('specialists', { branch_id: id, service_id: service.id });
    if (!alive || my !== branchSeq) return;
    const specialists = r.specialists || [];
    const next = slotPicker({
      cat, service, branchId: id, specialists,
      specialistId: specialists.some((s) => s.id === wantSpecialist) ? wantSpecialist : '',
      busy: mine, onSelect,
    });
    await next.load();
    if (!alive || my !== branchSeq) return; // another branch was chosen meanwhile
    picker = next;
    mount(pickerBox, picker.el);
    comment.hidden = false;
  }

  function drawBranches() {
    mount(branchChips, offered.map((b) => h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(b.id === branchId), dataset: { branch: b.id },
      onClick: () => { if (b.id !== branchId) loadingInto(pickerBox, () => chooseBranch(b.id)); },
    }, b.name)));
    const b = cat.branch.get(branchId);
    branchHint.textContent = b ? b.address : t('chooseBranch');
  }

  confirmBtn.addEventListener('click', () => busy(confirmBtn, async () => {
    const slot = picker && picker.selected();
    if (!slot) return;
    mount(barMsg);
    mount(problems);
    const body = {
      service_id: service.id, branch_id: branchId, start: slot.start,
      // "Any specialist": the clinic chooses again if the one shown is taken meanwhile.
      specialist_id: picker.specialistId() ? slot.specialist_id : undefined,
      note: commentInput.value.trim() || undefined,
      plan_id: planId || undefined,
    };
    const sig = JSON.stringify(body);
    if (sig !== keyFor) { key = newKey(); keyFor = sig; } // the same booking retried keeps its key
    try {
      const a = await book(body, key);
      rememberBranch(ctx.session, branchId);
      if (alive) ctx.navigate(`appointments/${encodeURIComponent(a.id)}?booked=1`, { replace: true });
    } catch (err) {
      if (!alive || err.status === 401) return;
      if (err.status === 409 && err.code === 'slot_taken') {
        bar.hidden = true;
        await picker.showTaken(err);
      } else if (err.code === 'not_eligible') {
        // The questionnaire rules the procedure out: no time will do.
        for (const el of [branchSection, pickerBox, comment, bar]) el.hidden = true;
        const consult = cat.services.find((s) => s.category === 'consultation' && s.id !== service.id);
        mount(problems, h('div', { class: 'alert bk-not-eligible', role: 'alert' },
          h('p', { class: 'bk-alert-title' }, t('notEligible')),
          h('p', { class: 'bk-reason' }, reasonOf(err)),
          h('p', {}, t('notEligibleHelp')),
          h('div', { class: 'actions' },
            consult ? h('a', { class: 'button', href: `book?service_id=${encodeURIComponent(consult.id)}` }, t('toConsultation')) : null,
            h('a', { class: 'button secondary', href: 'book' }, t('otherService')))));
        ctx.main.querySelector('h1')?.scrollIntoView({ block: 'start' });
      } else {
        mount(barMsg, errorBox(err));
      }
    }
  }));

  const head = h('div', { class: 'bk-svc-head' },
    h('h1', {}, service.name),
    h('p', { class: 'bk-svc-meta' }, serviceMeta(service)),
    planId ? h('p', {}, h('span', { class: 'badge ok' }, t('course'))) : null,
    service.needs_confirmation ? h('p', { class: 'notice bk-needs-confirmation' }, t('needsConfirmation')) : null,
    h('p', { class: 'bk-svc-links' },
      h('a', { href: `services/${encodeURIComponent(service.id)}` }, t('aboutService')), ' · ',
      h('a', { href: 'book' }, t('otherService'))));

  if (!offered.length) {
    mount(ctx.main, head, h('div', { class: 'alert info' }, t('noBranches')));
    return () => { alive = false; };
  }
  const branchSection = h('section', { class: 'bk-section' }, branchHead, branchChips, branchHint);
  drawBranches();
  if (branchId) await chooseBranch(branchId, true);
  mount(ctx.main, head, branchSection, problems, pickerBox, comment, bar);
  return () => { alive = false; };
}

/**
 * Why the procedure cannot be booked: the 422's reason without the
 * sentence the message already says ("Нельзя записать онлайн: <why>").
 */
function reasonOf(err) {
  const reason = err.body?.error?.reason || '';
  if (!reason) return err.message;
  const said = (err.message || '').replace(/[.!]\s*$/, '');
  return said && reason.startsWith(`${said}: `) ? reason.slice(said.length + 2) : reason;
}

/** Runs fn with a loading line in el; an error stays in el with a retry. */
async function loadingInto(el, fn) {
  mount(el, h('p', { class: 'loading', role: 'status' }, tb('loading')));
  try {
    await fn();
  } catch (err) {
    if (err && err.status === 401) return;
    mount(el, errorBox(err), h('button', { type: 'button', class: 'secondary', onClick: () => loadingInto(el, fn) }, tb('retry')));
  }
}
