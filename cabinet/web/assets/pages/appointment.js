// One appointment: when (in the branch's zone), who, where, the price and
// the status; add to calendar; reschedule (the same specialist by default,
// or any) and cancel, until the online cut-off, which is explained. It is
// also the confirmation after booking (?booked=1) and opens the rescheduling
// at once from other pages (?move=1).

import { get, patch } from '../api.js';
import { dict, fmtMoney } from '../i18n.js';
import { h, mount, busy, errorBox } from '../dom.js';
import {
  tb, catalog, serviceName, apptFacts, apptActions, canChange, isUpcoming, slotPicker, slotText, isActive,
} from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Запись', booked: 'Вы записаны', bookedPending: 'Заявка отправлена',
    bookedText: 'Мы пришлём напоминание накануне визита.',
    bookedPendingText: 'Врач изучит вашу анкету и подтвердит визит. Мы сообщим, когда он подтвердит.',
    moved: 'Запись перенесена', movedText: 'Новое время — ниже. Напоминание придёт накануне.',
    cancelledBanner: 'Запись отменена',
    moveHead: 'Перенести запись', moveTo: 'Перенести', moveRegion: 'Подтверждение переноса', moveCancel: 'Не переносить',
    sameSpecialist: ({ name }) => `${name} (как сейчас)`,
    note: 'Ваш комментарий', cancelReason: 'Причина отмены', price: 'Стоимость',
    bookAgain: 'Записаться снова', allVisits: 'Все визиты', toHome: 'На главную', review: 'Оставить отзыв',
    notFound: 'Такой записи нет.', phone: 'Телефон филиала',
  },
  en: {
    title: 'Visit', booked: 'You are booked', bookedPending: 'Request sent',
    bookedText: 'We will send you a reminder the day before the visit.',
    bookedPendingText: 'The doctor will read your questionnaire and confirm the visit. We will let you know.',
    moved: 'The visit is rescheduled', movedText: 'The new time is below. A reminder comes the day before.',
    cancelledBanner: 'The visit is cancelled',
    moveHead: 'Reschedule the visit', moveTo: 'Reschedule', moveRegion: 'Confirm the new time', moveCancel: 'Keep the time',
    sameSpecialist: ({ name }) => `${name} (as now)`,
    note: 'Your comment', cancelReason: 'Why it was cancelled', price: 'Price',
    bookAgain: 'Book again', allVisits: 'All visits', toHome: 'Home', review: 'Write a review',
    notFound: 'There is no such visit.', phone: 'Branch phone',
  },
});

