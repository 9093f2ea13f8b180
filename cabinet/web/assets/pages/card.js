// "My card": the hub of the client's card — how complete the questionnaire
// is, the consents, and the way to photos, the skin journal, the report,
// visits, purchases, orders and the catalogue.

import { get, post, del } from '../api.js';
import { dict, plural } from '../i18n.js';
import { h, mount, s, busy, errorBox, toast, uid } from '../dom.js';
import { consents } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Моя карта',
    intro: 'Всё о вашей коже в одном месте: анкета, фото, динамика и рекомендации специалистов.',
    questionnaire: 'Анкета', questionnaireText: 'Тип кожи, что беспокоит, противопоказания',
    filled: ({ p }) => `Заполнена на ${p}%`, notFilled: 'Ещё не заполнена',
    photos: 'Фото', photosText: 'Снимки до и после по зонам и датам',
    photosCount: (v) => (v.n ? plural(v.n, ['снимок', 'снимка', 'снимков']) : 'Снимков пока нет'),
    compare: 'До и после', compareText: 'Сравнение двух снимков с ползунком',
    journal: 'Динамика кожи', journalText: 'Дневник оценок и графики по каждой проблеме',
    report: 'Фотоотчёт', reportText: 'Документ за период или курс — для печати и PDF',
    visits: 'Визиты и рекомендации', visitsText: 'История визитов с заметками специалистов',
    purchases: 'Мои покупки', purchasesText: 'Что куплено и когда пора повторить',
    orders: 'Заказы', ordersText: 'Заказы средств с получением в филиале',
    openOrders: (v) => (v.n ? `В работе: ${v.n}` : 'Нет заказов в работе'),
    products: 'Каталог средств', productsText: 'Закажите уход и заберите в филиале',
    more: 'Ещё в карте', recommendations: 'Рекомендации', favorites: 'Избранное', reviews: 'Отзывы',
    consents: 'Согласия', consentHealth: 'Обработка данных о здоровье', consentPhotos: 'Хранение фотографий',
    given: 'дано', notGiven: 'не дано',
    consentsHint: 'Согласие даётся в анкете, в дневнике кожи или при загрузке фото; отозвать его можно здесь.',
    give: 'Дать согласие', withdraw: 'Отозвать',
    withdrawWhat_health_data: 'После отзыва новые ответы о здоровье и записи в дневнике кожи не сохраняются. Уже сохранённые можно удалить сейчас.',
    withdrawWhat_photos: 'После отзыва новые фото не загружаются. Уже загруженные можно удалить сейчас.',
    alsoDelete_health_data: 'Удалить мои ответы о здоровье и дневник кожи',
    alsoDelete_photos: 'Удалить все мои фото',
    confirmWithdraw: 'Отозвать согласие', keep: 'Не отзывать',
    withdrawn: 'Согласие отозвано', withdrawnDeleted: 'Согласие отозвано, данные удалены',
    progressLabel: 'Заполненность анкеты',
  },
  en: {
    title: 'My card',
    intro: 'Everything about your skin in one place: the questionnaire, photos, progress and the specialists’ advice.',
    questionnaire: 'Questionnaire', questionnaireText: 'Skin type, concerns, contraindications',
    filled: ({ p }) => `${p}% complete`, notFilled: 'Not filled in yet',
    photos: 'Photos', photosText: 'Before and after photos by area and date',
    photosCount: (v) => (v.n ? plural(v.n, ['photo', 'photos']) : 'No photos yet'),
    compare: 'Before and after', compareText: 'Compare two photos with a slider',
    journal: 'Skin dynamics', journalText: 'A journal of scores and a chart for each concern',
    report: 'Photo report', reportText: 'A document for a period or a course, to print or save as PDF',
    visits: 'Visits and recommendations', visitsText: 'Your visits with the specialists’ notes',
    purchases: 'My purchases', purchasesText: 'What you bought and when to buy again',
    orders: 'Orders', ordersText: 'Product orders to collect at a branch',
    openOrders: (v) => (v.n ? `In progress: ${v.n}` : 'No orders in progress'),
    products: 'Product catalogue', productsText: 'Order home care and collect it at a branch',
    more: 'More in your card', recommendations: 'Recommendations', favorites: 'Favourites', reviews: 'Reviews',
    consents: 'Consents', consentHealth: 'Processing health data', consentPhotos: 'Keeping photos',
    given: 'given', notGiven: 'not given',
    consentsHint: 'A consent is given in the questionnaire, the skin journal or when uploading a photo; you can withdraw it here.',
    give: 'Give consent', withdraw: 'Withdraw',
    withdrawWhat_health_data: 'Once withdrawn, new health answers and skin journal entries are not stored. You can delete those already stored now.',
    withdrawWhat_photos: 'Once withdrawn, no new photos can be uploaded. You can delete those already uploaded now.',
    alsoDelete_health_data: 'Delete my health answers and skin journal',
    alsoDelete_photos: 'Delete all my photos',
    confirmWithdraw: 'Withdraw the consent', keep: 'Keep it',
    withdrawn: 'Consent withdrawn', withdrawnDeleted: 'Consent withdrawn, data deleted',
    progressLabel: 'Questionnaire completeness',
  },
});

