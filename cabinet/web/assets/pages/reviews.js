// Reviews of the client's own completed visits: the visits still to review
// (write one: 1–5 stars and an optional text), and the reviews written, each
// with its moderation status, the clinic's reply, and an edit for 14 days.

import { get, post, patch } from '../api.js';
import { dict, fmtDay, fmtDateTime, plural } from '../i18n.js';
import { h, mount, busy, toast, errorBox, clearErrors, showFieldError, link, uid } from '../dom.js';
import { section, srOnly, day } from '../account-lib.js';

const MAX_TEXT = 2000;

const t = dict({
  ru: {
    title: 'Мои отзывы',
    intro: 'Расскажите, как прошёл визит. Отзыв появится на сайте после проверки; изменить его можно в течение 14 дней.',
    toReview: 'Ждут вашего отзыва',
    written: 'Ваши отзывы',
    none: 'Отзыв можно оставить после визита. Когда визит состоится, он появится здесь.',
    noneWritten: 'Вы ещё не писали отзывов.',
    write: 'Оставить отзыв', writeLabel: ({ what }) => `Оставить отзыв: ${what}`,
    edit: 'Изменить', editLabel: ({ what }) => `Изменить отзыв: ${what}`,
    rating: 'Оценка', stars: ({ n }) => plural(n, ['звезда', 'звезды', 'звёзд']),
    ratingOf: ({ n }) => `Оценка: ${n} из 5`,
    ratingNeeded: 'Поставьте оценку от 1 до 5',
    text: 'Что понравилось или что можно улучшить', textHint: 'Необязательно. Пишите о визите, а не о здоровье: отзыв увидят другие.',
    left: ({ n }) => `Осталось ${plural(n, ['символ', 'символа', 'символов'])}`,
    send: 'Отправить отзыв', saveEdit: 'Сохранить изменения',
    sent: 'Спасибо! Отзыв отправлен на проверку', saved: 'Изменения отправлены на проверку',
    status_pending: 'На проверке', status_published: 'Опубликован', status_rejected: 'Не опубликован',
    pendingHint: 'Клиника проверит отзыв и опубликует его.',
    reply: 'Ответ клиники', reason: 'Почему отзыв не опубликован',
    editableUntil: ({ date }) => `Изменить можно до ${date}`,
    locked: 'Срок изменения прошёл',
    visitOn: ({ date }) => `Визит: ${date}`,
    written_at: ({ date }) => `Написан ${date}`,
    edited_at: ({ date }) => `изменён ${date}`,
    noText: 'Без текста',
    changed: 'Отзыв только что изменился. Обновите страницу и попробуйте ещё раз.',
    recheck: 'После изменения отзыв снова пройдёт проверку.',
    back: 'Ещё',
  },
  en: {
    title: 'My reviews',
    intro: 'Tell us how your visit went. A review appears on the site once checked; you can change it for 14 days.',
    toReview: 'Waiting for your review',
    written: 'Your reviews',
    none: 'You can review a visit once it has taken place. It will show up here.',
    noneWritten: 'You have not written any reviews yet.',
    write: 'Write a review', writeLabel: ({ what }) => `Write a review: ${what}`,
    edit: 'Edit', editLabel: ({ what }) => `Edit the review: ${what}`,
    rating: 'Rating', stars: ({ n }) => plural(n, ['star', 'stars']),
    ratingOf: ({ n }) => `Rated ${n} out of 5`,
    ratingNeeded: 'Choose a rating from 1 to 5',
    text: 'What you liked, or what could be better', textHint: 'Optional. Write about the visit, not your health: others will read it.',
    left: ({ n }) => `${plural(n, ['character', 'characters'])} left`,
    send: 'Send the review', saveEdit: 'Save the changes',
    sent: 'Thank you! Your review is sent for checking', saved: 'Your changes are sent for checking',
    status_pending: 'Being checked', status_published: 'Published', status_rejected: 'Not published',
    pendingHint: 'The clinic will check the review and publish it.',
    reply: 'The clinic’s reply', reason: 'Why the review is not published',
    editableUntil: ({ date }) => `You can change it until ${date}`,
    locked: 'It can no longer be changed',
    visitOn: ({ date }) => `Visit: ${date}`,
    written_at: ({ date }) => `Written ${date}`,
    edited_at: ({ date }) => `edited ${date}`,
    noText: 'No text',
    changed: 'The review has just changed. Reload the page and try again.',
    recheck: 'Once changed, the review is checked again.',
    back: 'More',
  },
});

