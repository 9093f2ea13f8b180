// Shared parts of the card pages: the names of the questionnaire's codes,
// the consent asked in place (health data, photos), the skin chart drawn as
// inline SVG, photo URLs and the branches' time zones.

import { get, post, apiURL } from './api.js';
import { dict, lang, fmtShortDay, fmtCalendarDate, fmtDate } from './i18n.js';
import { h, s, uid, busy, errorBox, link } from './dom.js';

export const t = dict({
  ru: {
    backToCard: 'Моя карта',
    // Concerns.
    acne: 'Акне', post_acne: 'Постакне', pigmentation: 'Пигментация', rosacea: 'Розацеа', wrinkles: 'Морщины',
    loss_of_firmness: 'Потеря упругости', dehydration: 'Обезвоженность', enlarged_pores: 'Расширенные поры',
    dullness: 'Тусклый цвет лица', sensitivity: 'Чувствительность',
    // Areas.
    face: 'Лицо', forehead: 'Лоб', cheeks: 'Щёки', chin: 'Подбородок', neck: 'Шея', decollete: 'Декольте', hands: 'Руки', body: 'Тело',
    // Photo kinds.
    before: 'До', after: 'После', progress: 'Промежуточное',
    kindLong_before: 'До процедуры', kindLong_after: 'После процедуры', kindLong_progress: 'Промежуточное, для дневника',
    // Consents.
    consent_health_data_title: 'Согласие на обработку данных о здоровье',
    consent_photos_title: 'Согласие на хранение фотографий',
    consentVersion: ({ v }) => `Версия текста: ${v}`,
    consentAgree: 'Я прочитал(а) текст и согласен(на)',
    consentGive: 'Дать согласие',
    consentTick: 'Отметьте, что согласны с текстом',
    consentGiven: 'Согласие записано',
    // Chart.
    score: 'Балл', scoreAxis: 'Балл: 0 — нет, 10 — сильно', dateAxis: 'Дата',
    self_assessment: 'Моя оценка', assessment: 'Оценка специалиста',
    numbers: 'Показать числа', date: 'Дата',
    chartLabel: ({ name, parts }) => `График «${name}»: ${parts}`,
    seriesSummary: ({ series, n, first, last, from, to }) => `${series}: ${n} ${n === 1 ? 'оценка' : 'оценок'}, от ${first} (${from}) до ${last} (${to})`,
    seriesNone: ({ series }) => `${series}: нет оценок`,
    outOf10: ({ v }) => `${v} из 10`,
    // Orders.
    status_new: 'Новый', status_confirmed: 'Подтверждён', status_ready: 'Готов к выдаче', status_completed: 'Получен', status_cancelled: 'Отменён',
    orderNo: ({ n }) => `Заказ № ${n}`,
    // Product categories.
    cat_cleanser: 'Очищение', cat_toner: 'Тоники', cat_exfoliant: 'Отшелушивание', cat_serum: 'Сыворотки', cat_moisturizer: 'Увлажнение',
    cat_eye_care: 'Вокруг глаз', cat_spf: 'Защита от солнца', cat_mask: 'Маски', cat_recovery: 'Восстановление', cat_body: 'Тело',
    unit_ml: 'мл', unit_g: 'г', unit_pcs: 'шт.',
  },
  en: {
    backToCard: 'My card',
    acne: 'Acne', post_acne: 'Post-acne marks', pigmentation: 'Pigmentation', rosacea: 'Rosacea', wrinkles: 'Wrinkles',
    loss_of_firmness: 'Loss of firmness', dehydration: 'Dehydration', enlarged_pores: 'Enlarged pores',
    dullness: 'Dull complexion', sensitivity: 'Sensitivity',
    face: 'Face', forehead: 'Forehead', cheeks: 'Cheeks', chin: 'Chin', neck: 'Neck', decollete: 'Décolleté', hands: 'Hands', body: 'Body',
    before: 'Before', after: 'After', progress: 'Progress',
    kindLong_before: 'Before a procedure', kindLong_after: 'After a procedure', kindLong_progress: 'Progress, for the journal',
    consent_health_data_title: 'Consent to processing my health data',
    consent_photos_title: 'Consent to keeping my photos',
    consentVersion: ({ v }) => `Text version: ${v}`,
    consentAgree: 'I have read the text and agree',
    consentGive: 'Give consent',
    consentTick: 'Tick the box to agree with the text',
    consentGiven: 'Consent recorded',
    score: 'Score', scoreAxis: 'Score: 0 none, 10 marked', dateAxis: 'Date',
    self_assessment: 'My score', assessment: 'Specialist’s score',
    numbers: 'Show the numbers', date: 'Date',
    chartLabel: ({ name, parts }) => `Chart “${name}”: ${parts}`,
    seriesSummary: ({ series, n, first, last, from, to }) => `${series}: ${n} ${n === 1 ? 'score' : 'scores'}, from ${first} (${from}) to ${last} (${to})`,
    seriesNone: ({ series }) => `${series}: no scores`,
    outOf10: ({ v }) => `${v} of 10`,
    status_new: 'New', status_confirmed: 'Confirmed', status_ready: 'Ready for pick-up', status_completed: 'Collected', status_cancelled: 'Cancelled',
    orderNo: ({ n }) => `Order no. ${n}`,
    cat_cleanser: 'Cleansing', cat_toner: 'Toners', cat_exfoliant: 'Exfoliation', cat_serum: 'Serums', cat_moisturizer: 'Moisturising',
    cat_eye_care: 'Eye care', cat_spf: 'Sun protection', cat_mask: 'Masks', cat_recovery: 'Recovery', cat_body: 'Body',
    unit_ml: 'ml', unit_g: 'g', unit_pcs: 'pcs',
  },
});