// Small line icons, drawn with SVG presentation attributes (no inline style).
const ICONS = {
  questionnaire: 'M7 4h10v16H7z M10 8h4 M10 12h4 M10 16h2',
  photos: 'M4 7h4l2-2h4l2 2h4v12H4z M12 10a3 3 0 1 0 0.01 0',
  compare: 'M12 4v16 M5 6h14v12H5z M9 12l-2 0 M15 12l2 0',
  journal: 'M4 19h16 M5 16l4-5 4 3 6-8',
  report: 'M6 3h9l3 3v15H6z M9 11h6 M9 15h6 M9 7h3',
  visits: 'M5 6h14v14H5z M5 10h14 M9 3v5 M15 3v5',
  purchases: 'M5 8h14l-1 12H6z M9 8a3 3 0 0 1 6 0',
  orders: 'M4 6h2l2 10h10l2-7H7 M9 20h.01 M17 20h.01',
  products: 'M9 3h6v4l2 3v11H7V10l2-3z M7 13h10',
};

function icon(name) {
  return s('svg', { viewBox: '0 0 24 24', width: 28, height: 28, 'aria-hidden': 'true', class: 'kc-icon', fill: 'none',
    stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' },
  s('path', { d: ICONS[name] }));
}

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [me, cons, photos, open] = await Promise.all([get('me'), consents(), get('me/photos'), get('me/orders', { status: 'open' })]);
  const completeness = me.profile?.completeness ?? 0;
  const nPhotos = (photos.photos || []).length;
  const nOpen = (open.orders || []).length;

  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': t('progressLabel'), 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(completeness) }, h('span', {}));
  bar.firstChild.style.width = `${completeness}%`;

  const tile = (path, name, text, status, extra) => h('li', {},
    h('a', { class: 'kc-tile', href: path, dataset: { tile: name } },
      icon(name),
      h('span', { class: 'kc-tile-body' },
        h('span', { class: 'kc-tile-title' }, t(name)),
        h('span', { class: 'kc-tile-text' }, text),
        status ? h('span', { class: 'kc-tile-status' }, status) : null,
        extra || null)));

  // A consent's line: given or not; a given one can be withdrawn here, with
  // its data deleted too if the client wishes (the API's DELETE for each).
  const consentLine = (type, text) => {
    const li = h('li', { dataset: { consent: type } });
    const draw = () => {
      const ok = !!cons[type]?.granted;
      const state = h('span', { class: ok ? 'badge ok' : 'badge' }, ok ? t('given') : t('notGiven'));
      if (!ok) {
        mount(li, h('div', { class: 'kc-consent-line' }, h('span', {}, text, ' ', state),
          h('a', { href: type === 'photos' ? 'photos' : 'card/questionnaire' }, t('give'))));
        return;
      }
      const open = h('button', { type: 'button', class: 'link' }, t('withdraw'));
      const also = h('input', { type: 'checkbox', name: `delete-${type}`, id: uid('del') });
      const status = h('div', { role: 'status', 'aria-live': 'polite' });
      const confirm = h('button', { type: 'button', class: 'danger' }, t('confirmWithdraw'));
      const keep = h('button', { type: 'button', class: 'secondary' }, t('keep'));
      const panel = h('div', { class: 'kc-withdraw', hidden: true },
        h('p', {}, t(`withdrawWhat_${type}`)),
        h('label', { class: 'check', for: also.id }, also, h('span', {}, t(`alsoDelete_${type}`))),
        status, h('div', { class: 'actions' }, confirm, keep));
      open.addEventListener('click', () => { panel.hidden = false; open.hidden = true; also.focus(); });
      keep.addEventListener('click', () => { panel.hidden = true; open.hidden = false; open.focus(); });
      confirm.addEventListener('click', () => busy(confirm, async () => {
        try {
          cons[type] = await post('me/consents', { type, granted: false });
          if (also.checked) await del(type === 'photos' ? 'me/photos' : 'me/profile/health');
        } catch (err) {
          mount(status, errorBox(err));
          return;
        }
        toast(also.checked ? t('withdrawnDeleted') : t('withdrawn'));
        draw();
        li.querySelector('a')?.focus();
      }));
      mount(li, h('div', { class: 'kc-consent-line' }, h('span', {}, text, ' ', state), open), panel);
    };
    draw();
    return li;
  };

  mount(ctx.main,
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro')),
    h('ul', { class: 'kc-tiles' },
      tile('card/questionnaire', 'questionnaire', t('questionnaireText'), completeness ? t('filled', { p: completeness }) : t('notFilled'), bar),
      tile('photos', 'photos', t('photosText'), t('photosCount', { n: nPhotos })),
      tile('photos/compare', 'compare', t('compareText')),
      tile('journal', 'journal', t('journalText')),
      tile('report', 'report', t('reportText')),
      tile('visits', 'visits', t('visitsText')),
      tile('orders', 'orders', t('ordersText'), t('openOrders', { n: nOpen })),
      tile('purchases', 'purchases', t('purchasesText')),
      tile('products', 'products', t('productsText'))),
    h('section', { class: 'card kc-consents', 'aria-labelledby': 'c-consents' },
      h('h2', { id: 'c-consents' }, t('consents')),
      h('ul', { class: 'list' }, consentLine('health_data', t('consentHealth')), consentLine('photos', t('consentPhotos'))),
      h('p', { class: 'hint' }, t('consentsHint'))),
    h('nav', { class: 'kc-more-links', 'aria-labelledby': 'c-more' },
      h('h2', { id: 'c-more' }, t('more')),
      h('ul', { class: 'chips' }, ['recommendations', 'favorites', 'reviews'].map((p) => h('li', {}, h('a', { class: 'chip kc-chip-link', href: p }, t(p)))))));
  return undefined;
}
