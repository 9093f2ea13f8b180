// The photo report: pick a period or a course, then one document with the
// before / after pairs by area, the score charts with their numbers and
// the specialists' notes. Print styles (css/card.css, @media print) leave
// the document alone on the page, so the browser's "Save as PDF" gives a
// clean file; the print button opens that dialog.

import { get } from '../api.js';
import { dict, fmtCalendarDate, fmtDate, fmtDateTime, addDays } from '../i18n.js';
import { h, mount, field, errorBox, uid } from '../dom.js';
import { label, concernChart, photoImg, backLink, today } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Фотоотчёт',
    intro: 'Выберите период или курс процедур — получится документ, который можно распечатать или сохранить в PDF.',
    choose: 'Что включить в отчёт', byPeriod: 'За период', byCourse: 'За курс процедур',
    from: 'С', to: 'По', course: 'Курс', noCourses: 'Курсов процедур пока нет.',
    show: 'Показать отчёт', print: 'Распечатать или сохранить в PDF',
    client: 'Клиент', period: 'Период', courseLabel: 'Курс', generated: 'Сформирован',
    pairs: 'До и после', noPairs: 'За этот период нет снимков до и после.',
    missingBefore: 'Нет снимка «до»', missingAfter: 'Нет снимка «после»',
    before: 'До', after: 'После',
    dynamics: 'Динамика кожи', noDynamics: 'За этот период нет оценок кожи.',
    scale: 'Баллы от 0 (проблемы нет) до 10 (сильно выражена). Сплошная линия — ваши оценки, пунктир — оценки специалистов.',
    notes: 'Заметки специалистов', noNotes: 'За этот период специалисты не оставили заметок.',
    fromVisit: 'Визит', fromAssessment: 'Оценка кожи',
    footer: ({ clinic }) => `Отчёт из личного кабинета клиники «${clinic}». Содержит сведения о здоровье — храните его в надёжном месте.`,
    sessions: ({ done, all }) => `${done} из ${all} процедур`,
    courseStatus_active: 'идёт', courseStatus_completed: 'завершён', courseStatus_cancelled: 'отменён',
  },
  en: {
    title: 'Photo report',
    intro: 'Choose a period or a course of procedures to get a document you can print or save as a PDF.',
    choose: 'What the report covers', byPeriod: 'A period', byCourse: 'A course of procedures',
    from: 'From', to: 'To', course: 'Course', noCourses: 'No courses of procedures yet.',
    show: 'Show the report', print: 'Print or save as PDF',
    client: 'Client', period: 'Period', courseLabel: 'Course', generated: 'Generated',
    pairs: 'Before and after', noPairs: 'No before and after photos in this period.',
    missingBefore: 'No “before” photo', missingAfter: 'No “after” photo',
    before: 'Before', after: 'After',
    dynamics: 'Skin dynamics', noDynamics: 'No skin scores in this period.',
    scale: 'Scores from 0 (no problem) to 10 (marked). The solid line is your scores, the dashed one the specialists’.',
    notes: 'Specialists’ notes', noNotes: 'The specialists left no notes in this period.',
    fromVisit: 'Visit', fromAssessment: 'Skin assessment',
    footer: ({ clinic }) => `A report from the cabinet of ${clinic}. It contains health information — keep it safe.`,
    sessions: ({ done, all }) => `${done} of ${all} sessions`,
    courseStatus_active: 'in progress', courseStatus_completed: 'completed', courseStatus_cancelled: 'cancelled',
  },
});

