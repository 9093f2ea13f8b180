// "More": the account's corner. Links to devices, reviews, offers,
// favourites and recommendations; notification settings (a table of
// category × channel checkboxes, the marketing consent, quiet hours and the
// time zone) saved as the whole document the API returned; push on this
// device; the language; the client's own data (export, erasure with a code).

import { get, put, post, del } from '../api.js';
import { dict, lang, setLang } from '../i18n.js';
import { h, mount, field, errorBox, busy, toast, link, clearErrors, showFieldError } from '../dom.js';
import { srOnly, section, pushSupported, pushState, pushOn, pushOff } from '../account-lib.js';

const t = dict({
  ru: {
    title: 'Ещё',
    devices: 'Устройства и входы', devicesHint: 'Где открыт кабинет, завершить сеансы',
    reviews: 'Мои отзывы', reviewsHint: 'Оценить прошедшие визиты',
    offers: 'Персональные предложения', offersHint: 'Скидки и подарки для вас',
    favorites: 'Избранное', favoritesHint: 'Сохранённые услуги и средства',
    recommendations: 'Рекомендации', recommendationsHint: 'Что подойдёт вашей коже',
    notifications: 'Уведомления',
    notificationsIntro: 'Отметьте, как сообщать вам о каждом событии. Если ничего не отмечено — такие сообщения не придут.',
    gridCaption: 'Каналы уведомлений по темам',
    topic: 'Тема',
    cat_appointments: 'Записи и изменения', catHint_appointments: 'подтверждение, перенос, отмена',
    cat_reminders: 'Напоминания о визитах', catHint_reminders: 'за сутки и за 2 часа',
    cat_offers: 'Акции и предложения', catHint_offers: 'только с вашего согласия',
    cat_new_services: 'Новые услуги', catHint_new_services: 'только с вашего согласия',
    cat_orders: 'Заказы косметики', catHint_orders: 'готовность к выдаче',
    ch_sms: 'SMS', ch_email: 'E-mail', ch_push: 'Push',
    securityTitle: 'Коды для входа',
    marketing: 'Акции и новости',
    marketingLabel: 'Согласен(на) получать акции и новости клиники',
    marketingHint: 'Без согласия акции и новости не приходят, даже если каналы отмечены. Отозвать согласие можно в любой момент.',
    marketingText: 'Текст согласия',
    marketingVersion: ({ v }) => `Версия текста: ${v}`,
    quiet: 'Тихие часы',
    quietLabel: 'Не присылать уведомления ночью',
    quietHint: 'Напоминания, акции и новости о заказах подождут до утра. Сообщения о записях и коды для входа приходят всегда.',
    quietStart: 'С', quietEnd: 'До', timeZone: 'Часовой пояс',
    saveSettings: 'Сохранить настройки',
    savedAt: 'Настройки сохранены.',
    pushTitle: 'Push-уведомления на этом устройстве',
    pushOn: 'Включить push-уведомления на этом устройстве',
    pushOff: 'Выключить на этом устройстве',
    pushIsOn: 'Push-уведомления на этом устройстве включены.',
    pushIsOff: 'Уведомления будут появляться на экране этого устройства, даже когда кабинет закрыт.',
    pushUnsupported: 'Этот браузер не поддерживает push-уведомления. Сообщения придут по SMS или на e-mail.',
    pushDenied: 'Уведомления для этого сайта запрещены в настройках браузера. Разрешите их там, чтобы включить push.',
    pushFailed: 'Не удалось включить push-уведомления на этом устройстве. Сообщения придут по SMS или на e-mail.',
    pushTurnedOn: 'Push-уведомления включены', pushTurnedOff: 'Push-уведомления на этом устройстве выключены',
    language: 'Язык', languageLegend: 'Язык кабинета и сообщений на экране',
    data: 'Мои данные',
    exportText: 'Архив со всем, что кабинет хранит о вас: анкета, согласия, визиты, фотографии, дневник кожи, заказы, сообщения.',
    exportLink: 'Скачать мои данные (.zip)',
    eraseTitle: 'Удаление аккаунта',
    eraseOpen: 'Удалить аккаунт…',
    eraseWarning: 'Удаление нельзя отменить.',
    eraseWhat: 'Будут удалены анкета и ответы о здоровье, фотографии и их файлы, дневник кожи, согласия, сообщения, настройки и все входы. Будущие записи отменятся.',
    eraseKept: 'Клиника сохранит без вашего имени то, что обязана хранить: прошедшие визиты, заказы, оценки в отзывах и журнал действий.',
    eraseExportFirst: 'Если данные могут пригодиться, сначала скачайте архив.',
    eraseConfirm: 'Я понимаю, что аккаунт и данные будут удалены навсегда',
    eraseConfirmNeeded: 'Подтвердите, что понимаете последствия',
    eraseChannel: 'Куда прислать код подтверждения',
    eraseToPhone: ({ to }) => `SMS на ${to}`, eraseToEmail: ({ to }) => `E-mail на ${to}`,
    eraseGetCode: 'Получить код для удаления',
    eraseSent: 'Мы отправили код подтверждения. Введите его, чтобы удалить аккаунт.',
    eraseCode: 'Код подтверждения', eraseCodeHint: '6 цифр из сообщения',
    eraseCodeFormat: 'Введите 6 цифр из сообщения',
    eraseDo: 'Удалить аккаунт навсегда',
    eraseDone: 'Аккаунт и данные удалены.',
    attemptsLeft: ({ n }) => ` Осталось попыток: ${n}.`,
    signOutAll: 'Выйти из кабинета',
  },
  en: {
    title: 'More',
    devices: 'Devices and sign-ins', devicesHint: 'Where the cabinet is open; end sessions',
    reviews: 'My reviews', reviewsHint: 'Rate your past visits',
    offers: 'Personal offers', offersHint: 'Discounts and gifts for you',
    favorites: 'Favourites', favoritesHint: 'Saved services and products',
    recommendations: 'Recommendations', recommendationsHint: 'What suits your skin',
    notifications: 'Notifications',
    notificationsIntro: 'Choose how to tell you about each kind of event. Nothing ticked: no such messages.',
    gridCaption: 'Notification channels by topic',
    topic: 'Topic',
    cat_appointments: 'Bookings and changes', catHint_appointments: 'confirmed, moved, cancelled',
    cat_reminders: 'Visit reminders', catHint_reminders: 'a day and 2 hours before',
    cat_offers: 'Offers', catHint_offers: 'only with your consent',
    cat_new_services: 'New services', catHint_new_services: 'only with your consent',
    cat_orders: 'Product orders', catHint_orders: 'ready for pick-up',
    ch_sms: 'SMS', ch_email: 'E-mail', ch_push: 'Push',
    securityTitle: 'Sign-in codes',
    marketing: 'Offers and news',
    marketingLabel: 'I agree to receive the clinic’s offers and news',
    marketingHint: 'Without the consent no offers or news are sent, whatever is ticked. You can withdraw it at any time.',
    marketingText: 'The text of the consent',
    marketingVersion: ({ v }) => `Text version: ${v}`,
    quiet: 'Quiet hours',
    quietLabel: 'No notifications at night',
    quietHint: 'Reminders, offers and order news wait until morning. Booking messages and sign-in codes always come.',
    quietStart: 'From', quietEnd: 'Until', timeZone: 'Time zone',
    saveSettings: 'Save settings',
    savedAt: 'Settings saved.',
    pushTitle: 'Push notifications on this device',
    pushOn: 'Turn on push notifications on this device',
    pushOff: 'Turn off on this device',
    pushIsOn: 'Push notifications are on for this device.',
    pushIsOff: 'Notifications will show on this device’s screen, even when the cabinet is closed.',
    pushUnsupported: 'This browser does not support push notifications. Messages will come by SMS or e-mail.',
    pushDenied: 'Notifications from this site are blocked in the browser’s settings. Allow them there to turn push on.',
    pushFailed: 'Push notifications could not be turned on for this device. Messages will come by SMS or e-mail.',
    pushTurnedOn: 'Push notifications are on', pushTurnedOff: 'Push notifications are off for this device',
    language: 'Language', languageLegend: 'Language of the cabinet',
    data: 'My data',
    exportText: 'An archive of everything the cabinet keeps about you: questionnaire, consents, visits, photos, skin journal, orders, messages.',
    exportLink: 'Download my data (.zip)',
    eraseTitle: 'Deleting the account',
    eraseOpen: 'Delete the account…',
    eraseWarning: 'Deleting cannot be undone.',
    eraseWhat: 'Your questionnaire and health answers, photos and their files, skin journal, consents, messages, settings and every sign-in are deleted. Future bookings are cancelled.',
    eraseKept: 'The clinic keeps, without your name, what it must keep: past visits, orders, review ratings and the audit trail.',
    eraseExportFirst: 'If you may need your data, download the archive first.',
    eraseConfirm: 'I understand that the account and the data are deleted for good',
    eraseConfirmNeeded: 'Confirm that you understand what happens',
    eraseChannel: 'Where to send the confirmation code',
    eraseToPhone: ({ to }) => `SMS to ${to}`, eraseToEmail: ({ to }) => `E-mail to ${to}`,
    eraseGetCode: 'Get a code to delete',
    eraseSent: 'We have sent a confirmation code. Enter it to delete the account.',
    eraseCode: 'Confirmation code', eraseCodeHint: '6 digits from the message',
    eraseCodeFormat: 'Enter the 6 digits from the message',
    eraseDo: 'Delete the account for good',
    eraseDone: 'The account and its data are deleted.',
    attemptsLeft: ({ n }) => ` Attempts left: ${n}.`,
    signOutAll: 'Sign out of the cabinet',
  },
});

