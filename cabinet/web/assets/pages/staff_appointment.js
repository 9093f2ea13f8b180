// One appointment for staff: when, what, with whom, the client's and the
// staff's notes, its history — and what the member of staff may do with it
// now (the API says which): confirm it; once it has started, mark the visit
// done with a note and recommendations for the client (a procedure, a
// product, home care) and a note for colleagues, or mark that the client
// did not come; cancel it (the front desk); rewrite the note after the
// visit.

import { get, post, put } from '../api.js';
import { dict, fmtDateTime, fmtMoney, isoDay } from '../i18n.js';
import { h, mount, field, showFieldError, clearErrors, errorBox, busy, toast, link } from '../dom.js';
import { st, statusBadge, timeRange, dayTitle, notFoundView, services, products } from '../staff-lib.js';

const t = dict({
  ru: {
    kicker: 'Запись', when: 'Когда', price: 'Стоимость', clientNote: 'Комментарий клиента', staffNotes: 'Служебная заметка',
    history: 'История', created: 'создана', moved: ({ from }) => `перенесена (было ${from})`,
    complete: 'Завершить визит', completeIntro: 'Заметку и рекомендации клиент увидит в истории визитов в личном кабинете.',
    notes: 'Заметка для клиента: что сделано', notesHint: 'Например, «Проведён миндальный пилинг, реакция кожи спокойная».',
    staffNotesField: 'Служебная заметка', staffNotesHint: 'Видят только сотрудники клиники.',
    done: 'Визит состоялся', noShow: 'Клиент не пришёл', noShowConfirm: 'Отметить, что клиент не пришёл?',
    confirmNoShow: 'Да, не пришёл', confirm: 'Подтвердить запись',
    cancelTitle: 'Отменить запись', reason: 'Причина отмены', reasonHint: 'Клиент получит сообщение об отмене.', cancelDo: 'Отменить запись',
    noteTitle: 'Заметка и рекомендации после визита', noteSave: 'Сохранить для клиента',
    recs: 'Рекомендации', addRec: 'Добавить рекомендацию', removeRec: ({ n }) => `Убрать рекомендацию ${n}`, remove: 'Убрать',
    recKind: ({ n }) => `Рекомендация ${n}: вид`, recItemService: ({ n }) => `Рекомендация ${n}: процедура`,
    recItemProduct: ({ n }) => `Рекомендация ${n}: средство`, recText: ({ n }) => `Рекомендация ${n}: текст`,
    kind_home_care: 'Домашний уход', kind_procedure: 'Процедура', kind_product: 'Средство', noItem: '— не выбрано —',
    recNeeds: 'Напишите рекомендацию или выберите процедуру или средство',
    markedDone: 'Визит отмечен. Заметка сохранена.', markedNoShow: 'Отмечено: клиент не пришёл.', confirmed: 'Запись подтверждена.',
    cancelled: 'Запись отменена.', noteSaved: 'Заметка сохранена.', nothingToDo: 'Отметить визит можно после его начала.',
    clientHidden: 'Клиент другого специалиста',
  },
  en: {
    kicker: 'Appointment', when: 'When', price: 'Price', clientNote: "Client's comment", staffNotes: 'Staff note',
    history: 'History', created: 'booked', moved: ({ from }) => `moved (was ${from})`,
    complete: 'Finish the visit', completeIntro: 'The client sees the note and recommendations in their visit history.',
    notes: 'Note for the client: what was done', notesHint: 'For example, "Almond peel done, the skin reacted calmly".',
    staffNotesField: 'Staff note', staffNotesHint: "Only the clinic's staff see it.",
    done: 'The visit took place', noShow: 'Did not come', noShowConfirm: 'Mark that the client did not come?',
    confirmNoShow: 'Yes, did not come', confirm: 'Confirm the appointment',
    cancelTitle: 'Cancel the appointment', reason: 'Reason', reasonHint: 'The client is told it is cancelled.', cancelDo: 'Cancel the appointment',
    noteTitle: 'Note and recommendations after the visit', noteSave: 'Save for the client',
    recs: 'Recommendations', addRec: 'Add a recommendation', removeRec: ({ n }) => `Remove recommendation ${n}`, remove: 'Remove',
    recKind: ({ n }) => `Recommendation ${n}: kind`, recItemService: ({ n }) => `Recommendation ${n}: procedure`,
    recItemProduct: ({ n }) => `Recommendation ${n}: product`, recText: ({ n }) => `Recommendation ${n}: text`,
    kind_home_care: 'Home care', kind_procedure: 'Procedure', kind_product: 'Product', noItem: '— none —',
    recNeeds: 'Write the recommendation or choose a procedure or a product',
    markedDone: 'The visit is marked done. The note is saved.', markedNoShow: 'Marked: the client did not come.', confirmed: 'The appointment is confirmed.',
    cancelled: 'The appointment is cancelled.', noteSaved: 'The note is saved.', nothingToDo: 'The visit can be marked once it has started.',
    clientHidden: "Another specialist's client",
  },
});

