// Finding a client: by phone (or its last digits), e-mail or name, among
// the clients the member of staff may see (a specialist's own clients, a
// manager's branches', everyone for an admin). Each client found leads to
// the card and, for the front desk, to booking on their behalf. Every
// search is on the audit trail; the query stays in the address so the
// list survives going back.

import { get } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, field, showFieldError, clearErrors, link } from '../dom.js';
import { st, rolesOf, pathWith } from '../staff-lib.js';

const t = dict({
  ru: {
    title: 'Клиенты', q: 'Телефон, e-mail или имя', qHint: 'Например, +7 912 345-67-89, последние 4 цифры, anna@ или «Анна Петрова»',
    find: 'Найти', found: ({ n }) => `Найдено: ${n}`, none: 'Никого не нашли.',
    scopeSpecialist: 'Вы видите клиентов, которые были или записаны к вам.',
    scopeManager: 'Вы видите клиентов, которые были или записаны в ваших филиалах.',
    scopeAdmin: 'Вы видите всех клиентов клиники.',
    short: 'Введите хотя бы 2 символа', phone: 'Телефон', email: 'E-mail', newCaller: 'Новый клиент? Он появится после первого входа в кабинет по коду.',
  },
  en: {
    title: 'Clients', q: 'Phone, e-mail or name', qHint: 'For example, +7 912 345-67-89, the last 4 digits, anna@ or "Anna Petrova"',
    find: 'Find', found: ({ n }) => `Found: ${n}`, none: 'Nobody found.',
    scopeSpecialist: 'You see the clients who have or had an appointment with you.',
    scopeManager: 'You see the clients who have or had an appointment in your branches.',
    scopeAdmin: "You see all the clinic's clients.",
    short: 'Type at least 2 characters', phone: 'Phone', email: 'E-mail', newCaller: 'A new client? They appear once they sign in to the cabinet with a code.',
  },
});

export async function render(ctx) {
  ctx.setTitle(t('title'));
  const roles = rolesOf(ctx.session);
  const q = (ctx.query.get('q') || '').trim();
  const input = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off', maxlength: 100, required: true, spellcheck: 'false' });
  const form = h('form', { class: 'staff-search', role: 'search', novalidate: true },
    field({ label: t('q'), input, hint: t('qHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('find'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = input.value.trim();
    if (v.length < 2) { showFieldError(form, { field: 'q', message: t('short') }); return; }
    ctx.navigate(pathWith('staff/clients', { q: v }));
  });
  const scope = roles.admin ? t('scopeAdmin') : roles.manager ? t('scopeManager') : t('scopeSpecialist');
  const results = h('div', { class: 'staff-results', 'aria-live': 'polite' });
  if (q.length >= 2) {
    try {
      const { clients } = await get('staff/clients', { q });
      mount(results, h('p', { class: 'muted', role: 'status' }, clients.length ? t('found', { n: clients.length }) : t('none')),
        clients.length ? h('ul', { class: 'list staff-clients' }, clients.map((c) => clientItem(c, roles))) : null,
        !clients.length && roles.frontDesk ? h('p', { class: 'hint' }, t('newCaller')) : null);
    } catch (err) {
      if (err.status !== 422) throw err;
      showFieldError(form, err);
    }
  }
  mount(ctx.main, h('h1', {}, t('title')), h('p', { class: 'muted' }, scope), form, results);
  if (!q) input.focus();
  return undefined;
}

function clientItem(c, roles) {
  const card = `staff/clients/${encodeURIComponent(c.id)}`;
  return h('li', { class: 'staff-client', dataset: { id: c.id } },
    h('div', { class: 'staff-client-main' },
      h('div', { class: 'staff-client-name' }, link(card, c.name || st('noName'))),
      h('div', { class: 'staff-client-contacts muted' },
        c.phone ? h('span', {}, h('span', { class: 'visually-hidden' }, `${t('phone')}: `), c.phone) : null,
        c.email ? h('span', {}, h('span', { class: 'visually-hidden' }, `${t('email')}: `), c.email) : null)),
    h('div', { class: 'staff-client-actions' },
      h('a', { class: 'button secondary', href: card }, st('openCard')),
      roles.frontDesk ? h('a', { class: 'button', href: pathWith('staff/book', { client: c.id }) }, st('bookFor')) : null));
}