export const CONCERNS = ['acne', 'post_acne', 'pigmentation', 'rosacea', 'wrinkles', 'loss_of_firmness', 'dehydration', 'enlarged_pores', 'dullness', 'sensitivity'];
export const AREAS = ['face', 'forehead', 'cheeks', 'chin', 'neck', 'decollete', 'hands', 'body'];
export const KINDS = ['before', 'after', 'progress'];

/** The name of a code (a concern, an area, a photo kind); the code itself when unknown. */
export function label(code) { const v = t(code); return typeof v === 'string' ? v : code; }

let consentTextsCache = null;
let consentTextsLoaded = null; // the texts, once they came
/**
 * The consent texts in force, by type: {version, title: {ru, en},
 * paragraphs: [{ru, en}]} — the clinic's own, from the API, whose version
 * goes back with the grant.
 */
export function consentTexts() {
  if (!consentTextsCache) {
    consentTextsCache = get('consent-texts').then((res) => {
      consentTextsLoaded = Object.fromEntries((res.texts || []).map((x) => [x.type, x]));
      return consentTextsLoaded;
    });
    consentTextsCache.catch(() => { consentTextsCache = null; });
  }
  return consentTextsCache;
}

/** The consents: {health_data: {granted,…}, photos: {…}, …}. */
export async function consents() {
  // The texts too, so that a panel asking for a consent is drawn whole.
  const [res] = await Promise.all([get('me/consents'), consentTexts().catch(() => null)]);
  return Object.fromEntries((res.consents || []).map((c) => [c.type, c]));
}

/**
 * The consent of type ("health_data" or "photos") asked in place: its
 * whole text with its version, a tick box and a button. onGranted runs
 * after the API has recorded it.
 */
export function consentPanel(type, onGranted, { headingLevel = 'h2' } = {}) {
  const id = uid('consent');
  const box = h('input', { type: 'checkbox', id: `${id}-agree`, name: 'agree' });
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  box.setAttribute('aria-describedby', err.id);
  const button = h('button', { type: 'button', disabled: true }, t('consentGive'));
  const textBox = h('div', { class: 'kc-consent-text' }, h('p', { class: 'loading', role: 'status' }, t('loading')));
  const version = h('p', { class: 'hint' });
  let text = null; // the text shown: its version goes with the grant
  // Not a <form>: the panel may sit inside a page's form (the questionnaire).
  const form = h('section', { class: 'kc-consent', 'aria-labelledby': `${id}-title`, dataset: { consent: type } },
    h(headingLevel, { id: `${id}-title`, class: 'kc-consent-title' }, t(`consent_${type}_title`)),
    textBox, version,
    h('label', { class: 'check', for: box.id }, box, h('span', {}, t('consentAgree'))),
    err,
    h('div', { class: 'actions' }, button));
  const show = (all) => {
    text = all[type];
    if (!text) throw new Error(t('error'));
    form.querySelector('.kc-consent-title').textContent = text.title[lang()] || text.title.ru;
    textBox.replaceChildren(...text.paragraphs.map((p) => h('p', {}, p[lang()] || p.ru)));
    version.textContent = t('consentVersion', { v: text.version });
    button.disabled = false;
  };
  if (consentTextsLoaded) show(consentTextsLoaded); // drawn whole at once
  else consentTexts().then(show).catch((ex) => { textBox.replaceChildren(errorBox(ex)); });
  box.addEventListener('change', () => { if (box.checked) { err.hidden = true; box.removeAttribute('aria-invalid'); } });
  button.addEventListener('click', () => {
    form.querySelector('.form-error')?.remove();
    if (!box.checked) {
      err.textContent = t('consentTick'); err.hidden = false; box.setAttribute('aria-invalid', 'true'); box.focus();
      return;
    }
    busy(button, async () => {
      try {
        await post('me/consents', { type, granted: true, text_version: text.version });
      } catch (ex) {
        form.append(Object.assign(errorBox(ex), { className: 'alert error form-error' }));
        return;
      }
      await onGranted();
    });
  });
  return form;
}