const isDay = (v) => /^\d{4}-\d{2}-\d{2}$/.test(v || '');

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const q = ctx.query;
  const planID = q.get('plan_id') || '';
  const to = isDay(q.get('to')) ? q.get('to') : today();
  const from = isDay(q.get('from')) ? q.get('from') : addDays(to, -90);
  const [plansRes, servicesRes, profile] = await Promise.all([
    get('me/plans'), get('services'), get('me/profile'),
  ]);
  const serviceName = Object.fromEntries((servicesRes.services || []).map((s) => [s.id, s.name]));
  const plans = plansRes.plans || [];
  const planName = (p) => `${serviceName[p.service_id] || p.service_id} — ${t('sessions', { done: p.completed, all: p.sessions })}, ${t(`courseStatus_${p.status}`)}`;

  let report = null, failure = null;
  try {
    report = await get('me/skin/report', planID ? { plan_id: planID } : { from, to });
  } catch (err) {
    if (err.status === 401) throw err;
    failure = err;
  }

  // The choice.
  const name = uid('mode');
  const radio = (value, text, checked, disabled) => {
    const r = h('input', { type: 'radio', name, value, id: uid('mode'), checked, disabled });
    return h('label', { class: 'check', for: r.id }, r, h('span', {}, text));
  };
  const periodRadio = radio('period', t('byPeriod'), !planID, false);
  const courseRadio = radio('course', t('byCourse'), !!planID, !plans.length);
  const fromIn = h('input', { type: 'date', name: 'from', value: from, max: today() });
  const toIn = h('input', { type: 'date', name: 'to', value: to, max: today() });
  const courseIn = h('select', { name: 'plan_id' }, plans.map((p) => h('option', { value: p.id, selected: p.id === planID }, planName(p))));
  const periodBox = h('div', { class: 'grid two' }, field({ label: t('from'), input: fromIn }), field({ label: t('to'), input: toIn }));
  const courseBox = plans.length ? field({ label: t('course'), input: courseIn }) : h('p', { class: 'hint' }, t('noCourses'));
  const sync = () => {
    const byCourse = courseRadio.querySelector('input').checked;
    periodBox.hidden = byCourse; courseBox.hidden = !byCourse;
  };
  [periodRadio, courseRadio].forEach((r) => r.querySelector('input').addEventListener('change', sync));
  sync();
  const form = h('form', { class: 'card kc-report-controls no-print', novalidate: true },
    h('fieldset', { class: 'kc-plain' }, h('legend', {}, t('choose')), h('div', { class: 'kc-modes' }, periodRadio, courseRadio)),
    periodBox, courseBox,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const qs = courseRadio.querySelector('input').checked && courseIn.value
      ? new URLSearchParams({ plan_id: courseIn.value })
      : new URLSearchParams({ from: fromIn.value, to: toIn.value });
    ctx.navigate(`report?${qs}`);
  });

  const printButton = h('button', { type: 'button', class: 'kc-print no-print', onClick: () => window.print() }, t('print'));
  const doc = report ? documentOf(report, { profile, session: ctx.session, plan: plans.find((p) => p.id === report.plan_id), planName }) : errorBox(failure);

  mount(ctx.main, h('div', { class: 'no-print' }, backLink()),
    h('p', { class: 'kc-report-clinic kc-print-only' }, document.documentElement.dataset.clinic || ''),
    h('div', { class: 'row kc-head' }, h('h1', { id: 'r-title' }, t('title')), report ? printButton : null),
    h('p', { class: 'muted no-print' }, t('intro')),
    form, doc);
  return undefined;
}

function documentOf(r, { profile, session, plan, planName }) {
  const clinic = document.documentElement.dataset.clinic || '';
  const who = profile.name || session.user?.phone || session.user?.email || '';
  const meta = h('dl', { class: 'kc-meta' },
    who ? [h('dt', {}, t('client')), h('dd', {}, who)] : null,
    plan ? [h('dt', {}, t('courseLabel')), h('dd', {}, planName(plan))] : null,
    h('dt', {}, t('period')), h('dd', {}, `${fmtCalendarDate(r.from)} — ${fmtCalendarDate(r.to)}`),
    h('dt', {}, t('generated')), h('dd', {}, fmtDateTime(r.generated_at)));

  const pairs = (r.pairs || []).map((p) => h('figure', { class: 'kc-pair', dataset: { area: p.area } },
    h('figcaption', {}, h('h3', {}, label(p.area))),
    h('div', { class: 'kc-pair-images' }, half(p.before, t('before'), t('missingBefore')), half(p.after, t('after'), t('missingAfter')))));

  const concerns = r.concerns || [];
  const notes = (r.notes || []).slice().sort((a, b) => (a.date < b.date ? -1 : 1));
  return h('article', { class: 'kc-report', 'aria-labelledby': 'r-title' },
    h('header', { class: 'kc-report-head' }, meta),
    h('section', { class: 'kc-report-part' }, h('h2', {}, t('pairs')),
      pairs.length ? h('div', { class: 'kc-pairs' }, pairs) : h('p', { class: 'muted' }, t('noPairs'))),
    h('section', { class: 'kc-report-part' }, h('h2', {}, t('dynamics')),
      concerns.length ? [h('p', { class: 'hint' }, t('scale')), h('div', { class: 'kc-charts' }, concerns.map((c) => concernChart(c, { open: true })))]
        : h('p', { class: 'muted' }, t('noDynamics'))),
    h('section', { class: 'kc-report-part' }, h('h2', {}, t('notes')),
      notes.length ? h('ul', { class: 'list kc-report-notes' }, notes.map((n) => h('li', {},
        h('p', { class: 'kc-note-head' }, h('strong', {}, fmtCalendarDate(n.date)), ' · ',
          n.source === 'visit' ? t('fromVisit') : t('fromAssessment'), n.specialist_name ? ` · ${n.specialist_name}` : ''),
        h('p', { class: 'kc-notes' }, n.text)))) : h('p', { class: 'muted' }, t('noNotes'))),
    h('footer', { class: 'kc-report-foot' }, h('p', { class: 'hint' }, t('footer', { clinic }))));
}

function half(photo, tag, missing) {
  if (!photo) return h('div', { class: 'kc-half kc-missing' }, h('p', {}, missing));
  return h('figure', { class: 'kc-half' },
    photoImg(photo, 'medium', `${tag}: ${label(photo.area)}, ${fmtCalendarDate(photo.taken_at)}`, { lazy: false }),
    h('figcaption', {}, h('strong', {}, tag), ` · ${fmtDate(`${photo.taken_at}T12:00:00Z`, 'UTC')}`));
}
