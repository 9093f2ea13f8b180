// The cabinet's application: the session, the layout and the router. Each
// page is an ES module under pages/ exporting render(ctx); see pages/README
// in the package documentation for the contract.

import { get, post, setCSRF, whenSignedOut } from './api.js';
import { lang, setLang, t } from './i18n.js';
import { h, mount, toast } from './dom.js';

const root = new URL(document.baseURI).pathname; // the cabinet's root, with a trailing slash

// The pages: path pattern, module, and who may open it ("public": anyone;
// "client": signed in; "staff": signed in with a staff role).
const routes = [
  ['/', 'home', 'client'],
  ['/sign-in', 'signin', 'public'],
  ['/book', 'book', 'client'],
  ['/appointments', 'appointments', 'client'],
  ['/appointments/:id', 'appointment', 'client'],
  ['/card', 'card', 'client'],
  ['/card/questionnaire', 'questionnaire', 'client'],
  ['/photos', 'photos', 'client'],
  ['/photos/compare', 'compare', 'client'],
  ['/journal', 'journal', 'client'],
  ['/report', 'report', 'client'],
  ['/visits', 'visits', 'client'],
  ['/purchases', 'purchases', 'client'],
  ['/orders', 'orders', 'client'],
  ['/orders/:id', 'order', 'client'],
  ['/products', 'products', 'client'],
  ['/recommendations', 'recommendations', 'client'],
  ['/offers', 'offers', 'client'],
  ['/services/:id', 'service', 'client'],
  ['/favorites', 'favorites', 'client'],
  ['/reviews', 'reviews', 'client'],
  ['/settings', 'settings', 'client'],
  ['/devices', 'devices', 'client'],
  ['/staff', 'staff_day', 'staff'],
  ['/staff/day', 'staff_day', 'staff'],
  ['/staff/week', 'staff_week', 'staff'],
  ['/staff/branch', 'staff_branch', 'staff'],
  ['/staff/clients', 'staff_clients', 'staff'],
  ['/staff/clients/:id', 'staff_client', 'staff'],
  ['/staff/appointments/:id', 'staff_appointment', 'staff'],
  ['/staff/book', 'staff_book', 'staff'],
  ['/staff/orders', 'staff_orders', 'staff'],
];

const STAFF = ['specialist', 'manager', 'admin'];

/** The session: {signed_in, user, csrf_token, profile} from auth/session. */
export const session = { signed_in: false };

/** Whether the signed-in user has a staff role. */
export function isStaff() { return (session.user?.roles || []).some((r) => STAFF.includes(r)); }

/** The current path within the cabinet: "/", "/book", "/appointments/…". */
function currentPath() {
  const p = location.pathname.startsWith(root) ? location.pathname.slice(root.length - 1) : location.pathname;
  return p.replace(/\/+$/, '') || '/';
}

function match(path) {
  for (const [pattern, module, access] of routes) {
    const a = pattern.split('/'), b = path.split('/');
    if (a.length !== b.length) continue;
    const params = {};
    if (a.every((seg, i) => (seg.startsWith(':') ? ((params[seg.slice(1)] = decodeURIComponent(b[i])), true) : seg === b[i]))) {
      return { module, access, params };
    }
  }
  return null;
}