const CATEGORIES = ['appointments', 'reminders', 'offers', 'new_services', 'orders'];
const CHANNELS = ['sms', 'email', 'push'];

// Time zones a Russian clinic's clients live in; the current one is added
// when it is not among them.
const ZONES = [
  ['Europe/Kaliningrad', 'Калининград', 'Kaliningrad'], ['Europe/Moscow', 'Москва', 'Moscow'],
  ['Europe/Samara', 'Самара', 'Samara'], ['Asia/Yekaterinburg', 'Екатеринбург', 'Yekaterinburg'],
  ['Asia/Omsk', 'Омск', 'Omsk'], ['Asia/Novosibirsk', 'Новосибирск', 'Novosibirsk'],
  ['Asia/Krasnoyarsk', 'Красноярск', 'Krasnoyarsk'], ['Asia/Irkutsk', 'Иркутск', 'Irkutsk'],
  ['Asia/Yakutsk', 'Якутск', 'Yakutsk'], ['Asia/Vladivostok', 'Владивосток', 'Vladivostok'],
  ['Asia/Magadan', 'Магадан', 'Magadan'], ['Asia/Kamchatka', 'Петропавловск-Камчатский', 'Petropavlovsk-Kamchatsky'],
  ['Europe/Minsk', 'Минск', 'Minsk'], ['Asia/Almaty', 'Алматы', 'Almaty'],
];

