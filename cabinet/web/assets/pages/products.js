// The products catalogue: the clinic's home-care products with their stock
// at the chosen branch, by category; products go into an order collected at
// that branch. The order in progress lives in sessionStorage (this tab),
// so it survives a reload; placing it opens the new order's page.

import { get, post } from '../api.js';
import { dict, fmtMoney, plural } from '../i18n.js';
import { h, mount, field, errorBox, busy, toast } from '../dom.js';
import { backLink, branches, categoryName, volumeText } from '../card-lib.js';

const t = dict({
  ru: {
    title: 'Каталог средств',
    intro: 'Средства для домашнего ухода, которые рекомендуют наши специалисты. Закажите онлайн и заберите в удобном филиале.',
    branch: 'Где забрать заказ', all: 'Все',
    categories: 'Категории',
    inStock: 'В наличии', outOfStock: 'Нет в этом филиале',
    add: 'В заказ', addNamed: ({ name }) => `Добавить в заказ: ${name}`,
    less: ({ name }) => `Убрать одну: ${name}`, more: ({ name }) => `Добавить ещё одну: ${name}`,
    inCart: ({ n }) => `В заказе: ${n}`,
    cart: 'Ваш заказ', cartEmpty: 'Добавьте средства из каталога — они появятся здесь.',
    remove: 'Убрать', removeNamed: ({ name }) => `Убрать из заказа: ${name}`,
    qty: ({ name }) => `Количество: ${name}`,
    notHere: 'Нет в выбранном филиале',
    total: 'Итого', pickupAt: ({ branch }) => `Получение: ${branch}`,
    note: 'Комментарий к заказу', noteHint: 'Необязательно',
    place: 'Оформить заказ', placed: 'Заказ оформлен',
    items: (v) => plural(v.n, ['товар', 'товара', 'товаров']),
    toCart: 'К оформлению', bar: ({ items, total }) => `В заказе ${items} · ${total}`,
    added: 'Добавлено в заказ', max: 'Не больше 10 штук одного товара',
    none: 'В этой категории пока ничего нет.',
  },
  en: {
    title: 'Product catalogue',
    intro: 'Home-care products our specialists recommend. Order online and collect at the branch you choose.',
    branch: 'Where to collect the order', all: 'All',
    categories: 'Categories',
    inStock: 'In stock', outOfStock: 'Not at this branch',
    add: 'Add to order', addNamed: ({ name }) => `Add to order: ${name}`,
    less: ({ name }) => `One less: ${name}`, more: ({ name }) => `One more: ${name}`,
    inCart: ({ n }) => `In the order: ${n}`,
    cart: 'Your order', cartEmpty: 'Add products from the catalogue and they will appear here.',
    remove: 'Remove', removeNamed: ({ name }) => `Remove from the order: ${name}`,
    qty: ({ name }) => `Quantity: ${name}`,
    notHere: 'Not at the chosen branch',
    total: 'Total', pickupAt: ({ branch }) => `Pick-up: ${branch}`,
    note: 'Comment on the order', noteHint: 'Optional',
    place: 'Place the order', placed: 'Order placed',
    items: (v) => plural(v.n, ['item', 'items']),
    toCart: 'Go to the order', bar: ({ items, total }) => `${items} in the order · ${total}`,
    added: 'Added to the order', max: 'At most 10 of one product',
    none: 'Nothing in this category yet.',
  },
});

const KEY = 'kabinet-card-cart';
const MAX = 10;