/** Goes to a page of the cabinet ("book?service=peel"), without a reload. */
export function navigate(to, { replace = false } = {}) {
  const url = new URL(to.replace(/^\//, ''), document.baseURI);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

/** Reloads the session from the API (after sign-in or sign-out). */
export async function refreshSession() {
  const s = await get('auth/session');
  Object.keys(session).forEach((k) => delete session[k]);
  Object.assign(session, s);
  setCSRF(s.csrf_token);
  layout();
}

let cleanup = null;
let seq = 0;

let firstRender = true;

/**
 * Marks the page drawn: <html data-ready> holds its module's name (tests and
 * the load budget wait for it), and the first time, a performance mark
 * "kabinet:ready".
 */
function ready(name) {
  document.documentElement.dataset.ready = name;
  if (firstRender) { firstRender = false; performance.mark('kabinet:ready'); }
}

async function render() {
  const main = document.getElementById('main');
  const my = ++seq;
  delete document.documentElement.dataset.ready;
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const path = currentPath();
  const m = match(path);
  const query = new URLSearchParams(location.search);
  if (!m || document.documentElement.dataset.notFound) {
    delete document.documentElement.dataset.notFound;
    notFound(main);
    return ready('not-found');
  }
  if (m.access !== 'public' && !session.signed_in) {
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path.slice(1) + location.search)}`;
    return navigate(`sign-in${next}`, { replace: true });
  }
  if (m.access === 'staff' && !isStaff()) { notFound(main); return ready('not-found'); }
  if (m.module === 'home' && isStaff() && !(session.user.roles || []).includes('client')) return navigate('staff', { replace: true });
  highlightTab(path);
  let page;
  try {
    page = await import(`./pages/${m.module}.js`);
  } catch (err) {
    console.warn('page module failed to load', m.module, err);
    notFound(main);
    return ready('not-found');
  }
  if (my !== seq) return; // the visitor went on meanwhile
  mount(main);
  main.className = `page page-${m.module}`;
  const ctx = { main, params: m.params, query, session, navigate, refreshSession, setTitle, signOut,
    notFound: () => notFound(main) };
  try {
    cleanup = await page.render(ctx);
  } catch (err) {
    if (err && err.status === 401) return;
    console.warn('page failed', m.module, err);
    mount(main, h('div', { class: 'alert error', role: 'alert' }, err?.message || t('error')));
  }
  if (my === seq) {
    const heading = main.querySelector('h1');
    if (heading && !main.contains(document.activeElement)) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
    ready(m.module);
  }
}

function notFound(main) {
  setTitle(t('notFound'));
  mount(main, h('h1', {}, t('notFound')), h('p', {}, t('notFoundText')), h('p', {}, h('a', { href: './' }, t('toHome'))));
}

/** Sets the document's title: "Page — Clinic". */
export function setTitle(title) {
  const clinic = document.documentElement.dataset.clinic;
  document.title = title ? `${title} — ${clinic}` : clinic;
}

/** Draws the header and the tabs for the session. */
function layout() {
  const clinic = document.documentElement.dataset.clinic;
  const brand = h('a', { class: 'brand', href: './' },
    document.documentElement.dataset.logo ? h('img', { src: 'assets/logo', alt: '', width: 32, height: 32 }) : null,
    h('span', {}, clinic));
  const actions = h('div', { class: 'top-actions' },
    h('button', { type: 'button', class: 'link lang-switch', lang: lang() === 'en' ? 'ru' : 'en', 'aria-label': t('languageLabel'),
      onClick: () => setLang(lang() === 'en' ? 'ru' : 'en') }, t('language')),
    session.signed_in ? h('button', { type: 'button', class: 'link', onClick: signOut }, t('signOut')) : null);
  mount(document.getElementById('top'), brand, actions);

  const tabs = document.getElementById('tabs');
  if (!session.signed_in) { mount(tabs); tabs.hidden = true; return; }
  tabs.hidden = false;
  const roles = session.user.roles || [];
  const items = [];
  if (roles.includes('client') || !isStaff()) {
    items.push(['', t('home')], ['book', t('book')], ['appointments', t('appointments')], ['card', t('card')], ['settings', t('more')]);
  }
  if (isStaff()) {
    const desk = roles.includes('manager') || roles.includes('admin'); // the front desk: branch boards and orders
    items.push(['staff/day', t('staffDay')], ['staff/week', t('staffWeek')]);
    if (desk) items.push(['staff/branch', t('staffBranch')]);
    items.push(['staff/clients', t('staffClients')]);
    if (desk) items.push(['staff/orders', t('staffOrders')]);
  }
  mount(tabs, h('ul', {}, items.map(([href, label]) => h('li', {}, h('a', { href: href || './', dataset: { tab: `/${href}`.replace(/\/$/, '') || '/' } }, label)))));
  highlightTab(currentPath());
}

function highlightTab(path) {
  let best = null;
  document.querySelectorAll('#tabs a').forEach((a) => {
    a.removeAttribute('aria-current');
    const tab = a.dataset.tab;
    if (tab === path || (tab !== '/' && path.startsWith(`${tab}/`)) || (tab === '/staff/day' && path === '/staff')) best = a;
  });
  // The pages without a tab of their own sit under the tab that links to them.
  const under = (prefixes, tab) => {
    if (!best && prefixes.some((p) => path === p || path.startsWith(`${p}/`))) best = document.querySelector(`#tabs a[data-tab="${tab}"]`);
  };
  under(['/card/questionnaire', '/photos', '/journal', '/report', '/visits', '/purchases', '/orders', '/products'], '/card');
  under(['/services'], '/book');
  under(['/devices', '/offers', '/favorites', '/reviews', '/recommendations'], '/settings');
  under(['/staff/appointments'], '/staff/day');
  under(['/staff/book'], '/staff/clients');
  best?.setAttribute('aria-current', 'page');
}

/** Signs out here and goes to the sign-in page. */
async function signOut() {
  // This browser stops receiving the account's notifications first: on a
  // shared device the next person must not see the last one's reminders.
  if ('serviceWorker' in navigator && 'PushManager' in window) {
    try { const { pushOff } = await import('./account-lib.js'); await pushOff(); } catch { /* nothing subscribed */ }
  }
  try { await post('auth/logout'); } catch { /* gone already */ }
  await refreshSession();
  navigate('sign-in', { replace: true });
}

// Links within the cabinet change the page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(root) || url.pathname.startsWith(`${root}api/`) || url.pathname.startsWith(`${root}assets/`)) return;
  e.preventDefault();
  if (url.href === location.href) return;
  history.pushState(null, '', url);
  render();
});
window.addEventListener('popstate', render);

whenSignedOut(async () => {
  await refreshSession().catch(() => {});
  toast(t('sessionEnded'));
  const path = currentPath();
  navigate(`sign-in?next=${encodeURIComponent(path.slice(1) + location.search)}`, { replace: true });
});

async function start() {
  try {
    await refreshSession();
  } catch (err) {
    layout();
    mount(document.getElementById('main'), h('div', { class: 'alert error', role: 'alert' }, err.message || t('error')),
      h('button', { type: 'button', onClick: () => location.reload() }, t('retry')));
    return;
  }
  if ('serviceWorker' in navigator && session.signed_in) {
    navigator.serviceWorker.register('sw.js').catch(() => {}); // push notifications; the cabinet works without
  }
  render();
}

start();