/** "UTC+3" for a zone now. */
function utcOffset(zone) {
  try {
    const part = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
    return (part ? part.value : '').replace('GMT', 'UTC') || 'UTC';
  } catch { return ''; }
}

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const settings = await get('me/notification-settings');
  const push = settings.push && (settings.available_channels || []).includes('push') ? await pushState() : null;

  mount(ctx.main,
    h('h1', {}, t('title')),
    links(),
    notifications(ctx, settings, push),
    languageSection(),
    dataSection(ctx),
    h('div', { class: 'actions acc-signout' },
      h('button', { type: 'button', class: 'secondary', onClick: (e) => busy(e.currentTarget, () => signOut(ctx)) }, t('signOutAll'))));
  return undefined;
}

function links() {
  const items = [
    ['devices', 'devices', 'devicesHint'], ['reviews', 'reviews', 'reviewsHint'], ['offers', 'offers', 'offersHint'],
    ['favorites', 'favorites', 'favoritesHint'], ['recommendations', 'recommendations', 'recommendationsHint'],
  ];
  return h('nav', { class: 'acc-links', 'aria-label': t('title') },
    h('ul', {}, items.map(([path, label, hint]) => h('li', {},
      link(path, h('span', { class: 'acc-link-label' }, t(label)), h('span', { class: 'acc-link-hint' }, t(hint)))))));
}

// ---- notifications ------------------------------------------------------------

