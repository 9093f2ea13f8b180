// A client's card for staff who may see it: name and contacts, upcoming
// appointments, the questionnaire's skin answers (skin type, concerns,
// allergies, contraindications — what a specialist checks before a
// procedure), the visits with the notes and recommendations written after
// them, and past appointments. Each part read is on the audit trail, as in
// the API. A card the member of staff may not see is "not found", exactly
// as one that does not exist.

import { get } from '../api.js';
import { dict, fmtCalendarDate, fmtDate, isoDay } from '../i18n.js';
import { h, mount, link } from '../dom.js';
import { st, rolesOf, appointmentItem, notFoundView, pathWith, dayTitle, branches } from '../staff-lib.js';

const t = dict({
  ru: {
    card: 'Карта клиента', contacts: 'Контакты', phone: 'Телефон', email: 'E-mail', none: 'нет',
    upcoming: 'Предстоящие записи', noUpcoming: 'Предстоящих записей нет.',
    questionnaire: 'Анкета', notFilled: 'Клиент ещё не заполнил анкету.', updated: ({ d }) => `Обновлена ${d}`,
    skin: 'Тип кожи', phototype: 'Фототип', concerns: 'Что беспокоит', allergies: 'Аллергии', contra: 'Противопоказания',
    homeCare: 'Домашний уход сейчас', birth: 'Дата рождения', noneList: 'нет', unanswered: 'не указано',
    visits: 'Визиты и рекомендации', noVisits: 'Завершённых визитов пока нет.', recs: 'Рекомендации',
    past: 'Прошлые и отменённые записи', noPast: 'Нет.',
    audited: 'Просмотр карты записывается в журнал доступа.',
    kind_procedure: 'Процедура', kind_product: 'Средство', kind_home_care: 'Домашний уход',
    skin_normal: 'нормальная', skin_dry: 'сухая', skin_oily: 'жирная', skin_combination: 'комбинированная', skin_sensitive: 'чувствительная',
    c_acne: 'акне', c_post_acne: 'постакне', c_pigmentation: 'пигментация', c_rosacea: 'розацеа, купероз', c_wrinkles: 'морщины',
    c_loss_of_firmness: 'потеря упругости', c_dehydration: 'обезвоженность', c_enlarged_pores: 'расширенные поры', c_dullness: 'тусклый цвет', c_sensitivity: 'чувствительность',
    x_pregnancy: 'беременность', x_breastfeeding: 'грудное вскармливание', x_isotretinoin: 'изотретиноин (6 мес.)', x_active_herpes: 'герпес в активной фазе',
    x_skin_infection: 'инфекция кожи', x_sunburn: 'недавний солнечный ожог', x_anticoagulants: 'антикоагулянты', x_pacemaker: 'кардиостимулятор', x_keloid_tendency: 'склонность к келоидам',
  },
  en: {
    card: "Client's card", contacts: 'Contacts', phone: 'Phone', email: 'E-mail', none: 'none',
    upcoming: 'Upcoming appointments', noUpcoming: 'No upcoming appointments.',
    questionnaire: 'Questionnaire', notFilled: 'The client has not filled in the questionnaire yet.', updated: ({ d }) => `Updated ${d}`,
    skin: 'Skin type', phototype: 'Phototype', concerns: 'Concerns', allergies: 'Allergies', contra: 'Contraindications',
    homeCare: 'Home care now', birth: 'Date of birth', noneList: 'none', unanswered: 'not given',
    visits: 'Visits and recommendations', noVisits: 'No completed visits yet.', recs: 'Recommendations',
    past: 'Past and cancelled appointments', noPast: 'None.',
    audited: 'Opening a card is recorded in the access log.',
    kind_procedure: 'Procedure', kind_product: 'Product', kind_home_care: 'Home care',
    skin_normal: 'normal', skin_dry: 'dry', skin_oily: 'oily', skin_combination: 'combination', skin_sensitive: 'sensitive',
    c_acne: 'acne', c_post_acne: 'post-acne', c_pigmentation: 'pigmentation', c_rosacea: 'rosacea', c_wrinkles: 'wrinkles',
    c_loss_of_firmness: 'loss of firmness', c_dehydration: 'dehydration', c_enlarged_pores: 'enlarged pores', c_dullness: 'dullness', c_sensitivity: 'sensitivity',
    x_pregnancy: 'pregnancy', x_breastfeeding: 'breastfeeding', x_isotretinoin: 'isotretinoin (6 months)', x_active_herpes: 'active herpes',
    x_skin_infection: 'skin infection', x_sunburn: 'recent sunburn', x_anticoagulants: 'anticoagulants', x_pacemaker: 'pacemaker', x_keloid_tendency: 'keloid tendency',
  },
});

const known = (prefix, code) => { const v = t(`${prefix}${code}`); return v === `${prefix}${code}` ? code : v; };

