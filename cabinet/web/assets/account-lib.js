// Helpers shared by the account pages (settings, devices, reviews): a
// visually hidden text, titled sections, device names from a User-Agent,
// and Web Push on this device.

import { post, del } from './api.js';
import { lang, locale } from './i18n.js';
import { h } from './dom.js';

/** Text for screen readers only. */
export function srOnly(...children) { return h('span', { class: 'acc-sr-only' }, ...children); }

/** A titled section of a page: <section aria-labelledby><h2>…</h2>…</section>. */
let sections = 0;
export function section(title, attrs, ...children) {
  sections += 1;
  const id = `acc-s-${sections}`;
  return h('section', { ...attrs, class: ['acc-section', attrs?.class].filter(Boolean).join(' '), 'aria-labelledby': id },
    h('h2', { id }, title), ...children);
}

/**
 * A moment, short: "7 декабря в 07:09" ("7 December at 07:09"), with the
 * year when it is not this year; in tz (undefined: the browser's zone).
 */
export function when(v, tz) {
  const d = new Date(v);
  const opts = { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

/** A day, short: "7 декабря" ("7 December"), with the year when not this year. */
export function day(v, tz) {
  const d = new Date(v);
  const opts = { day: 'numeric', month: 'long', timeZone: tz };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

/**
 * A short name for a device from its User-Agent: "Chrome, Android",
 * "Safari, iPhone". Unknown parts are left out; nothing at all gives "".
 */
export function deviceName(ua) {
  const s = ua || '';
  const browsers = [
    [/YaBrowser\//, 'Яндекс Браузер', 'Yandex Browser'],
    [/Edg(e|A|iOS)?\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/SamsungBrowser\//, 'Samsung Internet'],
    [/Firefox\/|FxiOS\//, 'Firefox'], [/HeadlessChrome\//, 'Chrome (headless)'], [/Chrome\/|CriOS\//, 'Chrome'],
    [/Safari\//, 'Safari'], [/curl\//, 'curl'],
  ];
  const systems = [
    [/iPhone/, 'iPhone'], [/iPad/, 'iPad'], [/Android/, 'Android'], [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
  ];
  const b = browsers.find(([re]) => re.test(s));
  const o = systems.find(([re]) => re.test(s));
  const browser = b ? (lang() === 'en' ? (b[2] || b[1]) : b[1]) : '';
  return [browser, o && o[1]].filter(Boolean).join(', ');
}

// ---- Web Push on this device ------------------------------------------------

const PUSH_ID = 'kabinet_push_subscription';

/** Whether this browser can receive Web Push at all. */
export function pushSupported() {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Resolves to value, or to fallback if p takes longer than ms. */
function within(p, ms, fallback) {
  return Promise.race([p, new Promise((resolve) => { setTimeout(() => resolve(fallback), ms); })]);
}

/**
 * The state of push on this device: "unsupported", "denied" (blocked in the
 * browser's settings), "on" (subscribed) or "off".
 */
export async function pushState() {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  try {
    const reg = await within(navigator.serviceWorker.getRegistration(), 2000, undefined);
    const sub = reg && reg.pushManager ? await within(reg.pushManager.getSubscription(), 2000, null) : null;
    return sub ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

function keyBytes(base64url) {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Subscribes this browser with the clinic's VAPID key and registers the
 * subscription with the API. Resolves to "on", or to "denied" when the
 * visitor (or the browser) refuses notifications; other failures reject.
 */
export async function pushOn(vapidKey) {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const reg = await navigator.serviceWorker.register('sw.js');
  const ready = await within(navigator.serviceWorker.ready, 10000, null);
  if (!ready) throw new Error('service worker');
  let sub = await reg.pushManager.getSubscription();
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
  const saved = await post('me/push-subscriptions', sub.toJSON());
  try { localStorage.setItem(PUSH_ID, saved.id); } catch { /* private mode */ }
  return 'on';
}

/** Unsubscribes this browser and removes its subscription from the API. */
export async function pushOff() {
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = reg && await reg.pushManager.getSubscription();
  if (sub) await sub.unsubscribe();
  let id = null;
  try { id = localStorage.getItem(PUSH_ID); localStorage.removeItem(PUSH_ID); } catch { /* private mode */ }
  if (id) {
    try { await del(`me/push-subscriptions/${encodeURIComponent(id)}`); } catch (err) { if (err.status !== 404) throw err; }
  }
  return 'off';
}

/** The ID of this browser's own push subscription, if it made one. */
export function ownPushID() {
  try { return localStorage.getItem(PUSH_ID); } catch { return null; }
}
