// The questionnaire: personal answers (no consent needed) and health
// answers — skin type, phototype, concerns with their severity, allergies,
// contraindications, home care — which need the health_data consent. The
// consent is asked in place, with its text; a save the API refuses for a
// missing consent (403 consent_required) asks for it and saves again.

import { get, put } from '../api.js';
import { dict, fmtDateTime } from '../i18n.js';
import { h, mount, field, errorBox, busy, toast, uid } from '../dom.js';
import { t as ct, CONCERNS, label, consents, consentPanel, branches, backLink, today } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Анкета',
    intro: 'Ответы помогают специалистам подобрать процедуры и уход. Заполните, что знаете, — остальное можно добавить позже.',
    personal: 'О вас', health: 'Кожа и здоровье',
    name: 'Имя и фамилия', birthDate: 'Дата рождения', gender: 'Пол', genderNone: 'Не указан',
    female: 'Женский', male: 'Мужской', other: 'Другой',
    locale: 'Язык сообщений', localeNone: 'Как в кабинете', ru: 'Русский', en: 'English',
    branch: 'Удобный филиал', branchNone: 'Любой',
    skinType: 'Тип кожи', notSure: 'Не знаю',
    normal: 'Нормальная', dry: 'Сухая', oily: 'Жирная', combination: 'Комбинированная', sensitive: 'Чувствительная',
    phototype: 'Фототип', phototypeHint: 'Как кожа реагирует на солнце (шкала Фицпатрика)',
    pt1: 'I — всегда обгорает, не загорает', pt2: 'II — легко обгорает, загорает с трудом', pt3: 'III — иногда обгорает, загорает постепенно',
    pt4: 'IV — редко обгорает, легко загорает', pt5: 'V — почти не обгорает, смуглая кожа', pt6: 'VI — не обгорает, тёмная кожа',
    concerns: 'Что беспокоит', concernsHint: 'Отметьте и укажите, насколько выражено',
    severity: 'Выраженность', sev1: '1 — слабо', sev2: '2 — умеренно', sev3: '3 — сильно',
    noneConcerns: 'Ничего не беспокоит',
    contraindications: 'Противопоказания', contraHint: 'Отметьте всё, что относится к вам сейчас',
    noneContra: 'Ничего из перечисленного',
    pregnancy: 'Беременность', breastfeeding: 'Грудное вскармливание', isotretinoin: 'Приём изотретиноина (Роаккутан и аналоги)',
    active_herpes: 'Герпес в активной фазе', skin_infection: 'Воспаление или инфекция кожи', sunburn: 'Недавний солнечный ожог',
    anticoagulants: 'Приём антикоагулянтов', pacemaker: 'Кардиостимулятор', keloid_tendency: 'Склонность к келоидным рубцам',
    allergies: 'Аллергии', allergiesHint: 'По одной на строку, например: лидокаин',
    noneAllergies: 'Аллергий нет',
    homeCare: 'Домашний уход', homeCareHint: 'Средства, которыми пользуетесь сейчас, по одному на строку',
    locked: 'Чтобы заполнить эти ответы, дайте согласие на обработку данных о здоровье.',
    consentOk: 'Согласие на обработку данных о здоровье дано',
    save: 'Сохранить анкету', savedVersion: ({ v }) => `Анкета сохранена (версия ${v}).`,
    lastSaved: ({ at, by }) => `Последнее изменение: ${at}${by === 'staff' ? ', внесено специалистом' : ''}.`,
    askConsent: 'Ответы о здоровье сохранятся после согласия. Прочитайте его текст ниже.',
    errorsAbove: 'Проверьте отмеченные поля.',
  },
  en: {
    title: 'Questionnaire',
    intro: 'Your answers help the specialists choose procedures and care. Fill in what you know — you can add the rest later.',
    personal: 'About you', health: 'Skin and health',
    name: 'Full name', birthDate: 'Date of birth', gender: 'Gender', genderNone: 'Not given',
    female: 'Female', male: 'Male', other: 'Other',
    locale: 'Language of messages', localeNone: 'As in the cabinet', ru: 'Русский', en: 'English',
    branch: 'Preferred branch', branchNone: 'Any',
    skinType: 'Skin type', notSure: 'Not sure',
    normal: 'Normal', dry: 'Dry', oily: 'Oily', combination: 'Combination', sensitive: 'Sensitive',
    phototype: 'Phototype', phototypeHint: 'How your skin reacts to the sun (Fitzpatrick scale)',
    pt1: 'I — always burns, never tans', pt2: 'II — burns easily, tans with difficulty', pt3: 'III — sometimes burns, tans gradually',
    pt4: 'IV — rarely burns, tans easily', pt5: 'V — very rarely burns, brown skin', pt6: 'VI — never burns, dark skin',
    concerns: 'What concerns you', concernsHint: 'Tick and say how marked it is',
    severity: 'Severity', sev1: '1 — mild', sev2: '2 — moderate', sev3: '3 — marked',
    noneConcerns: 'Nothing concerns me',
    contraindications: 'Contraindications', contraHint: 'Tick everything that applies to you now',
    noneContra: 'None of these',
    pregnancy: 'Pregnancy', breastfeeding: 'Breastfeeding', isotretinoin: 'Taking isotretinoin (Roaccutane or similar)',
    active_herpes: 'Active herpes', skin_infection: 'Skin inflammation or infection', sunburn: 'Recent sunburn',
    anticoagulants: 'Taking anticoagulants', pacemaker: 'Pacemaker', keloid_tendency: 'Tendency to keloid scars',
    allergies: 'Allergies', allergiesHint: 'One per line, for example: lidocaine',
    noneAllergies: 'No known allergies',
    homeCare: 'Home care', homeCareHint: 'Products you use now, one per line',
    locked: 'To fill in these answers, give your consent to processing health data.',
    consentOk: 'Consent to processing health data given',
    save: 'Save the questionnaire', savedVersion: ({ v }) => `Questionnaire saved (version ${v}).`,
    lastSaved: ({ at, by }) => `Last changed ${at}${by === 'staff' ? ', by a specialist' : ''}.`,
    askConsent: 'Your health answers will be saved once you consent. Please read the text below.',
    errorsAbove: 'Please check the marked fields.',
  },
});

