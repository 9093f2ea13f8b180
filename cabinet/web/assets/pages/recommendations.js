// Recommendations: what suits the client, best first, each with its
// reasons ("why"); the specialist's own first. A procedure can be booked
// from here, any item kept as a favourite, and "Why exactly?" shows the
// rules for and against and what rules an item out.

import { get } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, busy, errorBox } from '../dom.js';
import { catalog, favoriteSet, favoriteToggle } from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Рекомендации', intro: 'Подобраны по вашей анкете, дневнику кожи, визитам и покупкам.',
    fillIn: 'Заполните анкету — рекомендации станут точнее.', toQuestionnaire: 'Открыть анкету',
    none: 'Пока нечего рекомендовать. Заполните анкету или запишитесь на консультацию.',
    doctor: 'От вашего специалиста', procedures: 'Процедуры', care: 'Уход дома',
    kind_procedure: 'Процедура', kind_product: 'Средство', kind_home_care: 'Домашний уход', fromDoctor: 'Советует специалист',
    why: 'Почему', book: 'Записаться', about: 'Об услуге', toProducts: 'В каталоге',
    explain: 'Подробнее, почему', explainFor: 'За', explainAgainst: 'Против', explainExcluded: 'Не рекомендуем, потому что',
    explainCourse: 'Пора на следующий сеанс курса.', explainNone: 'Других причин нет.',
  },
  en: {
    title: 'Recommendations', intro: 'Chosen from your questionnaire, skin journal, visits and purchases.',
    fillIn: 'Fill in the questionnaire to make the recommendations more precise.', toQuestionnaire: 'Open the questionnaire',
    none: 'Nothing to recommend yet. Fill in the questionnaire or book a consultation.',
    doctor: 'From your specialist', procedures: 'Treatments', care: 'Care at home',
    kind_procedure: 'Treatment', kind_product: 'Product', kind_home_care: 'Home care', fromDoctor: 'Your specialist advises',
    why: 'Why', book: 'Book', about: 'About the service', toProducts: 'In the catalogue',
    explain: 'Why exactly?', explainFor: 'For', explainAgainst: 'Against', explainExcluded: 'Not recommended because',
    explainCourse: 'It is time for the next session of your course.', explainNone: 'No other reasons.',
  },
});

/**
 * One recommendation as a list item: its kind, name and reasons; with
 * compact (home), the name, the first reasons and a booking link; else also
 * the favourite toggle and "Why exactly?".
 */
