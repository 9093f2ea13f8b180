// Before / after: two photos of one area stacked, and a slider (a labelled
// range input, so it works by keyboard and touch) that reveals the after
// photo over the before one. The pair comes from the query (area, before,
// after), from a visit or a course (appointment_id, plan_id: the API's
// pairs), or is picked: the earliest "before" and the latest "after".

import { get } from '../api.js';
import { dict, fmtCalendarDate } from '../i18n.js';
import { h, mount, field, link } from '../dom.js';
import { AREAS, label, photoImg, backLink } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'До и после',
    intro: 'Сдвигайте ползунок, чтобы сравнить снимки одной зоны.',
    area: 'Зона', before: 'Фото «до»', after: 'Фото «после»',
    slider: 'Граница между снимками: слева «до», справа «после»',
    sliderValue: ({ v }) => `Граница на ${v}%: «до» занимает ${v}%, «после» — ${100 - v}%`,
    tagBefore: 'До', tagAfter: 'После',
    need: 'Для сравнения нужны хотя бы два снимка одной зоны.', toPhotos: 'Загрузить фото',
    needArea: 'В этой зоне пока один снимок. Выберите другую зону или загрузите ещё фото.',
    fromVisit: 'Пара снимков визита', fromCourse: 'Пара снимков курса',
    noPair: 'У этого визита или курса пока нет пары снимков до и после.',
    photos: 'Все фото',
    caption: ({ area, before, after }) => `${area}: до — ${before}, после — ${after}`,
  },
  en: {
    title: 'Before and after',
    intro: 'Move the slider to compare two photos of one area.',
    area: 'Area', before: '“Before” photo', after: '“After” photo',
    slider: 'Divider between the photos: “before” on the left, “after” on the right',
    sliderValue: ({ v }) => `Divider at ${v}%: “before” ${v}%, “after” ${100 - v}%`,
    tagBefore: 'Before', tagAfter: 'After',
    need: 'To compare you need at least two photos of one area.', toPhotos: 'Upload photos',
    needArea: 'This area has only one photo so far. Choose another area or upload more.',
    fromVisit: 'The photos of a visit', fromCourse: 'The photos of a course',
    noPair: 'This visit or course has no before and after pair yet.',
    photos: 'All photos',
    caption: ({ area, before, after }) => `${area}: before ${before}, after ${after}`,
  },
});

