// A small DOM builder. Pages build elements, never HTML strings, so text
// from the API (names, notes, reviews) can never become markup.

import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v); // CSSOM: allowed by the CSP
    else if (k in el && !(el instanceof SVGElement) && typeof v !== 'string') el[k] = v; // value, checked, disabled…
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** h('button', {class: 'primary', onClick}, 'Записаться') */
export function h(tag, attrs, ...children) {
  if (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs)) return build(document.createElement(tag), {}, [attrs, ...children]);
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element: s('path', {d: '…'}). */
export function s(tag, attrs, ...children) { return build(document.createElementNS(SVG, tag), attrs, children); }

/** Replaces el's content. */
export function mount(el, ...children) { el.replaceChildren(); return build(el, {}, children); }

let ids = 0;
/** A unique element ID with a prefix. */
export function uid(prefix = 'f') { ids += 1; return `${prefix}-${ids}`; }

/**
 * A labelled form field: {label, input (an element), hint, name}. The
 * input gets an ID and aria-describedby; errors go in the returned
 * element's .field-error.
 */
export function field({ label, input, hint }) {
  const id = input.id || uid(input.name || 'f');
  input.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', [hintEl && hintEl.id, err.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: input.name || '' } }, h('label', { for: id }, label), hintEl, input, err);
}

/** Shows the API's error on the field it names (else returns false). */
export function showFieldError(form, err) {
  if (!err.field) return false;
  const box = form.querySelector(`[data-field="${CSS.escape(err.field)}"]`);
  if (!box) return false;
  const p = box.querySelector('.field-error');
  p.textContent = err.message;
  p.hidden = false;
  box.querySelector('input,select,textarea')?.setAttribute('aria-invalid', 'true');
  box.querySelector('input,select,textarea')?.focus();
  return true;
}

/** Clears the field errors of a form. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  form.querySelectorAll('.form-error').forEach((e) => e.remove());
}

/** A message box for an error: role=alert, the API's message. */
export function errorBox(err) {
  return h('div', { class: 'alert error', role: 'alert' }, (err && err.message) || t('error'));
}

/** A brief message at the bottom of the screen. */
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 3500);
}

/** Disables a button while fn runs; returns fn's result. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { button.disabled = false; button.removeAttribute('aria-busy'); }
}

/** A "loading" line, then the content fn builds, or the error with a retry. */
export async function loading(el, fn) {
  mount(el, h('p', { class: 'loading', role: 'status' }, t('loading')));
  try {
    const content = await fn();
    mount(el, content);
  } catch (err) {
    if (err && err.status === 401) return;
    mount(el, errorBox(err), h('button', { type: 'button', class: 'secondary', onClick: () => loading(el, fn) }, t('retry')));
  }
}

/** A link within the cabinet (relative to its root): link('book', 'Записаться'). */
export function link(path, ...children) {
  return h('a', { href: path.replace(/^\//, '') || './' }, ...children);
}