export function recItem(r, cat, { compact = false, favs } = {}) {
  const service = r.kind === 'procedure' ? cat.service.get(r.item_id) : null;
  const reasons = r.reasons || [];
  const name = service ? h('a', { href: `services/${encodeURIComponent(service.id)}` }, r.name) : r.name;
  const bookLink = service ? h('a', { class: compact ? 'bk-rec-book' : 'button secondary', href: `book?service_id=${encodeURIComponent(service.id)}`, dataset: { book: service.id } },
    t('book'), compact ? ' →' : null) : null;
  const why = reasons.length ? h('div', { class: 'bk-why' },
    h('p', { class: 'bk-why-title' }, t('why'), ':'),
    h('ul', { class: 'bk-reasons' }, (compact ? reasons.slice(0, 2) : reasons).map((x) => h('li', {}, x)))) : null;
  if (compact) {
    return h('li', { class: ['bk-rec', 'compact', r.source === 'doctor' ? 'bk-rec-doctor' : ''], dataset: { item: r.item_id || '', kind: r.kind } },
      h('h3', { class: 'bk-rec-name' }, name),
      r.source === 'doctor' ? h('p', { class: 'bk-rec-kind' }, h('span', { class: 'badge ok' }, t('fromDoctor'))) : null,
      why, bookLink);
  }
  const favKind = r.kind === 'procedure' ? 'service' : r.kind === 'product' ? 'product' : '';
  const fav = favKind && r.item_id && favs && (favKind === 'product' || service)
    ? favoriteToggle(favKind, r.item_id, r.name, favs.has(`${favKind}:${r.item_id}`), { compact: true }) : null;
  const actions = h('div', { class: 'actions bk-rec-actions' }, bookLink,
    r.kind === 'product' && r.item_id ? h('a', { class: 'button secondary', href: 'products' }, t('toProducts')) : null);
  const explainBox = h('div', { class: 'bk-explain', hidden: true, 'aria-live': 'polite' });
  if (r.item_id && (service || r.kind === 'product')) {
    const btn = h('button', { type: 'button', class: 'link bk-explain-btn', 'aria-expanded': 'false' }, t('explain'));
    btn.addEventListener('click', () => {
      if (btn.getAttribute('aria-expanded') === 'true') { explainBox.hidden = true; btn.setAttribute('aria-expanded', 'false'); return; }
      busy(btn, async () => {
        try {
          const x = await get('me/recommendations/explain', { item: r.item_id });
          mount(explainBox, explanation(x));
        } catch (err) {
          if (err.status === 401) return;
          mount(explainBox, errorBox(err));
        }
        explainBox.hidden = false;
        btn.setAttribute('aria-expanded', 'true');
      });
    });
    actions.append(btn);
  }
  return h('li', { class: ['card', 'bk-rec', r.source === 'doctor' ? 'bk-rec-doctor' : ''], dataset: { item: r.item_id || '', kind: r.kind } },
    h('div', { class: 'bk-rec-top' }, h('h3', { class: 'bk-rec-name' }, name), fav),
    r.kind !== 'procedure' || r.source === 'doctor' ? h('p', { class: 'bk-rec-kind' },
      r.kind !== 'procedure' ? h('span', { class: 'badge' }, t(`kind_${r.kind}`)) : null,
      r.source === 'doctor' ? h('span', { class: 'badge ok' }, t('fromDoctor')) : null) : null,
    why,
    actions.childElementCount ? actions : null,
    explainBox);
}

function explanation(x) {
  const part = (title, list, cls) => (list && list.length
    ? h('div', { class: cls }, h('p', { class: 'bk-why-title' }, title), h('ul', { class: 'bk-reasons' }, list.map((e) => h('li', {}, e.text))))
    : null);
  const parts = [
    x.course ? h('p', {}, t('explainCourse')) : null,
    part(t('explainExcluded'), x.exclusions, 'bk-explain-excl'),
    part(t('explainFor'), x.for, 'bk-explain-for'),
    part(t('explainAgainst'), x.against, 'bk-explain-against'),
  ].filter(Boolean);
  return parts.length ? parts : h('p', { class: 'muted' }, t('explainNone'));
}

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [cat, r, favs] = await Promise.all([catalog(), get('me/recommendations'), favoriteSet()]);
  const recs = r.recommendations || [];
  const doctor = recs.filter((x) => x.source === 'doctor');
  const procedures = recs.filter((x) => x.source !== 'doctor' && x.kind === 'procedure');
  const care = recs.filter((x) => x.source !== 'doctor' && x.kind !== 'procedure');
  const completeness = ctx.session.profile?.completeness ?? 100;
  const section = (title, list, key) => (list.length
    ? h('section', { class: 'bk-rec-section', 'aria-labelledby': `bk-rec-${key}` }, h('h2', { id: `bk-rec-${key}` }, title),
      h('ul', { class: 'bk-recs' }, list.map((x) => recItem(x, cat, { favs }))))
    : null);
  mount(ctx.main,
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro')),
    completeness < 60 ? h('p', { class: 'notice bk-fill' }, t('fillIn'), ' ', h('a', { href: 'card/questionnaire' }, t('toQuestionnaire'))) : null,
    recs.length ? [section(t('doctor'), doctor, 'doctor'), section(t('procedures'), procedures, 'proc'), section(t('care'), care, 'care')]
      : h('div', { class: 'card bk-empty' }, h('p', {}, t('none'))));
  return undefined;
}