function notifications(ctx, loaded, push) {
  let doc = loaded;
  const channels = CHANNELS.filter((c) => (doc.available_channels || []).includes(c));
  const boxes = {}; // category → channel → checkbox

  const table = h('table', { class: 'acc-grid' },
    h('caption', { class: 'acc-sr-only' }, t('gridCaption')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('topic')), channels.map((c) => h('th', { scope: 'col' }, t(`ch_${c}`))))),
    h('tbody', {}, CATEGORIES.map((cat) => {
      boxes[cat] = {};
      return h('tr', { dataset: { category: cat } },
        h('th', { scope: 'row' }, h('span', { class: 'acc-cat' }, t(`cat_${cat}`)), h('span', { class: 'acc-cat-hint' }, t(`catHint_${cat}`))),
        channels.map((ch) => {
          const box = h('input', { type: 'checkbox', name: `${cat}.${ch}`, dataset: { category: cat, channel: ch } });
          boxes[cat][ch] = box;
          return h('td', {}, h('label', { class: 'acc-cell' }, box, srOnly(`${t(`cat_${cat}`)} — ${t(`ch_${ch}`)}`)));
        }));
    })));

  const consent = h('input', { type: 'checkbox', name: 'marketing_consent', id: 'acc-marketing' });
  // The text the consent is given to, as the clinic has it (its version is
  // recorded with the consent).
  const consentText = h('details', { class: 'acc-consent-text' }, h('summary', {}, t('marketingText')));
  get('consent-texts').then((res) => {
    const mk = (res.texts || []).find((x) => x.type === 'marketing');
    if (mk) consentText.append(...mk.paragraphs.map((p) => h('p', {}, p[lang()] || p.ru)), h('p', { class: 'hint' }, t('marketingVersion', { v: mk.version })));
  }).catch(() => { consentText.hidden = true; });
  const quietOn = h('input', { type: 'checkbox', name: 'quiet_on', id: 'acc-quiet-on' });
  const quietStart = h('input', { type: 'time', name: 'quiet_hours.start', required: true, step: 300 });
  const quietEnd = h('input', { type: 'time', name: 'quiet_hours.end', required: true, step: 300 });
  const zone = h('select', { name: 'time_zone' });
  const status = h('p', { class: 'acc-status', role: 'status', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit' }, t('saveSettings'));

  function fill(d) {
    for (const cat of CATEGORIES) {
      for (const ch of channels) boxes[cat][ch].checked = (d.channels?.[cat] || []).includes(ch);
    }
    const given = !!(d.marketing_consent && (d.marketing_consent.granted ?? d.marketing_consent.given));
    consent.checked = given;
    quietOn.checked = !!d.quiet_hours;
    quietStart.value = d.quiet_hours?.start || '21:00';
    quietEnd.value = d.quiet_hours?.end || '09:00';
    const zones = ZONES.some(([z]) => z === d.time_zone) ? ZONES : [[d.time_zone, d.time_zone, d.time_zone], ...ZONES];
    mount(zone, zones.map(([z, ru, en]) => h('option', { value: z }, `${lang() === 'en' ? en : ru} (${utcOffset(z)})`)));
    zone.value = d.time_zone;
    syncQuiet();
  }
  function syncQuiet() {
    quietStart.disabled = !quietOn.checked;
    quietEnd.disabled = !quietOn.checked;
  }
  quietOn.addEventListener('change', syncQuiet);
  consent.addEventListener('change', () => { status.textContent = ''; });

  const form = h('form', { class: 'acc-notify', novalidate: true },
    h('p', { class: 'muted' }, t('notificationsIntro')),
    h('div', { class: 'acc-grid-wrap' }, table),
    h('p', { class: 'acc-security' }, h('strong', {}, `${t('securityTitle')}. `), doc.security),
    h('fieldset', {},
      h('legend', {}, t('marketing')),
      h('div', { class: 'check' }, consent, h('label', { for: consent.id }, t('marketingLabel'))),
      consentText,
      h('p', { class: 'hint' }, t('marketingHint'))),
    h('fieldset', { dataset: { field: 'quiet_hours' } },
      h('legend', {}, t('quiet')),
      h('div', { class: 'check' }, quietOn, h('label', { for: quietOn.id }, t('quietLabel'))),
      h('div', { class: 'acc-quiet' },
        field({ label: t('quietStart'), input: quietStart }),
        field({ label: t('quietEnd'), input: quietEnd })),
      field({ label: t('timeZone'), input: zone }),
      h('p', { class: 'hint' }, t('quietHint'))),
    h('div', { class: 'actions' }, save), status);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    status.textContent = '';
    if (quietOn.checked && (!quietStart.value || !quietEnd.value)) {
      showFieldError(form, { field: quietStart.value ? 'quiet_hours.end' : 'quiet_hours.start', message: t('required') });
      return;
    }
    // The document read, sent back with the changes: the API takes it whole.
    const next = structuredClone(doc);
    for (const cat of CATEGORIES) {
      // Keep the preference order of the channels already chosen; new ones go last.
      const was = (doc.channels?.[cat] || []).filter((ch) => !channels.includes(ch) || boxes[cat][ch].checked);
      const added = channels.filter((ch) => boxes[cat][ch].checked && !was.includes(ch));
      next.channels[cat] = [...was, ...added];
    }
    // Only a change of the consent is sent: a page loaded before the client
    // withdrew it elsewhere must not give it again by saving something else.
    const wasGiven = !!(doc.marketing_consent && (doc.marketing_consent.granted ?? doc.marketing_consent.given));
    if (consent.checked !== wasGiven) next.marketing_consent = { ...doc.marketing_consent, given: consent.checked, granted: consent.checked };
    else delete next.marketing_consent;
    next.quiet_hours = quietOn.checked ? { start: quietStart.value.slice(0, 5), end: quietEnd.value.slice(0, 5) } : null;
    next.time_zone = zone.value;
    busy(save, async () => {
      try {
        doc = await put('me/notification-settings', next);
        fill(doc);
        status.textContent = t('savedAt');
        toast(t('saved'));
      } catch (err) {
        if (err.status === 401) return;
        const f = (err.field || '').split('.')[0] === 'channels' ? '' : err.field;
        if (!f || !showFieldError(form, { ...err, field: f })) form.prepend(Object.assign(errorBox(err), { className: 'alert error form-error' }));
      }
    });
  });

  fill(doc);
  return section(t('notifications'), { class: 'acc-notifications' }, form, push ? pushBlock(doc, push) : null);
}