/** The URL of a photo's image: size thumb, medium or original. */
export function photoURL(id, size = 'medium') { return apiURL(`me/photos/${encodeURIComponent(id)}/image`, { size }); }

/** An <img> of a photo at a size, with its proportions reserved. */
export function photoImg(photo, size, alt, { lazy = true } = {}) {
  const dims = photo.sizes?.[size] || photo;
  return h('img', { src: photoURL(photo.id, size), alt, width: dims.width || undefined, height: dims.height || undefined,
    loading: lazy ? 'lazy' : 'eager', decoding: 'async' });
}

/** "Лицо · до · 7 дек." — a photo's short description (for alt texts and lists). */
export function photoTitle(p) {
  return `${label(p.area)} · ${label(p.kind).toLowerCase()} · ${fmtCalendarDate(p.taken_at)}`;
}

let branchCache = null;
/** The branches by ID ({name, address, phone, time_zone}). */
export async function branches() {
  if (!branchCache) {
    branchCache = get('branches').then((r) => Object.fromEntries((r.branches || []).map((b) => [b.id, b])))
      .catch((err) => { branchCache = null; throw err; });
  }
  return branchCache;
}

/** A link back to the card hub, above a page's heading. */
export function backLink() {
  return h('nav', { class: 'kc-back', 'aria-label': lang() === 'en' ? 'Breadcrumb' : 'Навигация' }, link('card', h('span', { 'aria-hidden': 'true' }, '← '), t('backToCard')));
}

/** Today in the browser's zone as "YYYY-MM-DD". */
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const dayMs = 86400000;
const dayNum = (iso) => { const [y, m, d] = iso.split('-').map(Number); return Date.UTC(y, m - 1, d) / dayMs; };
const shortDay = (iso) => fmtShortDay(`${iso}T12:00:00Z`, 'UTC');

/**
 * The chart of one concern: the client's scores and the specialists' as
 * two lines over time (0 none … 10 marked), with labelled axes, a legend,
 * an aria-label that says what it shows, and the numbers in a table
 * (inside a <details> unless open is true).
 */
