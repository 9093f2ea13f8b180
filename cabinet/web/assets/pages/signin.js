// Sign-in: a phone number or an e-mail address, then the one-time code
// sent to it. Resending counts down from the server's resend_after; a wrong
// code says how many attempts are left, an expired one starts over.

import { post } from '../api.js';
import { dict, plural } from '../i18n.js';
import { h, mount, field, showFieldError, clearErrors, errorBox, busy } from '../dom.js';

const t = dict({
  ru: {
    title: 'Вход в личный кабинет',
    intro: 'Пароль не нужен: мы пришлём код по SMS или на почту.',
    identifier: 'Телефон или e-mail', identifierHint: 'Например, +7 912 345-67-89 или anna@example.com',
    getCode: 'Получить код',
    sentSMS: ({ to }) => `Мы отправили код в SMS на номер ${to}.`,
    sentEmail: ({ to }) => `Мы отправили код на почту ${to}.`,
    code: 'Код из сообщения', codeHint: '6 цифр',
    signIn: 'Войти', resend: 'Отправить код ещё раз',
    resendIn: ({ s }) => `Отправить код ещё раз можно через ${plural(s, ['секунду', 'секунды', 'секунд'])}`,
    resent: 'Новый код отправлен. Прежний больше не действует.',
    change: 'Изменить телефон или e-mail',
    codeFormat: 'Введите 6 цифр из сообщения',
    expiredStart: 'Запросите новый код.',
    tryLater: ({ s }) => `Слишком много попыток. Попробуйте через ${plural(Math.ceil(s / 60), ['минуту', 'минуты', 'минут'])}.`,
    privacy: 'Входя, вы соглашаетесь на обработку персональных данных для записи и обслуживания в клинике.',
  },
  en: {
    title: 'Sign in to your cabinet',
    intro: 'No password needed: we will send you a code by SMS or e-mail.',
    identifier: 'Phone or e-mail', identifierHint: 'For example, +7 912 345-67-89 or anna@example.com',
    getCode: 'Get a code',
    sentSMS: ({ to }) => `We have sent a code by SMS to ${to}.`,
    sentEmail: ({ to }) => `We have sent a code to ${to}.`,
    code: 'Code from the message', codeHint: '6 digits',
    signIn: 'Sign in', resend: 'Send the code again',
    resendIn: ({ s }) => `You can ask for a new code in ${plural(s, ['second', 'seconds'])}`,
    resent: 'A new code is on its way. The previous one no longer works.',
    change: 'Use another phone or e-mail',
    codeFormat: 'Enter the 6 digits from the message',
    expiredStart: 'Ask for a new code.',
    tryLater: ({ s }) => `Too many attempts. Try again in ${plural(Math.ceil(s / 60), ['minute', 'minutes'])}.`,
    privacy: 'By signing in you agree to the processing of your personal data for appointments and care at the clinic.',
  },
});

/** The page: step one asks where to send the code, step two takes it. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  if (ctx.session.signed_in) {
    ctx.navigate(safeNext(ctx.query.get('next')), { replace: true });
    return undefined;
  }
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; };

  function askIdentifier(prefill = '', notice = null) {
    stop();
    const input = h('input', { type: 'text', name: 'identifier', autocomplete: 'username', inputmode: 'email', required: true,
      autocapitalize: 'off', spellcheck: 'false', value: prefill, maxlength: 254 });
    const button = h('button', { type: 'submit', class: 'primary' }, t('getCode'));
    const form = h('form', { novalidate: true, class: 'signin' },
      notice, field({ label: t('identifier'), input, hint: t('identifierHint') }),
      h('div', { class: 'actions stack' }, button),
      h('p', { class: 'hint' }, t('privacy')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clearErrors(form);
      const identifier = input.value.trim();
      if (!identifier) { showFieldError(form, { field: 'identifier', message: t('required') }); return; }
      busy(button, async () => {
        try {
          const ticket = await post('auth/code', { identifier });
          askCode(identifier, ticket);
        } catch (err) {
          showError(form, err, 'identifier');
        }
      });
    });
    mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'muted' }, t('intro')), form);
    input.focus();
  }

  function askCode(identifier, ticket, notice = null) {
    stop();
    const input = h('input', { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric',
      pattern: '[0-9]*', maxlength: 6, required: true, class: 'code-input' });
    const button = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
    const resend = h('button', { type: 'button', class: 'secondary', disabled: true }, t('resend'));
    const countdown = h('p', { class: 'hint', 'aria-live': 'polite' });
    const sent = ticket.channel === 'email' ? t('sentEmail', { to: identifier }) : t('sentSMS', { to: identifier });
    const form = h('form', { novalidate: true, class: 'signin' },
      notice, h('p', {}, sent),
      field({ label: t('code'), input, hint: t('codeHint') }),
      h('div', { class: 'actions stack' }, button),
      h('div', { class: 'actions stack' }, resend), countdown,
      h('p', {}, h('button', { type: 'button', class: 'link', onClick: () => askIdentifier(identifier) }, t('change'))));

    let left = Math.max(0, Number(ticket.resend_after) || 0);
    const tick = () => {
      if (left <= 0) { stop(); resend.disabled = false; countdown.textContent = ''; return; }
      countdown.textContent = t('resendIn', { s: left });
      left -= 1;
    };
    tick();
    if (left >= 0) timer = setInterval(tick, 1000);

    resend.addEventListener('click', () => busy(resend, async () => {
      clearErrors(form);
      try {
        const next = await post('auth/code', { identifier });
        askCode(identifier, next, h('div', { class: 'alert ok', role: 'status' }, t('resent')));
      } catch (err) {
        showError(form, err);
      }
    }));
    input.addEventListener('input', () => {
      input.value = input.value.replace(/\D/g, '').slice(0, 6);
      if (input.value.length === 6) form.requestSubmit();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (button.disabled) return;
      clearErrors(form);
      const code = input.value.trim();
      if (!/^\d{6}$/.test(code)) { showFieldError(form, { field: 'code', message: t('codeFormat') }); return; }
      busy(button, async () => {
        try {
          await post('auth/verify', { challenge_id: ticket.challenge_id, code });
        } catch (err) {
          if (err.code === 'code_expired') {
            askIdentifier(identifier, h('div', { class: 'alert error', role: 'alert' }, `${err.message} ${t('expiredStart')}`));
            return;
          }
          input.value = '';
          showError(form, err, 'code');
          return;
        }
        stop();
        await ctx.refreshSession();
        ctx.navigate(safeNext(ctx.query.get('next')), { replace: true });
      });
    });
    mount(ctx.main, h('h1', {}, t('title')), form);
    input.focus();
  }

  askIdentifier(ctx.query.get('identifier') || '');
  return stop;
}

/** Shows an API error on its field (or on fallbackField), else above the form. */
function showError(form, err, fallbackField) {
  let e = err;
  if (err.status === 429) {
    const s = err.retryAfter;
    e = { ...err, message: s ? `${err.message} ${t('tryLater', { s })}` : err.message, field: err.field };
  }
  if (showFieldError(form, e)) return;
  if (fallbackField && err.status !== 429 && err.status !== 0 && err.status < 500 && showFieldError(form, { field: fallbackField, message: e.message })) return;
  form.prepend(Object.assign(errorBox(e), { className: 'alert error form-error' }));
}

/** A path within the cabinet to go to after sign-in: never another site. */
function safeNext(next) {
  if (!next || !/^[a-z0-9_\-/?=&%.]*$/i.test(next) || next.startsWith('/') || next.includes('//') || next.startsWith('sign-in')) return '';
  return next;
}