function loadCart() {
  try {
    const c = JSON.parse(sessionStorage.getItem(KEY) || '{}');
    return { items: c.items && typeof c.items === 'object' ? c.items : {}, key: c.key || '', branch_id: c.branch_id || '' };
  } catch { return { items: {}, key: '' }; }
}
function saveCart(cart) {
  try { sessionStorage.setItem(KEY, JSON.stringify(cart)); } catch { /* private mode: the order lives in the page */ }
}
function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const q = ctx.query;
  const [branchMap, profile] = await Promise.all([branches(), get('me/profile')]);
  const branchList = Object.values(branchMap);
  const cart = loadCart();
  let branchID = [q.get('branch_id'), cart.branch_id, profile.preferred_branch_id, branchList[0]?.id].find((id) => id && branchMap[id]) || '';
  let category = q.get('category') || '';
  let products = (await get('products', { branch_id: branchID })).products || [];
  const byID = () => Object.fromEntries(products.map((p) => [p.id, p]));

  const branchIn = h('select', { name: 'branch_id' }, branchList.map((b) => h('option', { value: b.id, selected: b.id === branchID }, b.name)));
  const branchInfo = h('p', { class: 'hint' });
  const chips = h('div', { class: 'chips kc-cats', role: 'group', 'aria-label': t('categories') });
  const listBox = h('div', {});
  const cartBox = h('section', { class: 'card kc-cart', 'aria-labelledby': 'pr-cart', tabindex: '-1' });
  const bar = h('div', { class: 'kc-cart-bar', hidden: true });

  const count = () => Object.values(cart.items).reduce((n, x) => n + x, 0);
  const total = () => {
    const m = byID();
    const cur = products[0]?.price?.currency || 'RUB';
    return { amount: Object.entries(cart.items).reduce((s, [id, n]) => s + (m[id]?.price?.amount || 0) * n, 0), currency: cur };
  };
  const change = (id, delta) => {
    const n = Math.max(0, Math.min(MAX, (cart.items[id] || 0) + delta));
    if ((cart.items[id] || 0) + delta > MAX) toast(t('max'));
    if (n) cart.items[id] = n; else delete cart.items[id];
    cart.key = ''; // another order now: a new idempotency key
    cart.branch_id = branchID;
    saveCart(cart);
    drawList();
    drawCart();
  };

  function drawChips() {
    const cats = [...new Set(products.map((p) => p.category))];
    if (category && !cats.includes(category)) category = '';
    const chip = (value, text) => h('button', { type: 'button', class: 'chip', 'aria-pressed': String(category === value),
      onClick: () => { category = value; drawChips(); drawList(); } }, text);
    mount(chips, chip('', t('all')), cats.map((c) => chip(c, categoryName(c))));
  }

  function buyControls(p) {
    const n = cart.items[p.id] || 0;
    if (!n) {
      return h('button', { type: 'button', class: 'secondary kc-add', disabled: !p.in_stock, 'aria-label': t('addNamed', { name: p.name }),
        onClick: (e) => { change(p.id, 1); toast(t('added')); focusAfter(e, p.id, '.kc-more-one'); } }, t('add'));
    }
    return h('div', { class: 'kc-stepper', role: 'group', 'aria-label': p.name },
      h('button', { type: 'button', class: 'secondary kc-less-one', 'aria-label': t('less', { name: p.name }),
        onClick: (e) => { change(p.id, -1); focusAfter(e, p.id, cart.items[p.id] ? '.kc-less-one' : '.kc-add'); } }, '−'),
      h('span', { class: 'kc-qty', 'aria-live': 'polite' }, t('inCart', { n })),
      h('button', { type: 'button', class: 'secondary kc-more-one', 'aria-label': t('more', { name: p.name }), disabled: n >= MAX,
        onClick: (e) => { change(p.id, 1); focusAfter(e, p.id, '.kc-more-one'); } }, '+'));
  }
  // After a redraw, the focus goes back to the control the visitor used.
  const focusAfter = (e, id, sel) => { if (e.detail === 0 || document.activeElement === document.body) listBox.querySelector(`[data-product="${CSS.escape(id)}"] ${sel}`)?.focus(); };

  function drawList() {
    const shown = products.filter((p) => !category || p.category === category);
    if (!shown.length) { mount(listBox, h('p', { class: 'notice' }, t('none'))); return; }
    mount(listBox, h('ul', { class: 'kc-products kc-catalogue' }, shown.map((p) => h('li', {
      class: ['card', 'kc-product', q.get('product') === p.id ? 'kc-highlight' : ''], id: `product-${p.id}`, dataset: { product: p.id, inStock: String(!!p.in_stock) },
    },
    h('p', { class: 'kc-brand' }, [p.brand, p.line].filter(Boolean).join(' · ')),
    h('h3', { class: 'kc-product-name' }, p.name),
    h('p', { class: 'muted kc-product-meta' }, [categoryName(p.category), volumeText(p)].filter(Boolean).join(' · ')),
    p.description ? h('p', { class: 'kc-desc' }, p.description) : null,
    h('div', { class: 'kc-buy' },
      h('div', {}, h('p', { class: 'kc-price' }, fmtMoney(p.price)),
        h('span', { class: p.in_stock ? 'badge ok' : 'badge' }, p.in_stock ? t('inStock') : t('outOfStock'))),
      buyControls(p))))));
  }

  const noteIn = h('textarea', { name: 'note', rows: 2, maxlength: 500 });
  const cartStatus = h('div', { role: 'status', 'aria-live': 'polite' });
  const placeButton = h('button', { type: 'submit' }, t('place'));
  const cartForm = h('form', { class: 'kc-cart-form', novalidate: true },
    field({ label: t('note'), input: noteIn, hint: t('noteHint') }), cartStatus, h('div', { class: 'actions stack' }, placeButton));
  cartForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(placeButton, async () => {
      cartStatus.replaceChildren();
      if (!cart.key) { cart.key = newKey(); saveCart(cart); }
      const body = { branch_id: branchID, items: Object.entries(cart.items).map(([product_id, quantity]) => ({ product_id, quantity })) };
      const note = noteIn.value.trim();
      if (note) body.note = note;
      let order;
      try {
        order = await post('me/orders', body, { headers: { 'Idempotency-Key': cart.key } });
      } catch (err) {
        mount(cartStatus, errorBox(err));
        if (err.status === 409) { cart.key = ''; saveCart(cart); await reloadProducts(); }
        return;
      }
      sessionStorage.removeItem(KEY);
      toast(t('placed'));
      ctx.navigate(`orders/${encodeURIComponent(order.id)}`);
    });
  });

  function drawCart() {
    const m = byID();
    const ids = Object.keys(cart.items);
    const n = count();
    const sum = fmtMoney(total());
    bar.hidden = n === 0;
    mount(bar, h('span', {}, t('bar', { items: t('items', { n }), total: sum })),
      h('button', { type: 'button', onClick: () => { cartBox.scrollIntoView({ behavior: 'smooth', block: 'start' }); cartBox.focus({ preventScroll: true }); } }, t('toCart')));
    cartBox.classList.toggle('kc-empty', n === 0);
    if (!n) { mount(cartBox, h('h2', { id: 'pr-cart' }, t('cart')), h('p', { class: 'muted' }, t('cartEmpty'))); return; }
    mount(cartBox, h('h2', { id: 'pr-cart' }, t('cart')),
      h('ul', { class: 'list kc-cart-items' }, ids.map((id) => {
        const p = m[id];
        const name = p ? p.name : id;
        const qty = h('select', { name: `qty-${id}`, 'aria-label': t('qty', { name }) },
          Array.from({ length: MAX }, (_, i) => h('option', { value: String(i + 1), selected: cart.items[id] === i + 1 }, String(i + 1))));
        qty.addEventListener('change', () => change(id, Number(qty.value) - cart.items[id]));
        return h('li', { dataset: { product: id } },
          h('div', { class: 'row' }, h('span', { class: 'kc-cart-name' }, name), h('strong', {}, p ? fmtMoney({ amount: p.price.amount * cart.items[id], currency: p.price.currency }) : '')),
          p && !p.in_stock ? h('p', { class: 'field-error' }, t('notHere')) : null,
          h('div', { class: 'row kc-cart-line' }, qty,
            h('button', { type: 'button', class: 'link', 'aria-label': t('removeNamed', { name }), onClick: () => change(id, -cart.items[id]) }, t('remove'))));
      })),
      h('div', { class: 'row kc-total' }, h('span', {}, t('total')), h('strong', {}, sum)),
      h('p', { class: 'hint' }, t('pickupAt', { branch: `${branchMap[branchID]?.name}, ${branchMap[branchID]?.address}` })),
      cartForm);
  }

  function drawBranchInfo() { branchInfo.textContent = branchMap[branchID]?.address || ''; }

  async function reloadProducts() {
    products = (await get('products', { branch_id: branchID })).products || [];
    drawChips(); drawList(); drawCart();
  }
  branchIn.addEventListener('change', async () => {
    branchID = branchIn.value;
    cart.branch_id = branchID; cart.key = '';
    saveCart(cart);
    drawBranchInfo();
    try { await reloadProducts(); } catch (err) { mount(listBox, errorBox(err)); }
  });

  // From "order again" (purchases): ?add=<product> puts one in the order.
  const add = q.get('add');
  if (add && byID()[add]?.in_stock && !cart.items[add]) {
    cart.items[add] = 1; cart.branch_id = branchID; cart.key = '';
    saveCart(cart);
  }
  if (add) {
    const url = new URL(location.href);
    url.searchParams.delete('add');
    history.replaceState(null, '', url);
  }
  // Drop products no longer in the catalogue.
  Object.keys(cart.items).forEach((id) => { if (!byID()[id]) delete cart.items[id]; });

  drawBranchInfo();
  drawChips();
  drawList();
  drawCart();
  mount(ctx.main, backLink(), h('h1', {}, t('title')), h('p', { class: 'muted' }, t('intro')),
    h('div', { class: 'kc-shop' },
      h('div', { class: 'kc-shop-main' },
        h('div', { class: 'kc-branch' }, field({ label: t('branch'), input: branchIn }), branchInfo),
        chips, listBox),
      h('aside', { class: 'kc-shop-side' }, cartBox)),
    bar);
  if (q.get('product')) document.getElementById(`product-${q.get('product')}`)?.scrollIntoView({ block: 'center' });
  return undefined;
}