const STATUS_CLASS = { pending: 'warn', published: 'ok', rejected: 'bad' };

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [mine, branches] = await Promise.all([
    get('me/reviews'),
    get('branches').then((r) => r.branches || []).catch((err) => { if (err.status === 401) throw err; return []; }),
  ]);
  const branch = new Map(branches.map((b) => [b.id, b]));
  const body = h('div', { class: 'acc-reviews' });

  async function reload(focusSel) {
    try {
      draw(await get('me/reviews'));
      const el = focusSel && body.querySelector(focusSel);
      (el || ctx.main.querySelector('h1'))?.focus({ preventScroll: false });
    } catch (err) {
      if (err.status !== 401) toast(err.message);
    }
  }

  function draw(data) {
    const reviews = data.reviews || [];
    const visits = data.reviewable || [];
    mount(body,
      // With nothing to review, the section says when there will be; once
      // the client has reviews of their own, it is left out.
      visits.length || !reviews.length ? section(t('toReview'), { class: 'acc-to-review' },
        visits.length ? h('ul', { class: 'acc-cards' }, visits.map(visitCard)) : h('p', { class: 'muted' }, t('none'))) : null,
      section(t('written'), { class: 'acc-written' },
        reviews.length ? h('ul', { class: 'acc-cards' }, reviews.map(reviewCard)) : h('p', { class: 'muted' }, t('noneWritten'))));
  }

  function zoneOf(branchID) { return branch.get(branchID)?.time_zone; }

  function visitCard(v) {
    const what = `${v.service_name}, ${fmtDay(v.start, zoneOf(v.branch_id))}`;
    const slot = h('div', { class: 'acc-form-slot' });
    const open = h('button', { type: 'button', class: 'secondary acc-write', 'aria-label': t('writeLabel', { what }), 'aria-expanded': 'false' }, t('write'));
    open.addEventListener('click', () => {
      open.hidden = true;
      open.setAttribute('aria-expanded', 'true');
      mount(slot, reviewForm({
        submitLabel: t('send'),
        onCancel: () => { mount(slot); open.hidden = false; open.setAttribute('aria-expanded', 'false'); open.focus(); },
        onSubmit: async (rating, text) => {
          const r = await post('me/reviews', { appointment_id: v.appointment_id, rating, text });
          toast(t('sent'));
          await reload(`[data-review="${CSS.escape(r.id)}"] h3`);
        },
      }));
      slot.querySelector('input')?.focus();
    });
    return h('li', { class: 'card acc-visit', dataset: { appointment: v.appointment_id } },
      h('h3', { tabindex: '-1' }, v.service_name),
      h('p', { class: 'muted' }, [v.specialist_name, v.branch_name].filter(Boolean).join(' · ')),
      h('p', {}, t('visitOn', { date: fmtDateTime(v.start, zoneOf(v.branch_id)) })),
      h('div', { class: 'actions' }, open), slot);
  }

  function reviewCard(r) {
    const tz = zoneOf(r.branch_id);
    const visit = r.visit_at ? fmtDay(r.visit_at, tz) : '';
    const what = [r.service_name, visit].filter(Boolean).join(', ');
    const slot = h('div', { class: 'acc-form-slot' });
    const content = h('div', { class: 'acc-review-body' });
    const reply = r.reply && r.reply.text ? h('div', { class: 'acc-reply' },
      h('p', { class: 'acc-reply-title' }, r.status === 'rejected' ? t('reason') : t('reply')),
      h('p', { class: 'acc-text' }, r.reply.text)) : null;
    let edit = null;
    if (r.editable) {
      edit = h('button', { type: 'button', class: 'secondary acc-edit', 'aria-label': t('editLabel', { what }), 'aria-expanded': 'false' }, t('edit'));
      edit.addEventListener('click', () => {
        content.hidden = true;
        edit.hidden = true;
        edit.setAttribute('aria-expanded', 'true');
        mount(slot, reviewForm({
          rating: r.rating, text: r.text, submitLabel: t('saveEdit'), note: r.status !== 'pending' ? t('recheck') : '',
          onCancel: () => { mount(slot); content.hidden = false; edit.hidden = false; edit.setAttribute('aria-expanded', 'false'); edit.focus(); },
          onSubmit: async (rating, text) => {
            await patch(`me/reviews/${encodeURIComponent(r.id)}`, { rating, text });
            toast(t('saved'));
            await reload(`[data-review="${CSS.escape(r.id)}"] h3`);
          },
        }));
        slot.querySelector('input:checked, input')?.focus();
      });
    }
    const dates = [t('written_at', { date: day(r.created_at, tz) })];
    if (r.edited_at) dates.push(t('edited_at', { date: day(r.edited_at, tz) }));
    fill(content, [
      h('p', { class: 'acc-stars-line' }, stars(r.rating)),
      r.text ? h('p', { class: 'acc-text' }, r.text) : h('p', { class: 'muted' }, t('noText')),
      r.status === 'pending' ? h('p', { class: 'hint' }, t('pendingHint')) : null,
      reply,
      h('p', { class: 'hint' }, dates.join(', '), '. ',
        r.editable && r.editable_until ? t('editableUntil', { date: day(r.editable_until, tz) }) : t('locked')),
    ]);
    return h('li', { class: 'card acc-review', dataset: { review: r.id, status: r.status } },
      h('div', { class: 'row' }, h('h3', { tabindex: '-1' }, r.service_name),
        h('span', { class: `badge ${STATUS_CLASS[r.status] || ''} acc-status-badge` }, t(`status_${r.status}`))),
      h('p', { class: 'muted' }, [r.specialist_name, visit && t('visitOn', { date: visit })].filter(Boolean).join(' · ')),
      content, edit ? h('div', { class: 'actions' }, edit) : null, slot);
  }

  draw(mine);
  mount(ctx.main,
    h('p', { class: 'acc-back' }, link('settings', `← ${t('back')}`)),
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro')),
    body);
  return undefined;
}

