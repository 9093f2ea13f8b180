// Photos: upload from the phone's camera (kind, area, day), with a preview,
// once the photos consent is given (asked in place, with its text); the
// gallery by area and date, a photo opened larger, deleted; links to the
// before / after comparison. The API's 413 / 415 / 422 answers are shown
// on the file field with what to do.

import { get, api, del } from '../api.js';
import { dict, fmtDate, plural } from '../i18n.js';
import { h, mount, field, errorBox, busy, toast, link } from '../dom.js';
import { t as ct, AREAS, KINDS, label, consents, consentPanel, photoImg, photoTitle, photoURL, backLink, today, branches } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Фото',
    intro: 'Снимки до и после процедур помогают увидеть результат. Их видите только вы и ваши специалисты.',
    upload: 'Новое фото', file: 'Снимок', fileHint: 'JPEG, PNG или WebP, до 15 МБ. На телефоне откроется камера.',
    kind: 'Какое это фото', area: 'Зона', visit: 'Визит', visitHint: 'Если снимок сделан в день процедуры', visitNone: 'Не относится к визиту', takenAt: 'Дата съёмки', takenAtHint: 'Если не указать — по данным снимка или сегодня',
    send: 'Загрузить', uploading: 'Загружаем снимок…', uploaded: 'Фото загружено',
    chooseFile: 'Выберите или сделайте снимок',
    preview: 'Предпросмотр выбранного снимка',
    tooLarge: 'Файл слишком большой.', badType: 'Этот формат не подходит.', badImage: 'Снимок не получилось принять.',
    gallery: 'Мои фото', none: 'Фото пока нет. Загрузите первое — оно появится здесь.',
    allAreas: 'Все зоны', count: (n) => plural(n.n, ['фото', 'фото', 'фото']),
    compare: 'Сравнить до и после', compareArea: ({ area }) => `Сравнить: ${area}`,
    open: ({ title }) => `Открыть: ${title}`,
    original: 'Открыть в полном размере', close: 'Закрыть', remove: 'Удалить фото', confirmRemove: 'Да, удалить навсегда',
    removed: 'Фото удалено', byStaff: 'Загружено специалистом',
    filterLabel: 'Показать зону',
  },
  en: {
    title: 'Photos',
    intro: 'Photos before and after procedures help you see the result. Only you and your specialists see them.',
    upload: 'New photo', file: 'Photo', fileHint: 'JPEG, PNG or WebP, up to 15 MB. On a phone the camera opens.',
    kind: 'What kind of photo', area: 'Area', visit: 'Visit', visitHint: 'If the photo was taken on the day of a procedure', visitNone: 'Not linked to a visit', takenAt: 'Date taken', takenAtHint: 'If left empty: from the photo, else today',
    send: 'Upload', uploading: 'Uploading…', uploaded: 'Photo uploaded',
    chooseFile: 'Choose or take a photo',
    preview: 'Preview of the chosen photo',
    tooLarge: 'The file is too large.', badType: 'This format is not accepted.', badImage: 'The photo could not be accepted.',
    gallery: 'My photos', none: 'No photos yet. Upload the first one and it will appear here.',
    allAreas: 'All areas', count: (n) => plural(n.n, ['photo', 'photos']),
    compare: 'Compare before and after', compareArea: ({ area }) => `Compare: ${area}`,
    open: ({ title }) => `Open: ${title}`,
    original: 'Open full size', close: 'Close', remove: 'Delete photo', confirmRemove: 'Yes, delete it for good',
    removed: 'Photo deleted', byStaff: 'Uploaded by a specialist',
    filterLabel: 'Show area',
  },
});

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [list, cons, past, services, branchMap] = await Promise.all([get('me/photos'), consents(), get('me/appointments', { status: 'past' }), get('services'), branches()]);
  const serviceName = Object.fromEntries((services.services || []).map((x) => [x.id, x.name]));
  const visits = (past.appointments || []).filter((a) => a.status === 'completed' || a.status === 'confirmed')
    .sort((a, b) => (a.start < b.start ? 1 : -1)).slice(0, 20);
  let photos = list.photos || [];
  let areaFilter = AREAS.includes(ctx.query.get('area')) ? ctx.query.get('area') : '';
  let previewURL = '';
  const dropPreview = () => { if (previewURL) URL.revokeObjectURL(previewURL); previewURL = ''; };

  // Upload.
  const fileIn = h('input', { type: 'file', name: 'file', accept: 'image/jpeg,image/png,image/webp', capture: 'environment', required: true });
  const kindIn = h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, label(`kindLong_${k}`))));
  const areaIn = h('select', { name: 'area' }, AREAS.map((a) => h('option', { value: a, selected: a === areaFilter }, label(a))));
  const dateIn = h('input', { type: 'date', name: 'taken_at', min: '1990-01-01', max: today() });
  const visitIn = h('select', { name: 'appointment_id' }, h('option', { value: '' }, t('visitNone')),
    visits.map((a) => h('option', { value: a.id, selected: a.id === ctx.query.get('appointment_id') },
      `${fmtDate(a.start, branchMap[a.branch_id]?.time_zone)} · ${serviceName[a.service_id] || ''}`)));
  const preview = h('div', { class: 'kc-preview', hidden: true });
  const uploadStatus = h('div', { class: 'kc-status', role: 'status', 'aria-live': 'polite' });
  const sendButton = h('button', { type: 'submit' }, t('send'));
  const fileField = field({ label: t('file'), input: fileIn, hint: t('fileHint') });
  const form = h('form', { class: 'kc-upload', novalidate: true },
    fileField, preview,
    h('div', { class: 'grid two' }, field({ label: t('kind'), input: kindIn }), field({ label: t('area'), input: areaIn })),
    field({ label: t('takenAt'), input: dateIn, hint: t('takenAtHint') }),
    visits.length ? field({ label: t('visit'), input: visitIn, hint: t('visitHint') }) : null,
    uploadStatus,
    h('div', { class: 'actions' }, sendButton));

  const fileError = fileField.querySelector('.field-error');
  const clearFileError = () => { fileError.hidden = true; fileError.textContent = ''; fileIn.removeAttribute('aria-invalid'); };
  const showFileError = (text) => { fileError.textContent = text; fileError.hidden = false; fileIn.setAttribute('aria-invalid', 'true'); };

  fileIn.addEventListener('change', () => {
    clearFileError();
    dropPreview();
    const f = fileIn.files[0];
    if (!f) { preview.hidden = true; mount(preview); return; }
    previewURL = URL.createObjectURL(f);
    const img = h('img', { src: previewURL, alt: t('preview') });
    img.addEventListener('error', () => { preview.hidden = true; }); // a format the browser cannot show (HEIC): the API will say
    mount(preview, img, h('p', { class: 'hint' }, f.name));
    preview.hidden = false;
  });

  async function upload() {
    clearFileError();
    uploadStatus.replaceChildren();
    const f = fileIn.files[0];
    if (!f) { showFileError(t('chooseFile')); fileIn.focus(); return; }
    const fd = new FormData();
    fd.append('kind', kindIn.value);
    fd.append('area', areaIn.value);
    if (dateIn.value) fd.append('taken_at', dateIn.value);
    if (visitIn.value) fd.append('appointment_id', visitIn.value);
    fd.append('file', f);
    mount(uploadStatus, h('p', { class: 'muted' }, t('uploading')));
    let photo;
    try {
      photo = await api('POST', 'me/photos', { form: fd });
    } catch (err) {
      uploadStatus.replaceChildren();
      if (err.status === 403 && err.code === 'consent_required') { askConsent(true); return; }
      const lead = { 413: t('tooLarge'), 415: t('badType'), 422: t('badImage') }[err.status];
      if (lead && (!err.field || err.field === 'file' || err.status !== 422)) { showFileError(`${lead} ${err.message}`); fileIn.focus(); return; }
      if (lead && err.field) {
        const input = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
        const p = input?.closest('.field')?.querySelector('.field-error');
        if (p) { p.textContent = err.message; p.hidden = false; input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
      }
      mount(uploadStatus, errorBox(err));
      return;
    }
    fileIn.value = '';
    dropPreview();
    preview.hidden = true;
    mount(uploadStatus, h('div', { class: 'alert ok' }, t('uploaded')));
    photos = [photo, ...photos.filter((p) => p.id !== photo.id)];
    await reload();
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); busy(sendButton, upload); });

  const uploadBody = h('div', {});
  const uploadSection = h('section', { class: 'card kc-section', 'aria-labelledby': 'ph-upload' }, h('h2', { id: 'ph-upload' }, t('upload')), uploadBody);
  function askConsent(retry) {
    mount(uploadBody, consentPanel('photos', async () => {
      toast(ct('consentGiven'));
      mount(uploadBody, form);
      if (retry && fileIn.files[0]) await busy(sendButton, upload); else fileIn.focus();
    }, { headingLevel: 'h3' }));
  }
  if (cons.photos?.granted) mount(uploadBody, form); else askConsent(false);

  // Gallery.
  const filters = h('div', { class: 'chips kc-filter', role: 'group', 'aria-label': t('filterLabel') });
  const galleryBody = h('div', { class: 'kc-gallery' });
  const dialog = h('dialog', { class: 'kc-viewer', 'aria-labelledby': 'ph-viewer-title' });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });

  function drawFilters() {
    const counts = Object.fromEntries(AREAS.map((a) => [a, photos.filter((p) => p.area === a).length]));
    const chip = (value, text) => h('button', { type: 'button', class: 'chip', 'aria-pressed': String(areaFilter === value),
      onClick: () => { areaFilter = value; drawFilters(); drawGallery(); } }, text);
    mount(filters, chip('', t('allAreas')), AREAS.filter((a) => counts[a]).map((a) => chip(a, `${label(a)} · ${counts[a]}`)));
    filters.hidden = photos.length === 0;
  }

  function drawGallery() {
    if (!photos.length) { mount(galleryBody, h('p', { class: 'notice' }, t('none'))); return; }
    const areas = AREAS.filter((a) => (!areaFilter || a === areaFilter) && photos.some((p) => p.area === a));
    mount(galleryBody, areas.map((a) => {
      const mine = photos.filter((p) => p.area === a);
      return h('section', { class: 'kc-area', dataset: { area: a }, 'aria-labelledby': `ph-area-${a}` },
        h('div', { class: 'row' },
          h('h3', { id: `ph-area-${a}` }, label(a), ' ', h('span', { class: 'muted kc-count' }, t('count', { n: mine.length }))),
          mine.length > 1 ? link(`photos/compare?area=${a}`, t('compareArea', { area: label(a).toLowerCase() })) : null),
        h('ul', { class: 'kc-thumbs' }, mine.map((p) => h('li', {},
          h('button', { type: 'button', class: 'kc-thumb', 'aria-label': t('open', { title: photoTitle(p) }), onClick: () => view(p) },
            photoImg(p, 'thumb', ''),
            h('span', { class: `kc-kind kc-kind-${p.kind}` }, label(p.kind))),
          h('p', { class: 'kc-thumb-date' }, fmtDate(`${p.taken_at}T12:00:00Z`, 'UTC'))))));
    }));
  }

  function view(p) {
    let armed = false;
    const removeButton = h('button', { type: 'button', class: 'danger' }, t('remove'));
    removeButton.addEventListener('click', () => {
      if (!armed) { armed = true; removeButton.textContent = t('confirmRemove'); return; }
      busy(removeButton, async () => {
        try {
          await del(`me/photos/${encodeURIComponent(p.id)}`);
        } catch (err) {
          dialog.querySelector('.kc-viewer-status').replaceChildren(errorBox(err));
          return;
        }
        dialog.close();
        photos = photos.filter((x) => x.id !== p.id);
        toast(t('removed'));
        await reload();
      });
    });
    mount(dialog, h('div', { class: 'kc-viewer-body' },
      h('div', { class: 'row' }, h('h2', { id: 'ph-viewer-title' }, photoTitle(p)),
        h('button', { type: 'button', class: 'link', onClick: () => dialog.close() }, t('close'))),
      h('div', { class: 'kc-viewer-img' }, photoImg(p, 'medium', photoTitle(p), { lazy: false })),
      p.uploaded_by === 'staff' ? h('p', { class: 'hint' }, t('byStaff')) : null,
      h('div', { class: 'kc-viewer-status' }),
      h('div', { class: 'actions' },
        h('a', { class: 'button secondary', href: photoURL(p.id, 'original'), target: '_blank', rel: 'noopener' }, t('original')),
        link(`photos/compare?area=${p.area}&${p.kind === 'before' ? 'before' : 'after'}=${encodeURIComponent(p.id)}`, t('compare')),
        removeButton)));
    dialog.querySelector('.kc-viewer-status + .actions a:nth-child(2)')?.classList.add('button', 'secondary');
    dialog.showModal();
  }

  async function reload() {
    try {
      photos = (await get('me/photos')).photos || [];
    } catch { /* keep what we have */ }
    drawFilters();
    drawGallery();
  }

  drawFilters();
  drawGallery();
  mount(ctx.main, backLink(),
    h('div', { class: 'row kc-head' }, h('h1', {}, t('title')), link('photos/compare', t('compare'))),
    h('p', { class: 'muted' }, t('intro')),
    uploadSection,
    h('section', { class: 'kc-section', 'aria-labelledby': 'ph-gallery' }, h('h2', { id: 'ph-gallery' }, t('gallery')), filters, galleryBody),
    dialog);
  return () => { dropPreview(); if (dialog.open) dialog.close(); };
}
