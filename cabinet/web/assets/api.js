// The JSON API client. Every page reads and writes through the cabinet's
// own JSON API (api/v1/ under the cabinet's root): there is no second path
// to the data. The session is the HttpOnly cookie set at sign-in; writes
// carry the session's CSRF token.

import { lang } from './i18n.js';

const base = new URL('api/v1/', document.baseURI);
let csrf = '';

/** Remembers the CSRF token of the session (from auth/session or verify). */
export function setCSRF(token) { csrf = token || ''; }

/**
 * An error answer of the API: status, code, message, field, the whole
 * body, and retryAfter (seconds, from a 429's Retry-After; else 0).
 */
export class ApiError extends Error {
  constructor(status, body, retryAfter = 0) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
    this.body = body || {};
    this.retryAfter = Number(retryAfter) || 0;
  }
}

/** The absolute URL of an API path ("me/appointments") with a query. */
export function apiURL(path, query) {
  const url = new URL(path.replace(/^\/+/, ''), base);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else url.searchParams.set(k, String(v));
  }
  return url.toString();
}

let onUnauthenticated = () => {};
/** Sets what happens when a request finds the session gone (401). */
export function whenSignedOut(fn) { onUnauthenticated = fn; }

/**
 * Calls the API. body is sent as JSON, form (a FormData) as multipart.
 * Resolves to the decoded JSON (null for 204); rejects with ApiError.
 */
export async function api(method, path, { query, body, form, headers, signal } = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': lang(), ...headers };
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(apiURL(path, query), { method, headers: h, body: payload, credentials: 'same-origin', signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, { error: { code: 'network', message: lang() === 'en' ? 'No connection to the clinic. Check the internet and try again.' : 'Нет связи с клиникой. Проверьте интернет и попробуйте ещё раз.' } });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, data, res.headers.get('Retry-After'));
    if (res.status === 401 && path !== 'auth/verify') onUnauthenticated(err);
    throw err;
  }
  return data;
}

export const get = (path, query, opts) => api('GET', path, { ...opts, query });
export const post = (path, body, opts) => api('POST', path, { ...opts, body });
export const put = (path, body, opts) => api('PUT', path, { ...opts, body });
export const patch = (path, body, opts) => api('PATCH', path, { ...opts, body });
export const del = (path, opts) => api('DELETE', path, opts);
