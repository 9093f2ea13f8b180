// Purchased products: what the client bought (collected orders), how much
// and when, and when a product is expected to run out — with a link to
// order it again at the same branch.

import { get } from '../api.js';
import { dict, fmtDate, fmtCalendarDate, fmtMoney, plural } from '../i18n.js';
import { h, mount, link } from '../dom.js';
import { backLink, branches, categoryName, volumeText, today } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Мои покупки',
    intro: 'Средства, которые вы получили в клинике. Подскажем, когда пора купить снова.',
    none: 'Покупок пока нет. Средства для домашнего ухода можно заказать в каталоге и забрать в филиале.',
    catalogue: 'Каталог средств',
    bought: ({ q, n }) => `Куплено: ${q}, в ${n}`,
    units: (v) => plural(v.n, ['штука', 'штуки', 'штук']),
    orders: (v) => plural(v.n, ['заказе', 'заказах', 'заказах']),
    last: ({ date, price }) => `Последняя покупка ${date}, ${price}`,
    runsOut: ({ date }) => `Закончится примерно ${date}`,
    ranOut: ({ date }) => `Вероятно, закончилось около ${date}`,
    soon: 'Скоро закончится',
    again: 'Заказать снова',
  },
  en: {
    title: 'My purchases',
    intro: 'Products you collected at the clinic. We will tell you when it is time to buy again.',
    none: 'No purchases yet. You can order home-care products from the catalogue and collect them at a branch.',
    catalogue: 'Product catalogue',
    bought: ({ q, n }) => `Bought: ${q}, in ${n}`,
    units: (v) => plural(v.n, ['unit', 'units']),
    orders: (v) => plural(v.n, ['order', 'orders']),
    last: ({ date, price }) => `Last bought on ${date}, ${price}`,
    runsOut: ({ date }) => `Runs out around ${date}`,
    ranOut: ({ date }) => `Probably ran out around ${date}`,
    soon: 'Running out soon',
    again: 'Order again',
  },
});

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [res, branchMap] = await Promise.all([get('me/purchases'), branches()]);
  const list = res.purchases || [];
  const now = today();
  const soonDay = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);

  const body = list.length ? h('ul', { class: 'kc-products kc-purchases' }, list.map((p) => {
    const tz = branchMap[p.last_branch_id]?.time_zone;
    const out = p.runs_out_around;
    const past = out && out < now;
    const soon = out && !past && out <= soonDay;
    return h('li', { class: 'card kc-product', dataset: { product: p.product_id } },
      h('p', { class: 'kc-brand' }, [p.brand, p.line].filter(Boolean).join(' · ')),
      h('h2', { class: 'kc-product-name' }, p.name),
      h('p', { class: 'muted' }, [categoryName(p.category), volumeText(p)].filter(Boolean).join(' · ')),
      h('p', {}, t('bought', { q: t('units', { n: p.quantity }), n: t('orders', { n: p.times }) })),
      h('p', { class: 'muted' }, t('last', { date: fmtDate(p.last_bought_at, tz), price: fmtMoney(p.last_price) })),
      out ? h('p', { class: 'kc-runs-out' },
        soon ? [h('span', { class: 'badge warn' }, t('soon')), ' '] : null,
        past ? t('ranOut', { date: fmtCalendarDate(out) }) : t('runsOut', { date: fmtCalendarDate(out) })) : null,
      h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `products?add=${encodeURIComponent(p.product_id)}&branch_id=${encodeURIComponent(p.last_branch_id)}` }, t('again'))));
  })) : h('div', { class: 'notice' }, h('p', {}, t('none')), h('p', {}, link('products', t('catalogue'))));

  mount(ctx.main, backLink(), h('div', { class: 'row kc-head' }, h('h1', {}, t('title')), list.length ? link('products', t('catalogue')) : null),
    h('p', { class: 'muted' }, t('intro')), body);
  return undefined;
}