export async function render(ctx) {
  const id = ctx.params.id;
  let d;
  try {
    d = await get(`staff/appointments/${encodeURIComponent(id)}/details`);
  } catch (err) {
    if (err.status === 404) { notFoundView(ctx); return undefined; }
    throw err;
  }
  const a = d.appointment;
  const tz = d.time_zone;
  const path = `staff/appointments/${encodeURIComponent(id)}`;
  const again = (message) => { ctx.navigate(path, { replace: true }); if (message) toast(message); };
  ctx.setTitle(`${a.service_name}, ${dayTitle(isoDay(a.start, tz), 'short')}`);

  const client = a.client_id
    ? (d.may.open_client ? link(`staff/clients/${encodeURIComponent(a.client_id)}`, a.client_name || st('noName')) : h('span', { class: 'muted' }, t('clientHidden')))
    : null;
  const rows = [
    [t('when'), `${dayTitle(isoDay(a.start, tz))}, ${timeRange(a, tz)}`],
    [st('client'), client],
    [st('specialist'), a.specialist_name],
    [st('branch'), a.branch_name],
    [t('price'), fmtMoney(a.price)],
    a.note ? [t('clientNote'), a.note] : null,
    a.staff_notes ? [t('staffNotes'), a.staff_notes] : null,
  ].filter(Boolean);

  const needRecs = d.may.complete || d.may.write_note;
  const [svcList, prodList] = needRecs ? await Promise.all([services(), products().catch(() => [])]) : [[], []];

  mount(ctx.main,
    h('div', { class: 'staff-head' },
      h('p', { class: 'muted staff-kicker' }, t('kicker')),
      h('h1', {}, a.service_name),
      h('p', {}, statusBadge(a.status))),
    h('div', { class: 'staff-appointment-grid' },
      h('div', {},
        h('dl', { class: 'staff-dl card' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        d.visit_note && !d.may.write_note ? noteView(d.visit_note) : null,
        history(d.history, tz)),
      h('div', { class: 'staff-actions' },
        d.may.confirm ? simpleAction(t('confirm'), () => post(`${path}/confirm`), () => again(t('confirmed'))) : null,
        d.may.complete ? completeForm(path, svcList, prodList, again) : null,
        !d.may.complete && !d.may.write_note && ['pending', 'confirmed'].includes(a.status) && !d.may.no_show && !d.may.cancel
          ? h('p', { class: 'notice' }, t('nothingToDo')) : null,
        d.may.no_show ? noShow(path, again) : null,
        d.may.write_note ? noteForm(path, d.visit_note, svcList, prodList, again) : null,
        d.may.cancel ? cancelForm(path, again) : null)));
  return undefined;
}

function simpleAction(label, call, after) {
  const box = h('div', { class: 'actions' });
  const button = h('button', { type: 'button' }, label);
  button.addEventListener('click', () => busy(button, async () => {
    box.querySelector('.alert')?.remove();
    try { await call(); after(); } catch (err) { box.append(errorBox(err)); }
  }));
  box.prepend(button);
  return box;
}

function noShow(path, again) {
  const box = h('div', { class: 'staff-noshow' });
  const ask = h('button', { type: 'button', class: 'danger' }, t('noShow'));
  const yes = h('button', { type: 'button', class: 'danger' }, t('confirmNoShow'));
  const no = h('button', { type: 'button', class: 'secondary' }, t('cancel'));
  const confirmBox = h('div', { class: 'card staff-confirm', role: 'group', 'aria-label': t('noShowConfirm'), hidden: true },
    h('p', {}, t('noShowConfirm')), h('div', { class: 'actions' }, yes, no));
  ask.addEventListener('click', () => { confirmBox.hidden = false; ask.hidden = true; yes.focus(); });
  no.addEventListener('click', () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); });
  yes.addEventListener('click', () => busy(yes, async () => {
    confirmBox.querySelector('.alert')?.remove();
    try { await post(`${path}/no-show`); again(t('markedNoShow')); } catch (err) { confirmBox.append(errorBox(err)); }
  }));
  box.append(h('div', { class: 'actions' }, ask), confirmBox);
  return box;
}