export function concernChart(concern, { open = false } = {}) {
  const name = label(concern.code);
  const series = [
    { key: 'self_assessment', points: concern.self_assessment || [] },
    { key: 'assessment', points: concern.assessment || [] },
  ];
  const all = series.flatMap((x) => x.points);
  const W = 340, H = 210, L = 34, R = 14, T = 26, B = 44;
  const pw = W - L - R, ph = H - T - B;
  const days = all.map((p) => dayNum(p.date));
  let d0 = Math.min(...days), d1 = Math.max(...days);
  if (!all.length) { d0 = 0; d1 = 1; }
  const span = d1 - d0;
  const x = (iso) => (span === 0 ? L + pw / 2 : L + ((dayNum(iso) - d0) / span) * pw);
  const y = (v) => T + ph - (v / 10) * ph;

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'kc-chart-svg', role: 'img', 'aria-label': '', preserveAspectRatio: 'xMidYMid meet' });
  // Grid and the score axis.
  for (let v = 0; v <= 10; v += 2) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: v === 0 ? 'kc-axis' : 'kc-grid' }));
    svg.append(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'kc-tick' }, String(v)));
  }
  svg.append(s('line', { x1: L, x2: L, y1: T, y2: T + ph, class: 'kc-axis' }));
  svg.append(s('text', { x: 2, y: 12, class: 'kc-axis-title' }, t('scoreAxis')));
  // The date axis: the dates that were scored, at most five of them.
  // Labels closer than 52 units apart would overlap: the first and the last
  // date always keep theirs, the ones between only where there is room.
  const dates = [...new Set(all.map((p) => p.date))].sort();
  const ticks = [];
  dates.forEach((d, i) => {
    const last = i === dates.length - 1;
    while (last && ticks.length > 1 && x(d) - x(ticks[ticks.length - 1]) < 52) ticks.pop();
    if (!ticks.length || x(d) - x(ticks[ticks.length - 1]) >= 52) ticks.push(d);
  });
  ticks.forEach((d, i) => {
    const tx = x(d);
    const anchor = ticks.length > 1 && i === 0 && tx < L + 20 ? 'start' : ticks.length > 1 && i === ticks.length - 1 && tx > W - R - 20 ? 'end' : 'middle';
    svg.append(s('line', { x1: tx, x2: tx, y1: T + ph, y2: T + ph + 4, class: 'kc-axis' }));
    svg.append(s('text', { x: tx, y: T + ph + 17, 'text-anchor': anchor, class: 'kc-tick' }, shortDay(d)));
  });
  svg.append(s('text', { x: L + pw / 2, y: H - 6, 'text-anchor': 'middle', class: 'kc-axis-title' }, t('dateAxis')));
  // The two lines: solid with circles (the client's), dashed with squares (the specialists').
  const parts = [];
  for (const sr of series) {
    const pts = [...sr.points].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const sname = t(sr.key);
    if (!pts.length) { parts.push(t('seriesNone', { series: sname })); continue; }
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.date).toFixed(1)} ${y(p.score).toFixed(1)}`).join(' ');
    svg.append(s('path', { d, class: `kc-line kc-line-${sr.key}`, dataset: { concern: concern.code, series: sr.key } }));
    for (const p of pts) {
      const px = x(p.date), py = y(p.score);
      svg.append(sr.key === 'self_assessment'
        ? s('circle', { cx: px, cy: py, r: 4, class: `kc-dot kc-dot-${sr.key}` })
        : s('rect', { x: px - 4, y: py - 4, width: 8, height: 8, class: `kc-dot kc-dot-${sr.key}` }));
    }
    const first = pts[0], last = pts[pts.length - 1];
    parts.push(t('seriesSummary', { series: sname, n: pts.length, first: t('outOf10', { v: first.score }), last: t('outOf10', { v: last.score }),
      from: shortDay(first.date), to: shortDay(last.date) }));
  }
  svg.setAttribute('aria-label', t('chartLabel', { name, parts: parts.join('; ') }));

  const legend = h('ul', { class: 'kc-legend' }, series.filter((sr) => sr.points.length).map((sr) => h('li', {},
    s('svg', { viewBox: '0 0 28 10', width: 28, height: 10, 'aria-hidden': 'true', class: 'kc-legend-mark' },
      s('line', { x1: 1, x2: 27, y1: 5, y2: 5, class: `kc-line kc-line-${sr.key}` }),
      sr.key === 'self_assessment' ? s('circle', { cx: 14, cy: 5, r: 3.5, class: `kc-dot kc-dot-${sr.key}` })
        : s('rect', { x: 10.5, y: 1.5, width: 7, height: 7, class: `kc-dot kc-dot-${sr.key}` })),
    t(sr.key))));

  const table = numbersTable(name, series, dates);
  return h('figure', { class: 'kc-chart', dataset: { concern: concern.code } },
    h('figcaption', { class: 'kc-chart-title' }, name),
    svg, legend,
    open ? table : h('details', { class: 'kc-numbers' }, h('summary', {}, t('numbers')), table));
}

function numbersTable(name, series, dates) {
  const by = series.map((sr) => Object.fromEntries(sr.points.map((p) => [p.date, p.score])));
  return h('table', { class: 'kc-table' },
    h('caption', { class: 'kc-vh' }, name),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('date')), series.map((sr) => h('th', { scope: 'col' }, t(sr.key))))),
    h('tbody', {}, [...dates].reverse().map((d) => h('tr', {},
      h('th', { scope: 'row' }, fmtDate(`${d}T12:00:00Z`, 'UTC')),
      by.map((m) => h('td', {}, m[d] === undefined ? '—' : String(m[d])))))));
}

/** An order's status as a badge. */
export function statusBadge(status) {
  const cls = { new: 'badge', confirmed: 'badge', ready: 'badge ok', completed: 'badge ok', cancelled: 'badge bad' }[status] || 'badge';
  return h('span', { class: `${cls} kc-status-${status}` }, t(`status_${status}`));
}

/** A product category's name (the code for an unknown one). */
export function categoryName(code) { const v = t(`cat_${code}`); return v === `cat_${code}` ? code : v; }

/** "30 мл" */
export function volumeText(p) { return p.volume ? `${p.volume}\u00a0${t(`unit_${p.unit || 'pcs'}`)}` : ''; }