export async function render(ctx) {
  const id = ctx.params.id;
  let overview;
  try {
    overview = await get(`staff/clients/${encodeURIComponent(id)}/overview`);
  } catch (err) {
    if (err.status === 404) { notFoundView(ctx); return undefined; }
    throw err;
  }
  const base = `staff/clients/${encodeURIComponent(id)}`;
  const [profile, visits] = await Promise.all([
    get(`${base}/profile`).catch((err) => (err.status === 404 ? null : Promise.reject(err))),
    get(`${base}/visits`).then((x) => x.visits).catch((err) => (err.status === 404 ? [] : Promise.reject(err))),
  ]);
  const c = overview.client;
  const name = c.name || st('noName');
  ctx.setTitle(`${t('card')}: ${name}`);
  const roles = rolesOf(ctx.session);
  const now = Date.now();
  const upcoming = overview.appointments.filter((a) => ['pending', 'confirmed'].includes(a.status) && Date.parse(a.end) > now).reverse();
  const past = overview.appointments.filter((a) => !upcoming.includes(a) && a.status !== 'completed');
  const zones = new Map((await branches()).map((b) => [b.id, b.time_zone]));
  const zoneOf = (a) => zones.get(a.branch_id) || 'UTC';

  mount(ctx.main,
    h('div', { class: 'staff-head' },
      h('p', { class: 'muted staff-kicker' }, t('card')),
      h('h1', {}, name)),
    h('div', { class: 'staff-client-grid' },
      h('section', { class: 'card staff-contacts', 'aria-labelledby': 'contacts-h' },
        h('h2', { id: 'contacts-h' }, t('contacts')),
        h('dl', { class: 'staff-dl' },
          h('dt', {}, t('phone')), h('dd', {}, c.phone ? h('a', { href: `tel:${c.phone}` }, c.phone) : t('none')),
          h('dt', {}, t('email')), h('dd', {}, c.email ? h('a', { href: `mailto:${c.email}` }, c.email) : t('none'))),
        roles.frontDesk ? h('div', { class: 'actions' }, h('a', { class: 'button', href: pathWith('staff/book', { client: id }) }, st('bookFor'))) : null,
        h('p', { class: 'hint' }, t('audited'))),
      questionnaire(profile)),
    h('section', { 'aria-labelledby': 'up-h' },
      h('h2', { id: 'up-h' }, t('upcoming')),
      withDates(upcoming, t('noUpcoming'), zoneOf)),
    h('section', { 'aria-labelledby': 'visits-h' },
      h('h2', { id: 'visits-h' }, t('visits')),
      visits.length ? h('ul', { class: 'list staff-visits' }, visits.map((v) => visitItem(v, zones.get(v.branch_id)))) : h('p', { class: 'muted' }, t('noVisits'))),
    h('section', { 'aria-labelledby': 'past-h' },
      h('h2', { id: 'past-h' }, t('past')),
      withDates(past, t('noPast'), zoneOf)));
  return undefined;
}

/** Appointments with their dates, in each branch's zone. */
function withDates(list, empty, zoneOf) {
  if (!list.length) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'list staff-appts' }, list.map((a) => {
    const item = appointmentItem(a, zoneOf(a), { specialist: true });
    item.querySelector('.staff-appt-time').prepend(h('span', { class: 'staff-appt-date' }, dayTitle(isoDay(a.start, zoneOf(a)), 'short')));
    return item;
  }));
}

function questionnaire(p) {
  const box = h('section', { class: 'card staff-questionnaire', 'aria-labelledby': 'q-h' }, h('h2', { id: 'q-h' }, t('questionnaire')));
  if (!p || !p.version) { box.append(h('p', { class: 'muted' }, t('notFilled'))); return box; }
  const list = (v, f = (x) => x) => (v === null || v === undefined ? t('unanswered') : v.length ? v.map(f).join(', ') : t('noneList'));
  const rows = [
    [t('birth'), p.birth_date ? fmtCalendarDate(p.birth_date) : t('unanswered')],
    [t('skin'), p.skin_type ? known('skin_', p.skin_type) : t('unanswered')],
    [t('phototype'), p.phototype ? ['I', 'II', 'III', 'IV', 'V', 'VI'][p.phototype - 1] : t('unanswered')],
    [t('concerns'), list(p.concerns, (c) => known('c_', c.code))],
    [t('allergies'), list(p.allergies)],
    [t('contra'), list(p.contraindications, (c) => known('x_', c))],
    [t('homeCare'), list(p.home_care)],
  ];
  box.append(h('dl', { class: 'staff-dl' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  if (p.contraindications?.length) box.classList.add('has-contra');
  if (p.updated_at) box.append(h('p', { class: 'hint' }, t('updated', { d: fmtDate(p.updated_at) })));
  return box;
}

function visitItem(v, tz) {
  return h('li', { class: 'staff-visit' },
    h('div', { class: 'row' },
      h('strong', {}, v.service_name),
      h('span', { class: 'muted' }, `${dayTitle(isoDay(v.start, tz), 'short')} · ${v.specialist_name}`)),
    v.notes ? h('p', { class: 'staff-visit-notes' }, v.notes) : null,
    v.recommendations?.length ? h('div', {},
      h('h3', { class: 'staff-small-h' }, t('recs')),
      h('ul', { class: 'staff-recs' }, v.recommendations.map((r) => h('li', {},
        h('span', { class: 'badge' }, t(`kind_${r.kind}`)), ' ', [r.name, r.text].filter(Boolean).join(' — '))))) : null,
    h('p', {}, link(`staff/appointments/${encodeURIComponent(v.appointment_id)}`, st('open'))));
}