export async function render(ctx) {
  const id = ctx.params.id;
  const [cat, first] = await Promise.all([catalog(), get(`me/appointments/${encodeURIComponent(id)}`).catch((err) => {
    if (err.status === 404) return null;
    throw err;
  })]);
  if (!first) {
    ctx.setTitle(t('title'));
    mount(ctx.main, h('h1', {}, t('title')), h('div', { class: 'alert info' }, t('notFound')), h('p', {}, h('a', { href: 'appointments' }, t('allVisits'))));
    return undefined;
  }
  let alive = true;
  let a = first;
  let banner = ctx.query.get('booked') ? 'booked' : '';

  async function draw(openMove) {
    const name = serviceName(cat, a.service_id);
    ctx.setTitle(name);
    const branch = cat.branch.get(a.branch_id);
    const moveBox = h('div', { class: 'bk-move', hidden: true });
    let bannerEl = null;
    if (banner === 'booked') {
      const pending = a.status === 'pending';
      bannerEl = h('div', { class: 'alert ok bk-banner', role: 'status', dataset: { banner: 'booked' } },
        h('p', { class: 'bk-alert-title' }, pending ? t('bookedPending') : t('booked')),
        h('p', {}, pending ? t('bookedPendingText') : t('bookedText')));
    } else if (banner === 'moved') {
      bannerEl = h('div', { class: 'alert ok bk-banner', role: 'status', dataset: { banner: 'moved' } },
        h('p', { class: 'bk-alert-title' }, t('moved')), h('p', {}, t('movedText')));
    } else if (banner === 'cancelled') {
      bannerEl = h('div', { class: 'alert info bk-banner', role: 'status', dataset: { banner: 'cancelled' } },
        h('p', { class: 'bk-alert-title' }, t('cancelledBanner')));
    }
    const facts = h('div', { class: 'card bk-appt', dataset: { appointment: a.id, status: a.status } },
      apptFacts(a, cat, { heading: null, linkTo: false }),
      h('dl', { class: 'bk-dl' },
        h('dt', {}, t('price')), h('dd', {}, fmtMoney(a.price)),
        a.note ? [h('dt', {}, t('note')), h('dd', {}, a.note)] : null,
        a.cancel_reason ? [h('dt', {}, t('cancelReason')), h('dd', {}, a.cancel_reason)] : null,
        branch && branch.phone ? [h('dt', {}, t('phone')), h('dd', {}, h('a', { href: `tel:${branch.phone.replace(/[^\d+]/g, '')}` }, branch.phone))] : null),
      isUpcoming(a) ? apptActions(a, cat, {
        onMove: () => openMover(moveBox),
        onCancelled: (updated) => { a = updated; banner = 'cancelled'; draw(); },
      }) : null);
    const more = h('div', { class: 'actions' },
      !isUpcoming(a) && cat.service.has(a.service_id)
        ? h('a', { class: 'button secondary', href: `book?service_id=${encodeURIComponent(a.service_id)}&branch_id=${encodeURIComponent(a.branch_id)}` }, t('bookAgain')) : null,
      a.status === 'completed' ? h('a', { class: 'button secondary', href: 'reviews' }, t('review')) : null,
      h('a', { class: 'button secondary', href: 'appointments' }, t('allVisits')));
    mount(ctx.main, bannerEl, h('h1', {}, name), facts, moveBox, more);
    if (openMove && canChange(a)) await openMover(moveBox);
  }

  /** The rescheduling: the same specialist by default, or any; the same service and branch. */
  async function openMover(box) {
    if (!box.hidden && box.childElementCount) { box.scrollIntoView({ block: 'start' }); return; }
    box.hidden = false;
    mount(box, h('p', { class: 'loading', role: 'status' }, tb('loading')));
    const service = cat.service.get(a.service_id) || { id: a.service_id, name: serviceName(cat, a.service_id), price: a.price };
    let picker;
    const when = h('p', { class: 'bk-confirm-when' });
    const who = h('p', { class: 'bk-confirm-who' });
    const msg = h('div', { class: 'bk-confirm-msg' });
    const go = h('button', { type: 'button', class: 'bk-confirm-btn', dataset: { action: 'move-confirm' } }, t('moveTo'));
    const bar = h('section', { class: 'bk-confirm', 'aria-label': t('moveRegion'), hidden: true },
      msg, h('div', { class: 'bk-confirm-row' }, h('div', { class: 'bk-confirm-text' }, when, who), go));
    try {
      const [specs, mine] = await Promise.all([
        get('specialists', { branch_id: a.branch_id, service_id: a.service_id }),
        get('me/appointments', { status: 'upcoming' }).then((r) => (r.appointments || []).filter((x) => isActive(x) && x.id !== a.id)),
      ]);
      if (!alive) return;
      const current = (specs.specialists || []).find((s) => s.id === a.specialist_id);
      const others = (specs.specialists || []).filter((s) => s.id !== a.specialist_id);
      picker = slotPicker({
        cat, service, branchId: a.branch_id,
        specialists: current ? [current, ...others] : others,
        labelOf: (s) => (s.id === a.specialist_id ? t('sameSpecialist', { name: s.name }) : s.name),
        specialistId: current ? current.id : '',
        anyIndex: current ? 1 : 0, // the current specialist first, then any
        busy: mine,
        level: 3,
        onSelect: (slot, e) => {
          mount(msg);
          if (!slot) { bar.hidden = true; return; }
          const x = slotText(cat, slot, picker.tz);
          when.textContent = x.when;
          who.textContent = x.who;
          bar.hidden = false;
          if (e && e.detail === 0) go.focus();
        },
      });
      await picker.load();
    } catch (err) {
      if (err.status === 401) return;
      mount(box, errorBox(err));
      return;
    }
    if (!alive) return;
    mount(box, h('h2', {}, t('moveHead')), picker.el, bar,
      h('p', {}, h('button', { type: 'button', class: 'link', onClick: () => { box.hidden = true; mount(box); } }, t('moveCancel'))));
    box.scrollIntoView({ block: 'start' });

    go.addEventListener('click', () => busy(go, async () => {
      const slot = picker.selected();
      if (!slot) return;
      mount(msg);
      try {
        a = await patch(`me/appointments/${encodeURIComponent(a.id)}`, { start: slot.start, specialist_id: slot.specialist_id });
        if (!alive) return;
        banner = 'moved';
        await draw();
        ctx.main.querySelector('.bk-banner')?.scrollIntoView({ block: 'start' });
      } catch (err) {
        if (!alive || err.status === 401) return;
        if (err.status === 409 && err.code === 'slot_taken') { bar.hidden = true; await picker.showTaken(err); } else mount(msg, errorBox(err));
      }
    }));
  }

  await draw(ctx.query.get('move') === '1');
  return () => { alive = false; };
}