const byDay = (a, b) => (a.taken_at < b.taken_at ? -1 : a.taken_at > b.taken_at ? 1 : (a.created_at < b.created_at ? -1 : 1));
const optionText = (p) => `${fmtCalendarDate(p.taken_at)} · ${label(p.kind).toLowerCase()}`;

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const q = ctx.query;
  const source = q.get('appointment_id') ? { appointment_id: q.get('appointment_id') } : q.get('plan_id') ? { plan_id: q.get('plan_id') } : null;
  const [list, pairs] = await Promise.all([get('me/photos'), source ? get('me/photos/pairs', source) : null]);
  const photos = (list.photos || []).slice().sort(byDay);
  const head = [backLink(), h('h1', {}, t('title'))];

  let notice = null;
  let area = AREAS.includes(q.get('area')) ? q.get('area') : '';
  let wantBefore = q.get('before') || '';
  let wantAfter = q.get('after') || '';
  if (pairs) {
    const pair = (pairs.pairs || []).find((x) => x.before && x.after);
    if (pair) {
      area = pair.area; wantBefore = pair.before.id; wantAfter = pair.after.id;
      notice = h('p', { class: 'badge' }, source.plan_id ? t('fromCourse') : t('fromVisit'));
    } else {
      notice = h('p', { class: 'notice' }, t('noPair'));
    }
  }

  if (photos.length < 2) {
    mount(ctx.main, head, notice, h('p', { class: 'notice' }, t('need')), h('p', {}, link('photos', t('toPhotos'))));
    return undefined;
  }
  const counts = Object.fromEntries(AREAS.map((a) => [a, photos.filter((p) => p.area === a).length]));
  if (!area) {
    const given = photos.find((p) => p.id === wantBefore || p.id === wantAfter);
    area = given ? given.area : (AREAS.find((a) => counts[a] >= 2) || AREAS.find((a) => counts[a]));
  }

  const areaIn = h('select', { name: 'area' }, AREAS.filter((a) => counts[a]).map((a) => h('option', { value: a, selected: a === area }, `${label(a)} (${counts[a]})`)));
  const beforeIn = h('select', { name: 'before' });
  const afterIn = h('select', { name: 'after' });
  const range = h('input', { type: 'range', name: 'reveal', min: 0, max: 100, step: 1, value: '50', class: 'kc-range' });
  const stageBox = h('div', { class: 'kc-compare-box' });
  const rangeField = h('div', { class: 'kc-range-field' }, field({ label: t('slider'), input: range }));

  let imgAfter = null, divider = null;
  const reveal = () => {
    const v = Number(range.value);
    range.setAttribute('aria-valuetext', t('sliderValue', { v }));
    if (imgAfter) imgAfter.style.clipPath = `inset(0 0 0 ${v}%)`;
    if (divider) divider.style.left = `${v}%`;
  };
  range.addEventListener('input', reveal);

  function fillPhotoSelects() {
    const mine = photos.filter((p) => p.area === area);
    const pickBefore = mine.find((p) => p.id === wantBefore) || mine.find((p) => p.kind === 'before') || mine[0];
    const rest = mine.filter((p) => p !== pickBefore);
    const pickAfter = rest.find((p) => p.id === wantAfter) || [...rest].reverse().find((p) => p.kind === 'after') || rest[rest.length - 1];
    mount(beforeIn, mine.map((p) => h('option', { value: p.id, selected: p === pickBefore }, optionText(p))));
    mount(afterIn, mine.map((p) => h('option', { value: p.id, selected: p === pickAfter }, optionText(p))));
    afterIn.disabled = !pickAfter;
  }

  function draw() {
    const before = photos.find((p) => p.id === beforeIn.value);
    const after = photos.find((p) => p.id === afterIn.value && p.id !== beforeIn.value);
    const url = new URL(location.href);
    url.search = new URLSearchParams({ area, before: before?.id || '', after: after?.id || '' }).toString();
    history.replaceState(null, '', url);
    if (!before || !after) {
      imgAfter = null; divider = null;
      mount(stageBox, h('p', { class: 'notice' }, t('needArea')), rangeField);
      range.disabled = true;
      return;
    }
    range.disabled = false;
    const dims = before.sizes?.medium || before;
    const stage = h('div', { class: 'kc-stage' });
    stage.style.aspectRatio = `${dims.width} / ${dims.height}`;
    const imgBefore = photoImg(before, 'medium', `${t('tagBefore')}: ${fmtCalendarDate(before.taken_at)}`, { lazy: false });
    imgBefore.classList.add('kc-img-before');
    imgAfter = photoImg(after, 'medium', `${t('tagAfter')}: ${fmtCalendarDate(after.taken_at)}`, { lazy: false });
    imgAfter.classList.add('kc-img-after');
    divider = h('div', { class: 'kc-divider', 'aria-hidden': 'true' }, h('span', {}));
    stage.append(imgBefore, imgAfter, divider,
      h('span', { class: 'kc-tag kc-tag-before', 'aria-hidden': 'true' }, t('tagBefore')),
      h('span', { class: 'kc-tag kc-tag-after', 'aria-hidden': 'true' }, t('tagAfter')));
    // Dragging on the photos moves the divider too (touch and mouse).
    const fromPointer = (e) => {
      const r = stage.getBoundingClientRect();
      range.value = String(Math.round(Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * 100));
      reveal();
    };
    stage.addEventListener('pointerdown', (e) => { stage.setPointerCapture(e.pointerId); fromPointer(e); });
    stage.addEventListener('pointermove', (e) => { if (stage.hasPointerCapture(e.pointerId)) fromPointer(e); });
    mount(stageBox, h('figure', { class: 'kc-compare' }, stage,
      h('figcaption', { class: 'hint' }, t('caption', { area: label(area), before: fmtCalendarDate(before.taken_at), after: fmtCalendarDate(after.taken_at) }))),
    rangeField);
    reveal();
  }

  areaIn.addEventListener('change', () => { area = areaIn.value; wantBefore = ''; wantAfter = ''; fillPhotoSelects(); draw(); });
  beforeIn.addEventListener('change', () => { wantBefore = beforeIn.value; draw(); });
  afterIn.addEventListener('change', () => { wantAfter = afterIn.value; draw(); });
  fillPhotoSelects();
  draw();

  mount(ctx.main, head, h('p', { class: 'muted' }, t('intro')), notice,
    h('div', { class: 'kc-compare-controls' },
      field({ label: t('area'), input: areaIn }),
      h('div', { class: 'grid two' }, field({ label: t('before'), input: beforeIn }), field({ label: t('after'), input: afterIn }))),
    stageBox,
    h('p', {}, link('photos', t('photos'))));
  return undefined;
}
