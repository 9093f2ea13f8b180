// The skin journal: a chart per concern over time, drawn by the project as
// inline SVG — the client's own scores and the specialists' kept apart as
// two lines — with the numbers in a table; a form to score the skin today
// (health data: the consent is asked in place); the entries, newest first.

import { get, post } from '../api.js';
import { dict, fmtCalendarDate } from '../i18n.js';
import { h, mount, field, errorBox, busy, toast, link, uid } from '../dom.js';
import { t as ct, CONCERNS, label, consents, consentPanel, concernChart, backLink, today } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Динамика кожи',
    intro: 'Оценивайте кожу раз в неделю или после процедур: 0 — проблемы нет, 10 — сильно выражена. Оценки специалистов показаны отдельно.',
    charts: 'Графики', noCharts: 'Оценок пока нет. Добавьте первую запись — и здесь появится график.',
    add: 'Новая запись', date: 'Дата', scores: 'Оценки от 0 до 10', scoresHint: 'Заполните только то, что хотите оценить',
    more: 'Другие проблемы', notScored: '—', none0: '0 — нет', worst10: '10 — сильно',
    notes: 'Заметки', notesHint: 'Как кожа реагирует, что изменилось в уходе',
    save: 'Добавить запись', added: 'Запись добавлена', needScore: 'Поставьте хотя бы одну оценку или напишите заметку.',
    entries: 'Записи', noEntries: 'Записей пока нет.',
    self: 'Моя оценка', staff: 'Оценка специалиста', showAll: 'Показать все записи',
    report: 'Фотоотчёт за период', photos: 'Фото',
  },
  en: {
    title: 'Skin dynamics',
    intro: 'Score your skin once a week or after procedures: 0 means no problem, 10 means marked. Specialists’ scores are shown apart.',
    charts: 'Charts', noCharts: 'No scores yet. Add the first entry and a chart will appear here.',
    add: 'New entry', date: 'Date', scores: 'Scores from 0 to 10', scoresHint: 'Fill in only what you want to score',
    more: 'Other concerns', notScored: '—', none0: '0 — none', worst10: '10 — marked',
    notes: 'Notes', notesHint: 'How the skin reacts, what changed in your care',
    save: 'Add the entry', added: 'Entry added', needScore: 'Give at least one score or write a note.',
    entries: 'Entries', noEntries: 'No entries yet.',
    self: 'My score', staff: 'Specialist’s score', showAll: 'Show all entries',
    report: 'Photo report for a period', photos: 'Photos',
  },
});

