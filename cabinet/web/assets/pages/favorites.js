// Favourites: the services and products the client keeps, the latest added
// first. A favourite service starts a booking in one tap; any item can be
// removed, and a service or product added from the list below.

import { get, post, del } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, busy, errorBox, toast, uid } from '../dom.js';
import { catalog, serviceMeta } from '../booking-lib.js';

const t = dict({
  ru: {
    title: 'Избранное', services: 'Услуги', products: 'Средства',
    none: 'В избранном пока ничего нет. Добавьте услугу или средство — так их проще найти и записаться.',
    noServices: 'Избранных услуг нет.', noProducts: 'Избранных средств нет.',
    book: 'Записаться', remove: 'Убрать', removeLabel: ({ name }) => `Убрать из избранного: ${name}`, removed: 'Убрано из избранного',
    unavailable: 'Больше не предлагается', gone: 'Позиция удалена из каталога', toProducts: 'В каталоге',
    addHead: 'Добавить в избранное', addLabel: 'Услуга или средство', addChoose: 'Выберите…', add: 'Добавить', added: 'Добавлено в избранное',
    max: ({ n }) => `Можно хранить до ${n} позиций.`,
  },
  en: {
    title: 'Favourites', services: 'Services', products: 'Products',
    none: 'Nothing in favourites yet. Add a service or a product to find it and book faster.',
    noServices: 'No favourite services.', noProducts: 'No favourite products.',
    book: 'Book', remove: 'Remove', removeLabel: ({ name }) => `Remove from favourites: ${name}`, removed: 'Removed from favourites',
    unavailable: 'No longer offered', gone: 'Removed from the catalogue', toProducts: 'In the catalogue',
    addHead: 'Add to favourites', addLabel: 'Service or product', addChoose: 'Choose…', add: 'Add', added: 'Added to favourites',
    max: ({ n }) => `You can keep up to ${n} items.`,
  },
});

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const [cat, fav, prod] = await Promise.all([
    catalog(), get('me/favorites'),
    get('products').then((r) => r.products || []).catch((err) => { if (err.status === 401) throw err; return []; }),
  ]);
  draw(ctx, cat, fav, prod);
  return undefined;
}

function draw(ctx, cat, fav, products) {
  const favorites = fav.favorites || [];
  const reload = async () => {
    try {
      draw(ctx, cat, await get('me/favorites'), products);
      ctx.main.querySelector('h1')?.focus({ preventScroll: true }); // the item with the focus is gone
    } catch (err) { if (err.status !== 401) toast(err.message); }
  };
  const item = (f) => {
    const service = f.kind === 'service' ? cat.service.get(f.item_id) : null;
    const name = f.name || t('gone');
    const remove = h('button', { type: 'button', class: 'secondary bk-remove', 'aria-label': t('removeLabel', { name }), dataset: { remove: `${f.kind}:${f.item_id}` } }, t('remove'));
    remove.addEventListener('click', () => busy(remove, async () => {
      try {
        await del(`me/favorites/${encodeURIComponent(f.kind)}/${encodeURIComponent(f.item_id)}`);
        toast(t('removed'));
        await reload();
      } catch (err) {
        if (err.status === 404) { await reload(); return; }
        if (err.status !== 401) toast(err.message);
      }
    }));
    return h('li', { class: 'card bk-fav-item', dataset: { favorite: `${f.kind}:${f.item_id}` } },
      h('div', { class: 'bk-fav-text' },
        h('h3', {}, service ? h('a', { href: `services/${encodeURIComponent(service.id)}` }, name) : name),
        service ? h('p', { class: 'muted' }, serviceMeta(service)) : null,
        !f.available ? h('p', {}, h('span', { class: 'badge warn' }, t('unavailable'))) : null),
      h('div', { class: 'actions' },
        service && f.available ? h('a', { class: 'button', href: `book?service_id=${encodeURIComponent(service.id)}`, dataset: { book: service.id } }, t('book')) : null,
        f.kind === 'product' && f.available ? h('a', { class: 'button secondary', href: 'products' }, t('toProducts')) : null,
        remove));
  };
  const services = favorites.filter((f) => f.kind === 'service');
  const prods = favorites.filter((f) => f.kind === 'product');

  // Adding: the services and products not kept yet.
  const kept = new Set(favorites.map((f) => `${f.kind}:${f.item_id}`));
  const select = h('select', { name: 'item' },
    h('option', { value: '' }, t('addChoose')),
    h('optgroup', { label: t('services') }, cat.services.filter((s) => !kept.has(`service:${s.id}`))
      .map((s) => h('option', { value: `service:${s.id}` }, s.name))),
    products.length ? h('optgroup', { label: t('products') }, products.filter((p) => !kept.has(`product:${p.id}`))
      .map((p) => h('option', { value: `product:${p.id}` }, `${p.brand} ${p.name}`))) : null);
  const selId = uid('fav');
  select.id = selId;
  const addBtn = h('button', { type: 'submit', class: 'secondary' }, t('add'));
  const form = h('form', { class: 'bk-fav-add', novalidate: true },
    h('h2', {}, t('addHead')),
    h('div', { class: 'field' }, h('label', { for: selId }, t('addLabel')), h('div', { class: 'bk-inline' }, select, addBtn)),
    h('p', { class: 'hint' }, t('max', { n: fav.max || 200 })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    form.querySelector('.alert')?.remove();
    const [kind, ...rest] = select.value.split(':');
    if (!kind) { select.focus(); return; }
    busy(addBtn, async () => {
      try {
        await post('me/favorites', { kind, item_id: rest.join(':') });
        toast(t('added'));
        await reload();
      } catch (err) {
        if (err.status !== 401) form.append(errorBox(err));
      }
    });
  });

  mount(ctx.main,
    h('h1', { tabindex: '-1' }, t('title')),
    favorites.length ? null : h('div', { class: 'card bk-empty' }, h('p', {}, t('none'))),
    favorites.length ? h('section', { 'aria-labelledby': 'bk-fav-s' }, h('h2', { id: 'bk-fav-s' }, t('services')),
      services.length ? h('ul', { class: 'bk-list' }, services.map(item)) : h('p', { class: 'muted' }, t('noServices'))) : null,
    favorites.length ? h('section', { 'aria-labelledby': 'bk-fav-p' }, h('h2', { id: 'bk-fav-p' }, t('products')),
      prods.length ? h('ul', { class: 'bk-list' }, prods.map(item)) : h('p', { class: 'muted' }, t('noProducts'))) : null,
    form);
}