function pushBlock(doc, initial) {
  const box = h('div', { class: 'acc-push card', dataset: { state: initial } });
  const draw = (state, message) => {
    box.dataset.state = state;
    let text, button = null;
    switch (state) {
      case 'unsupported': text = t('pushUnsupported'); break;
      case 'denied': text = t('pushDenied'); break;
      case 'failed': text = t('pushFailed'); break;
      case 'on':
        text = t('pushIsOn');
        button = h('button', { type: 'button', class: 'secondary', onClick: (e) => busy(e.currentTarget, async () => {
          try { draw(await pushOff()); toast(t('pushTurnedOff')); } catch { draw('on'); }
        }) }, t('pushOff'));
        break;
      default:
        text = t('pushIsOff');
        button = h('button', { type: 'button', class: 'secondary', onClick: (e) => busy(e.currentTarget, async () => {
          let next;
          try { next = await pushOn(doc.push.vapid_public_key); } catch (err) { next = err && err.status === 401 ? 'off' : 'failed'; }
          draw(next, true);
          if (next === 'on') toast(t('pushTurnedOn'));
        }) }, t('pushOn'));
    }
    mount(box, h('h3', {}, t('pushTitle')), h('p', { class: 'acc-push-text', role: message ? 'status' : null }, text), button);
  };
  draw(pushSupported() ? initial : 'unsupported');
  return box;
}

// ---- language -------------------------------------------------------------------

function languageSection() {
  const choice = (code, label) => h('button', {
    type: 'button', class: 'chip', lang: code, 'aria-pressed': String(lang() === code),
    onClick: () => { if (lang() !== code) setLang(code); },
  }, label);
  return section(t('language'), { class: 'acc-language' },
    h('div', { role: 'group', 'aria-label': t('languageLegend'), class: 'chips' }, choice('ru', 'Русский'), choice('en', 'English')));
}

// ---- my data ----------------------------------------------------------------------

function dataSection(ctx) {
  const panel = h('div', { class: 'acc-erase', hidden: true });
  const open = h('button', { type: 'button', class: 'danger', 'aria-expanded': 'false', 'aria-controls': 'acc-erase-panel' }, t('eraseOpen'));
  panel.id = 'acc-erase-panel';
  open.addEventListener('click', () => {
    const show = panel.hidden;
    panel.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (show) { eraseStepOne(ctx, panel); panel.querySelector('input')?.focus(); }
  });
  return section(t('data'), { class: 'acc-data' },
    h('p', {}, t('exportText')),
    h('p', {}, h('a', { class: 'button secondary', href: 'api/v1/me/export', download: 'kabinet-export.zip' }, t('exportLink'))),
    h('h3', {}, t('eraseTitle')),
    h('div', { class: 'actions' }, open),
    panel);
}