const SHOWN = 10;

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [trend, journal, profile, cons] = await Promise.all([get('me/skin/trend'), get('me/skin/journal'), get('me/profile'), consents()]);
  let concerns = trend.concerns || [];
  let entries = journal.entries || [];
  let showAll = false;

  const chartsBody = h('div', { class: 'kc-charts' });
  const drawCharts = () => {
    mount(chartsBody, concerns.length ? concerns.map((c) => concernChart(c)) : h('p', { class: 'notice' }, t('noCharts')));
  };

  const entriesBody = h('div', {});
  const drawEntries = () => {
    if (!entries.length) { mount(entriesBody, h('p', { class: 'muted' }, t('noEntries'))); return; }
    const shown = showAll ? entries : entries.slice(0, SHOWN);
    mount(entriesBody, h('ul', { class: 'list kc-entries' }, shown.map((e) => h('li', { dataset: { kind: e.kind } },
      h('div', { class: 'row' }, h('strong', {}, fmtCalendarDate(e.date)),
        h('span', { class: e.kind === 'assessment' ? 'badge warn' : 'badge' }, e.kind === 'assessment' ? t('staff') : t('self'))),
      Object.keys(e.scores || {}).length ? h('ul', { class: 'kc-scores' },
        CONCERNS.filter((c) => c in e.scores).concat(Object.keys(e.scores).filter((c) => !CONCERNS.includes(c)))
          .map((c) => h('li', {}, label(c), ' ', h('b', {}, String(e.scores[c]))))) : null,
      e.notes ? h('p', { class: 'kc-notes' }, e.notes) : null,
      (e.photo_ids || []).length ? h('p', { class: 'hint' }, `${t('photos')}: ${e.photo_ids.length}`) : null))),
    !showAll && entries.length > SHOWN ? h('button', { type: 'button', class: 'secondary', onClick: () => { showAll = true; drawEntries(); } }, t('showAll')) : null);
  };

  // The form: the client's concerns first, the others folded.
  const mine = (profile.concerns || []).map((c) => c.code).filter((c) => CONCERNS.includes(c));
  const first = mine.length ? mine : CONCERNS;
  const others = CONCERNS.filter((c) => !first.includes(c));
  const scoreSelects = {};
  const scoreField = (code) => {
    const sel = h('select', { name: `score-${code}`, id: uid('score'), dataset: { concern: code } },
      h('option', { value: '' }, t('notScored')),
      Array.from({ length: 11 }, (_, n) => h('option', { value: String(n) }, n === 0 ? t('none0') : n === 10 ? t('worst10') : String(n))));
    scoreSelects[code] = sel;
    return h('div', { class: 'kc-score' }, h('label', { for: sel.id }, label(code)), sel);
  };
  const dateIn = h('input', { type: 'date', name: 'date', required: true, value: today(), max: today(), min: '1990-01-01' });
  const notesIn = h('textarea', { name: 'notes', rows: 3, maxlength: 4000 });
  const formStatus = h('div', { class: 'kc-status', role: 'status', 'aria-live': 'polite' });
  const saveButton = h('button', { type: 'submit' }, t('save'));
  const form = h('form', { class: 'kc-journal-form', novalidate: true },
    field({ label: t('date'), input: dateIn }),
    h('fieldset', { dataset: { field: 'scores' } },
      h('legend', {}, t('scores')), h('p', { class: 'hint' }, t('scoresHint')),
      h('div', { class: 'kc-score-grid' }, first.map(scoreField)),
      others.length ? h('details', { class: 'kc-more' }, h('summary', {}, t('more')), h('div', { class: 'kc-score-grid' }, others.map(scoreField))) : null),
    field({ label: t('notes'), input: notesIn, hint: t('notesHint') }),
    formStatus,
    h('div', { class: 'actions' }, saveButton));

  let pending = false;
  async function save() {
    formStatus.replaceChildren();
    const scores = {};
    for (const [code, sel] of Object.entries(scoreSelects)) if (sel.value !== '') scores[code] = Number(sel.value);
    const notes = notesIn.value.trim();
    if (!Object.keys(scores).length && !notes) { mount(formStatus, h('div', { class: 'alert error', role: 'alert' }, t('needScore'))); return; }
    const body = { date: dateIn.value, scores };
    if (notes) body.notes = notes;
    try {
      await post('me/skin/journal', body);
    } catch (err) {
      if (err.status === 403 && err.code === 'consent_required') { pending = true; askConsent(); return; }
      mount(formStatus, errorBox(err));
      return;
    }
    Object.values(scoreSelects).forEach((sel) => { sel.value = ''; });
    notesIn.value = '';
    toast(t('added'));
    mount(formStatus, h('div', { class: 'alert ok' }, t('added')));
    const [tr, jr] = await Promise.all([get('me/skin/trend'), get('me/skin/journal')]);
    concerns = tr.concerns || [];
    entries = jr.entries || [];
    drawCharts();
    drawEntries();
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); busy(saveButton, save); });

  const addBody = h('div', {});
  function askConsent() {
    mount(addBody, consentPanel('health_data', async () => {
      toast(ct('consentGiven'));
      mount(addBody, form);
      if (pending) { pending = false; await busy(saveButton, save); } else dateIn.focus();
    }, { headingLevel: 'h3' }));
  }
  if (cons.health_data?.granted) mount(addBody, form); else askConsent();

  drawCharts();
  drawEntries();
  mount(ctx.main, backLink(),
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro')),
    h('section', { class: 'kc-section', 'aria-labelledby': 'j-charts' }, h('div', { class: 'row' }, h('h2', { id: 'j-charts' }, t('charts')), link('report', t('report'))), chartsBody),
    h('section', { class: 'card kc-section', 'aria-labelledby': 'j-add' }, h('h2', { id: 'j-add' }, t('add')), addBody),
    h('section', { class: 'kc-section', 'aria-labelledby': 'j-entries' }, h('h2', { id: 'j-entries' }, t('entries')), entriesBody));
  return undefined;
}