function fill(el, children) { mount(el, ...children.filter(Boolean)); }

/** Stars shown, with the rating in words for screen readers. */
function stars(n) {
  return h('span', { class: 'acc-stars', role: 'img', 'aria-label': t('ratingOf', { n }) },
    [1, 2, 3, 4, 5].map((i) => h('span', { class: i <= n ? 'on' : 'off', 'aria-hidden': 'true' }, '★')));
}

/**
 * The form to write or change a review: five radio buttons drawn as stars
 * (arrow keys move between them), the text with a counter of what is left.
 */
function reviewForm({ rating = 0, text = '', note = '', submitLabel, onSubmit, onCancel }) {
  const name = uid('rating');
  const errID = `${name}-error`;
  const labels = [];
  const radios = [1, 2, 3, 4, 5].map((i) => {
    const input = h('input', { type: 'radio', name, value: String(i), id: `${name}-${i}`, class: 'acc-sr-only', checked: i === rating });
    const label = h('label', { for: input.id, class: 'acc-star' }, h('span', { 'aria-hidden': 'true' }, '★'), srOnly(t('stars', { n: i })));
    labels.push(label);
    return [input, label];
  });
  const paint = () => {
    const v = Number(radios.find(([input]) => input.checked)?.[0].value || 0);
    labels.forEach((l, i) => l.classList.toggle('on', i < v));
    if (v) {
      const p = group.querySelector('.field-error');
      p.hidden = true;
      p.textContent = '';
    }
  };
  const group = h('fieldset', { class: 'acc-rating', dataset: { field: 'rating' }, 'aria-describedby': errID },
    h('legend', {}, t('rating')),
    h('div', { class: 'acc-star-row' }, radios.flat()),
    h('p', { class: 'field-error', id: errID, hidden: true }));
  group.addEventListener('change', paint);
  labels.forEach((l, i) => { if (i < rating) l.classList.add('on'); });

  const textID = uid('review-text');
  const area = h('textarea', { name: 'text', id: textID, maxlength: MAX_TEXT, rows: 5, 'aria-describedby': `${textID}-hint ${textID}-left ${textID}-error` });
  area.value = text || '';
  const left = h('p', { class: 'hint acc-left', id: `${textID}-left`, 'aria-live': 'polite' });
  const count = () => { left.textContent = t('left', { n: MAX_TEXT - area.value.length }); };
  area.addEventListener('input', count);
  count();
  const textField = h('div', { class: 'field', dataset: { field: 'text' } },
    h('label', { for: textID }, t('text')),
    h('p', { class: 'hint', id: `${textID}-hint` }, t('textHint')),
    area, left,
    h('p', { class: 'field-error', id: `${textID}-error`, hidden: true }));

  const submit = h('button', { type: 'submit' }, submitLabel);
  const cancel = h('button', { type: 'button', class: 'secondary', onClick: onCancel }, t('cancel'));
  const form = h('form', { class: 'acc-review-form', novalidate: true }, group, textField,
    note ? h('p', { class: 'hint' }, note) : null, h('div', { class: 'actions' }, submit, cancel));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const value = Number(form.querySelector(`input[name="${name}"]:checked`)?.value || 0);
    if (!value) {
      const p = group.querySelector('.field-error');
      p.textContent = t('ratingNeeded');
      p.hidden = false;
      group.querySelector('input')?.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await onSubmit(value, area.value.trim());
      } catch (err) {
        if (err.status === 401) return;
        const e2 = err.code === 'review_changed' ? { ...err, message: t('changed'), field: '' } : err;
        if (err.field === 'rating') {
          const p = group.querySelector('.field-error');
          p.textContent = err.message;
          p.hidden = false;
          return;
        }
        if (!showFieldError(form, e2)) form.prepend(Object.assign(errorBox(e2), { className: 'alert error form-error' }));
      }
    });
  });
  return form;
}