function eraseStepOne(ctx, panel) {
  const user = ctx.session.user || {};
  const understood = h('input', { type: 'checkbox', name: 'understood', id: 'acc-erase-understood' });
  const targets = [];
  if (user.phone) targets.push(['sms', t('eraseToPhone', { to: user.phone })]);
  if (user.email) targets.push(['email', t('eraseToEmail', { to: user.email })]);
  const radios = targets.map(([value, label], i) => {
    const r = h('input', { type: 'radio', name: 'erase_channel', value, id: `acc-erase-ch-${value}`, checked: i === 0 });
    return h('div', { class: 'check' }, r, h('label', { for: r.id }, label));
  });
  const button = h('button', { type: 'submit', class: 'danger' }, t('eraseGetCode'));
  const form = h('form', { class: 'acc-erase-form', novalidate: true },
    h('div', { class: 'alert error', role: 'note' },
      h('p', {}, h('strong', {}, t('eraseWarning'))), h('p', {}, t('eraseWhat')), h('p', {}, t('eraseKept'))),
    h('p', {}, t('eraseExportFirst')),
    h('div', { class: 'field', dataset: { field: 'understood' } },
      h('div', { class: 'check' }, understood, h('label', { for: understood.id }, t('eraseConfirm'))),
      h('p', { class: 'field-error', id: 'acc-erase-understood-error', hidden: true })),
    targets.length > 1 ? h('fieldset', { dataset: { field: 'channel' } }, h('legend', {}, t('eraseChannel')), radios,
      h('p', { class: 'field-error', hidden: true })) : null,
    h('div', { class: 'actions' }, button));
  understood.setAttribute('aria-describedby', 'acc-erase-understood-error');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!understood.checked) { showFieldError(form, { field: 'understood', message: t('eraseConfirmNeeded') }); return; }
    const channel = form.querySelector('input[name=erase_channel]:checked')?.value;
    busy(button, async () => {
      try {
        const ticket = await post('me/erasure/code', channel ? { channel } : {});
        eraseStepTwo(ctx, panel, ticket);
      } catch (err) {
        if (err.status === 401) return;
        if (!showFieldError(form, err)) form.prepend(Object.assign(errorBox(err), { className: 'alert error form-error' }));
      }
    });
  });
  mount(panel, form);
}

function eraseStepTwo(ctx, panel, ticket) {
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, class: 'code-input', required: true });
  const button = h('button', { type: 'submit', class: 'danger' }, t('eraseDo'));
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancel'));
  const form = h('form', { class: 'acc-erase-form', novalidate: true },
    h('p', { role: 'status' }, t('eraseSent')),
    field({ label: t('eraseCode'), input: code, hint: t('eraseCodeHint') }),
    h('div', { class: 'actions' }, button, cancel));
  cancel.addEventListener('click', () => eraseStepOne(ctx, panel));
  code.addEventListener('input', () => { code.value = code.value.replace(/\D/g, '').slice(0, 6); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const value = code.value.trim();
    if (!/^\d{6}$/.test(value)) { showFieldError(form, { field: 'code', message: t('eraseCodeFormat') }); return; }
    busy(button, async () => {
      try {
        await del('me', { body: { challenge_id: ticket.challenge_id, code: value } });
      } catch (err) {
        if (err.status === 401) return; // the session itself is gone: the app signs out
        if (err.status === 410) { // expired or out of attempts: start over
          eraseStepOne(ctx, panel);
          panel.prepend(h('div', { class: 'alert error', role: 'alert' }, err.message || t('error')));
          return;
        }
        code.value = '';
        const left = err.body?.error?.attempts_left;
        const msg = (err.message || t('error')) + (typeof left === 'number' ? t('attemptsLeft', { n: left }) : '');
        if (!showFieldError(form, { field: 'code', message: msg })) form.prepend(h('div', { class: 'alert error form-error', role: 'alert' }, msg));
        return;
      }
      await ctx.refreshSession().catch(() => {});
      ctx.navigate('sign-in', { replace: true });
      toast(t('eraseDone'));
    });
  });
  mount(panel, form);
  code.focus();
}

async function signOut(ctx) {
  try { await post('auth/logout'); } catch { /* gone already */ }
  await ctx.refreshSession();
  ctx.navigate('sign-in', { replace: true });
}