const CONTRA = ['pregnancy', 'breastfeeding', 'isotretinoin', 'active_herpes', 'skin_infection', 'sunburn', 'anticoagulants', 'pacemaker', 'keloid_tendency'];
const SKIN = ['normal', 'dry', 'oily', 'combination', 'sensitive'];

const lines = (v) => [...new Set(v.split('\n').map((x) => x.trim()).filter(Boolean))];

function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) => h('option', { value: v, selected: String(value ?? '') === String(v) }, text)));
}

function check(name, value, text, checked) {
  const input = h('input', { type: 'checkbox', name, value, checked: !!checked, id: uid(name) });
  return h('label', { class: 'check', for: input.id }, input, h('span', {}, text));
}

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [profile, cons, branchMap] = await Promise.all([get('me/profile'), consents(), branches()]);
  let healthConsent = !!cons.health_data?.granted;
  let current = profile;

  const status = h('div', { class: 'kc-status', role: 'status', 'aria-live': 'polite' });
  const lastSaved = h('p', { class: 'hint kc-last' });
  const showLast = (p) => {
    lastSaved.textContent = p.updated_at ? t('lastSaved', { at: fmtDateTime(p.updated_at), by: p.updated_by }) : '';
  };
  showLast(profile);

  // Personal answers.
  const nameIn = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: 100, value: profile.name || '' });
  const birthIn = h('input', { type: 'date', name: 'birth_date', autocomplete: 'bday', min: '1900-01-01', max: today(), value: profile.birth_date || '' });
  const genderIn = select('gender', [['', t('genderNone')], ['female', t('female')], ['male', t('male')], ['other', t('other')]], profile.gender);
  const localeIn = select('locale', [['', t('localeNone')], ['ru', t('ru')], ['en', t('en')]], profile.locale);
  const branchIn = select('preferred_branch_id', [['', t('branchNone')], ...Object.values(branchMap).map((b) => [b.id, b.name])], profile.preferred_branch_id);
  const personal = h('section', { class: 'card kc-section', 'aria-labelledby': 'q-personal' },
    h('h2', { id: 'q-personal' }, t('personal')),
    field({ label: t('name'), input: nameIn }),
    h('div', { class: 'grid two' }, field({ label: t('birthDate'), input: birthIn }), field({ label: t('gender'), input: genderIn })),
    h('div', { class: 'grid two' }, field({ label: t('locale'), input: localeIn }), field({ label: t('branch'), input: branchIn })));

  // Health answers.
  const skinSet = h('fieldset', { class: 'kc-radios', dataset: { field: 'skin_type' } },
    h('legend', {}, t('skinType')),
    [...SKIN, ''].map((v) => {
      const r = h('input', { type: 'radio', name: 'skin_type', value: v, id: uid('skin'), checked: (profile.skin_type || '') === v });
      return h('label', { class: 'check', for: r.id }, r, h('span', {}, v ? t(v) : t('notSure')));
    }),
    h('p', { class: 'field-error', hidden: true }));
  const phototypeSet = h('fieldset', { class: 'kc-radios', dataset: { field: 'phototype' } },
    h('legend', {}, t('phototype')), h('p', { class: 'hint' }, t('phototypeHint')),
    ['1', '2', '3', '4', '5', '6', ''].map((v) => {
      const r = h('input', { type: 'radio', name: 'phototype', value: v, id: uid('pt'), checked: String(profile.phototype ?? '') === v });
      return h('label', { class: 'check', for: r.id }, r, h('span', {}, v ? t(`pt${v}`) : t('notSure')));
    }),
    h('p', { class: 'field-error', hidden: true }));

  const bySeverity = Object.fromEntries((profile.concerns || []).map((c) => [c.code, c.severity]));
  // Codes this page does not know yet (the API may add some) are kept, shown by their code.
  const concernCodes = [...CONCERNS, ...Object.keys(bySeverity).filter((c) => !CONCERNS.includes(c))];
  const concernRows = concernCodes.map((code) => {
    const box = h('input', { type: 'checkbox', name: 'concern', value: code, id: uid('concern'), checked: code in bySeverity });
    const sev = h('select', { name: `severity-${code}`, id: uid('severity'), disabled: !(code in bySeverity) },
      [1, 2, 3].map((n) => h('option', { value: String(n), selected: (bySeverity[code] || 2) === n }, t(`sev${n}`))));
    const sevBox = h('div', { class: 'kc-severity', hidden: !(code in bySeverity) },
      h('label', { for: sev.id }, t('severity'), h('span', { class: 'kc-vh' }, `: ${label(code)}`)), sev);
    box.addEventListener('change', () => {
      sev.disabled = !box.checked;
      sevBox.hidden = !box.checked;
      if (box.checked) noneConcerns.querySelector('input').checked = false;
    });
    return h('div', { class: 'kc-concern', dataset: { concern: code } },
      h('label', { class: 'check', for: box.id }, box, h('span', {}, label(code))), sevBox);
  });
  const noneConcerns = check('concerns-none', '1', t('noneConcerns'), Array.isArray(profile.concerns) && profile.concerns.length === 0);
  noneConcerns.querySelector('input').addEventListener('change', (e) => {
    if (!e.target.checked) return;
    concernRows.forEach((row) => {
      row.querySelector('input[type=checkbox]').checked = false;
      row.querySelector('select').disabled = true;
      row.querySelector('.kc-severity').hidden = true;
    });
  });
  const concernSet = h('fieldset', { dataset: { field: 'concerns' } },
    h('legend', {}, t('concerns')), h('p', { class: 'hint' }, t('concernsHint')),
    h('div', { class: 'kc-concerns' }, concernRows), noneConcerns,
    h('p', { class: 'field-error', hidden: true }));

  const contraHave = new Set(profile.contraindications || []);
  const contraCodes = [...CONTRA, ...[...contraHave].filter((c) => !CONTRA.includes(c))];
  const contraBoxes = contraCodes.map((code) => check('contraindication', code, t(code), contraHave.has(code)));
  const noneContra = check('contra-none', '1', t('noneContra'), Array.isArray(profile.contraindications) && profile.contraindications.length === 0);
  contraBoxes.forEach((l) => l.querySelector('input').addEventListener('change', (e) => { if (e.target.checked) noneContra.querySelector('input').checked = false; }));
  noneContra.querySelector('input').addEventListener('change', (e) => {
    if (e.target.checked) contraBoxes.forEach((l) => { l.querySelector('input').checked = false; });
  });
  const contraSet = h('fieldset', { dataset: { field: 'contraindications' } },
    h('legend', {}, t('contraindications')), h('p', { class: 'hint' }, t('contraHint')),
    h('div', { class: 'kc-checks' }, contraBoxes), noneContra,
    h('p', { class: 'field-error', hidden: true }));

  const allergiesIn = h('textarea', { name: 'allergies', rows: 3, maxlength: 3100 }, (profile.allergies || []).join('\n'));
  const noneAllergies = check('allergies-none', '1', t('noneAllergies'), Array.isArray(profile.allergies) && profile.allergies.length === 0);
  const syncAllergies = () => { allergiesIn.disabled = noneAllergies.querySelector('input').checked; };
  noneAllergies.querySelector('input').addEventListener('change', syncAllergies);
  syncAllergies();
  const homeCareIn = h('textarea', { name: 'home_care', rows: 3, maxlength: 6100 }, (profile.home_care || []).join('\n'));

  const healthFields = h('fieldset', { class: 'kc-plain', disabled: !healthConsent, hidden: !healthConsent },
    h('legend', { class: 'kc-vh' }, t('health')),
    skinSet,
    phototypeSet,
    concernSet, contraSet,
    h('div', { class: 'kc-field-group', dataset: { field: 'allergies' } },
      field({ label: t('allergies'), input: allergiesIn, hint: t('allergiesHint') }), noneAllergies),
    field({ label: t('homeCare'), input: homeCareIn, hint: t('homeCareHint') }));
  // field() puts data-field on its own box; allergies' outer box carries it, so drop the inner duplicate.
  healthFields.querySelector('[data-field="allergies"] [data-field="allergies"]')?.removeAttribute('data-field');

  const consentSlot = h('div', { class: 'kc-consent-slot' });
  const lockedNote = h('p', { class: 'notice kc-locked' }, t('locked'));
  const consentOk = h('p', { class: 'kc-consent-ok' }, h('span', { class: 'badge ok' }, '✓'), ' ', t('consentOk'));
  let pendingSave = false;
  const showConsent = (why) => {
    lockedNote.textContent = why || t('locked');
    mount(consentSlot, lockedNote, consentPanel('health_data', async () => {
      healthConsent = true;
      healthFields.disabled = false;
      healthFields.hidden = false;
      mount(consentSlot, consentOk);
      toast(ct('consentGiven'));
      if (pendingSave) { pendingSave = false; await save(); } else skinSet.querySelector('input')?.focus();
    }, { headingLevel: 'h3' }));
  };
  if (healthConsent) mount(consentSlot, consentOk); else showConsent();

  const health = h('section', { class: 'card kc-section', 'aria-labelledby': 'q-health' },
    h('h2', { id: 'q-health' }, t('health')), consentSlot, healthFields);

  const saveButton = h('button', { type: 'submit' }, t('save'));
  const form = h('form', { class: 'kc-questionnaire', novalidate: true, 'aria-labelledby': 'q-title' },
    personal, health, status, h('div', { class: 'actions' }, saveButton), lastSaved);

  function collect() {
    const body = {
      name: nameIn.value.trim(),
      birth_date: birthIn.value || null,
      gender: genderIn.value,
      locale: localeIn.value,
      preferred_branch_id: branchIn.value,
    };
    if (!healthConsent) return body;
    const skin = skinSet.querySelector('input:checked');
    body.skin_type = skin ? skin.value : '';
    const pt = phototypeSet.querySelector('input:checked');
    body.phototype = pt && pt.value ? Number(pt.value) : null;
    const picked = concernRows.filter((r) => r.querySelector('input[type=checkbox]').checked)
      .map((r) => ({ code: r.dataset.concern, severity: Number(r.querySelector('select').value) }));
    body.concerns = picked.length ? picked : (noneConcerns.querySelector('input').checked ? [] : null);
    const contra = contraBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    body.contraindications = contra.length ? contra : (noneContra.querySelector('input').checked ? [] : null);
    const al = lines(allergiesIn.value);
    body.allergies = noneAllergies.querySelector('input').checked ? [] : (al.length ? al : null);
    const hc = lines(homeCareIn.value);
    body.home_care = hc.length ? hc : null;
    return body;
  }

  function clearFieldErrors() {
    form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    status.replaceChildren();
  }

  function showError(err) {
    // "concerns[1].severity" → the concerns group; "allergies[0]" → allergies.
    const name = (err.field || '').replace(/\[.*$/, '').replace(/\..*$/, '');
    const box = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (box) {
      const p = box.querySelector(':scope > .field-error') || box.querySelector('.field-error');
      p.textContent = err.message;
      p.hidden = false;
      const input = box.querySelector('input:not([type=checkbox]):not([type=radio]),select,textarea') || box.querySelector('input');
      input?.setAttribute('aria-invalid', 'true');
      input?.focus();
      mount(status, h('div', { class: 'alert error', role: 'alert' }, t('errorsAbove')));
      return;
    }
    mount(status, errorBox(err));
  }

  async function save() {
    clearFieldErrors();
    try {
      current = await put('me/profile', collect());
    } catch (err) {
      if (err.status === 403 && err.code === 'consent_required') {
        healthConsent = false;
        healthFields.disabled = true;
        pendingSave = true;
        showConsent(t('askConsent'));
        consentSlot.querySelector('input[type=checkbox]')?.focus();
        return;
      }
      showError(err);
      return;
    }
    showLast(current);
    mount(status, h('div', { class: 'alert ok' }, t('savedVersion', { v: current.version })));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(saveButton, save);
  });

  mount(ctx.main, backLink(), h('h1', { id: 'q-title' }, t('title')), h('p', { class: 'muted' }, t('intro')), form);
  return undefined;
}