function cancelForm(path, again) {
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, autocomplete: 'off' });
  const button = h('button', { type: 'submit', class: 'danger' }, t('cancelDo'));
  const form = h('form', { class: 'card staff-cancel', novalidate: true },
    h('h2', {}, t('cancelTitle')), field({ label: t('reason'), input: reason, hint: t('reasonHint') }), h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    busy(button, async () => {
      try { await post(`${path}/cancel`, { reason: reason.value.trim() }); again(t('cancelled')); } catch (err) { formError(form, err); }
    });
  });
  return form;
}

function formError(form, err) {
  if (showFieldError(form, err)) return;
  form.append(Object.assign(errorBox(err), { className: 'alert error form-error' }));
}

/** The recommendations editor: rows of kind, item and text. */
function recEditor(initial, svcList, prodList) {
  const list = h('ol', { class: 'staff-recs-edit' });
  const add = h('button', { type: 'button', class: 'secondary' }, t('addRec'));
  const box = h('fieldset', { class: 'staff-recs-box' }, h('legend', {}, t('recs')), list, h('div', { class: 'actions' }, add));

  function renumber() {
    [...list.children].forEach((li, i) => {
      const n = i + 1;
      const [kind, item, text] = [li.querySelector('select.rec-kind'), li.querySelector('select.rec-item'), li.querySelector('input.rec-text')];
      kind.name = `recommendations[${i}].kind`; item.name = `recommendations[${i}].item_id`; text.name = `recommendations[${i}].text`;
      li.querySelectorAll('.field').forEach((f) => { f.dataset.field = f.querySelector('select,input').name; });
      li.querySelector('label.rec-kind-l').textContent = t('recKind', { n });
      li.querySelector('label.rec-item-l').textContent = kind.value === 'product' ? t('recItemProduct', { n }) : t('recItemService', { n });
      li.querySelector('label.rec-text-l').textContent = t('recText', { n });
      li.querySelector('button.rec-remove').setAttribute('aria-label', t('removeRec', { n }));
    });
  }

  function row(r = { kind: 'home_care', item_id: '', text: '' }) {
    const kind = h('select', { class: 'rec-kind' }, ['home_care', 'procedure', 'product'].map((k) => h('option', { value: k, selected: r.kind === k }, t(`kind_${k}`))));
    const item = h('select', { class: 'rec-item' });
    const text = h('input', { type: 'text', class: 'rec-text', maxlength: 500, value: r.text || '' });
    const fill = () => {
      const opts = kind.value === 'procedure' ? svcList.map((s) => [s.id, s.name]) : prodList.map((p) => [p.id, `${p.brand} ${p.name}`.trim()]);
      item.replaceChildren(h('option', { value: '' }, t('noItem')), opts.map(([v, l]) => h('option', { value: v, selected: v === r.item_id }, l)));
      itemField.hidden = kind.value === 'home_care';
      renumber();
    };
    const f1 = field({ label: '', input: kind }); f1.querySelector('label').classList.add('rec-kind-l');
    const itemField = field({ label: '', input: item }); itemField.querySelector('label').classList.add('rec-item-l');
    const f3 = field({ label: '', input: text }); f3.querySelector('label').classList.add('rec-text-l');
    const remove = h('button', { type: 'button', class: 'link rec-remove' }, t('remove'));
    const li = h('li', { class: 'staff-rec-row' }, f1, itemField, f3, remove);
    remove.addEventListener('click', () => { li.remove(); renumber(); add.focus(); });
    kind.addEventListener('change', fill);
    list.append(li);
    fill();
    return li;
  }
  add.addEventListener('click', () => { row().querySelector('select').focus(); });
  (initial || []).forEach((r) => row(r));
  return {
    el: box,
    value() {
      return [...list.children].map((li) => {
        const kind = li.querySelector('select.rec-kind').value;
        const r = { kind, text: li.querySelector('input.rec-text').value.trim() };
        const item = li.querySelector('select.rec-item').value;
        if (kind !== 'home_care' && item) r.item_id = item;
        return r;
      });
    },
    check(form) {
      const bad = this.value().findIndex((r) => !r.text && !r.item_id);
      if (bad < 0) return true;
      showFieldError(form, { field: `recommendations[${bad}].text`, message: t('recNeeds') });
      return false;
    },
  };
}

function completeForm(path, svcList, prodList, again) {
  const notes = h('textarea', { name: 'notes', maxlength: 4000, rows: 4 });
  const staffNotes = h('textarea', { name: 'staff_notes', maxlength: 10000, rows: 3 });
  const recs = recEditor([], svcList, prodList);
  const button = h('button', { type: 'submit' }, t('done'));
  const form = h('form', { class: 'card staff-complete', novalidate: true, 'aria-labelledby': 'complete-h' },
    h('h2', { id: 'complete-h' }, t('complete')),
    h('p', { class: 'hint' }, t('completeIntro')),
    field({ label: t('notes'), input: notes, hint: t('notesHint') }),
    recs.el,
    field({ label: t('staffNotesField'), input: staffNotes, hint: t('staffNotesHint') }),
    h('div', { class: 'actions' }, button));
  let completed = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!recs.check(form)) return;
    busy(button, async () => {
      try {
        if (!completed) {
          await post(`${path}/complete`, { notes: staffNotes.value.trim() });
          completed = true;
        }
        const list = recs.value();
        if (notes.value.trim() || list.length) await put(`${path}/visit-note`, { notes: notes.value.trim(), recommendations: list });
        again(t('markedDone'));
      } catch (err) {
        formError(form, err);
      }
    });
  });
  return form;
}

function noteForm(path, note, svcList, prodList, again) {
  const notes = h('textarea', { name: 'notes', maxlength: 4000, rows: 4 });
  notes.value = note?.notes || '';
  const recs = recEditor(note?.recommendations || [], svcList, prodList);
  const button = h('button', { type: 'submit' }, t('noteSave'));
  const form = h('form', { class: 'card staff-note', novalidate: true, 'aria-labelledby': 'note-h' },
    h('h2', { id: 'note-h' }, t('noteTitle')),
    h('p', { class: 'hint' }, t('completeIntro')),
    field({ label: t('notes'), input: notes, hint: t('notesHint') }),
    recs.el,
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!recs.check(form)) return;
    busy(button, async () => {
      try {
        await put(`${path}/visit-note`, { notes: notes.value.trim(), recommendations: recs.value() });
        again(t('noteSaved'));
      } catch (err) {
        formError(form, err);
      }
    });
  });
  return form;
}

function noteView(note) {
  return h('section', { class: 'card staff-note-view', 'aria-labelledby': 'nv-h' },
    h('h2', { id: 'nv-h' }, t('noteTitle')),
    note.notes ? h('p', {}, note.notes) : null,
    note.recommendations.length ? h('ul', { class: 'staff-recs' }, note.recommendations.map((r) => h('li', {},
      h('span', { class: 'badge' }, t(`kind_${r.kind}`)), ' ', [r.name, r.text].filter(Boolean).join(' — ')))) : null);
}

function history(list, tz) {
  if (!list.length) return null;
  return h('section', { class: 'staff-history', 'aria-labelledby': 'hist-h' },
    h('h2', { id: 'hist-h' }, t('history')),
    h('ol', { class: 'list' }, list.map((x) => {
      let what = x.from === x.to && x.old_start ? t('moved', { from: fmtDateTime(x.old_start, tz) }) : st(`status_${x.to}`);
      if (!x.from) what = `${t('created')}: ${st(`status_${x.to}`)}`;
      return h('li', {}, h('span', { class: 'muted' }, fmtDateTime(x.at, tz)), ' — ', what, x.reason ? ` («${x.reason}»)` : '');
    })));
}
