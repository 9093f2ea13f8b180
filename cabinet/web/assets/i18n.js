// Languages (Russian by default, English), plural forms, and dates, times
// and money in the branch's time zone.

/** The page's language: "ru" or "en" (from <html lang>, set by the server). */
export function lang() { return document.documentElement.lang === 'en' ? 'en' : 'ru'; }

/** The locale for Intl: Russian, or British English (day before month). */
export function locale() { return lang() === 'en' ? 'en-GB' : 'ru-RU'; }

/** Switches the language: a cookie the server reads, then a reload. */
export function setLang(l) {
  const path = new URL(document.baseURI).pathname;
  document.cookie = `kabinet_lang=${l}; path=${path}; max-age=31536000; samesite=lax`;
  location.reload();
}

const common = {
  ru: {
    home: 'Главная', book: 'Запись', appointments: 'Визиты', card: 'Моя карта', more: 'Ещё',
    signOut: 'Выйти', language: 'English', languageLabel: 'Switch to English',
    loading: 'Загрузка…', retry: 'Повторить', save: 'Сохранить', saved: 'Сохранено', cancel: 'Отмена',
    close: 'Закрыть', back: 'Назад', next: 'Далее', delete: 'Удалить', edit: 'Изменить', yes: 'Да', no: 'Нет',
    notFound: 'Такой страницы нет', notFoundText: 'Проверьте адрес или вернитесь на главную.', toHome: 'На главную',
    error: 'Что-то пошло не так. Попробуйте ещё раз.', required: 'Заполните это поле',
    staff: 'Работа', staffDay: 'Мой день', staffWeek: 'Неделя', staffBranch: 'Филиал', staffClients: 'Клиенты', staffOrders: 'Заказы',
    sessionEnded: 'Сеанс завершён. Войдите снова.', empty: 'Пока пусто',
  },
  en: {
    home: 'Home', book: 'Book', appointments: 'Visits', card: 'My card', more: 'More',
    signOut: 'Sign out', language: 'Русский', languageLabel: 'Переключить на русский',
    loading: 'Loading…', retry: 'Try again', save: 'Save', saved: 'Saved', cancel: 'Cancel',
    close: 'Close', back: 'Back', next: 'Next', delete: 'Delete', edit: 'Edit', yes: 'Yes', no: 'No',
    notFound: 'There is no such page', notFoundText: 'Check the address or go back home.', toHome: 'Go home',
    error: 'Something went wrong. Please try again.', required: 'Fill in this field',
    staff: 'Work', staffDay: 'My day', staffWeek: 'Week', staffBranch: 'Branch', staffClients: 'Clients', staffOrders: 'Orders',
    sessionEnded: 'Your session has ended. Please sign in again.', empty: 'Nothing here yet',
  },
};

/**
 * Makes a translation function from a page's dictionary ({ru: {...}, en:
 * {...}}), falling back to the common words. Values may be strings with
 * {name} placeholders or functions of the variables.
 */
export function dict(d = {}) {
  return (key, vars = {}) => {
    const l = lang();
    let v = d[l]?.[key] ?? common[l][key] ?? d.ru?.[key] ?? common.ru[key];
    if (v === undefined) return key;
    if (typeof v === 'function') return v(vars);
    return v.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
  };
}

/** The common words. */
export const t = dict();

/**
 * A count with its word in the right plural form: plural(3, ['визит',
 * 'визита', 'визитов']) → "3 визита"; English forms are [one, other].
 */
export function plural(n, forms) {
  let i;
  if (lang() === 'en' || forms.length === 2) i = n === 1 ? 0 : 1;
  else {
    const m10 = n % 10, m100 = n % 100;
    i = m10 === 1 && m100 !== 11 ? 0 : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? 1 : 2;
  }
  return `${n}\u00a0${forms[i]}`;
}

const fmtCache = new Map();
function fmt(opts) {
  const key = locale() + JSON.stringify(opts);
  if (!fmtCache.has(key)) fmtCache.set(key, new Intl.DateTimeFormat(locale(), opts));
  return fmtCache.get(key);
}

const toDate = (v) => (v instanceof Date ? v : new Date(v));

/** "1 декабря, вторник" in tz (an IANA zone; undefined: the browser's). */
export function fmtDay(v, tz) { return fmt({ day: 'numeric', month: 'long', weekday: 'long', timeZone: tz }).format(toDate(v)); }
/** "1 дек." */
export function fmtShortDay(v, tz) { return fmt({ day: 'numeric', month: 'short', timeZone: tz }).format(toDate(v)); }
/** "01.12.2026" */
export function fmtDate(v, tz) { return fmt({ day: '2-digit', month: '2-digit', year: 'numeric', timeZone: tz }).format(toDate(v)); }
/** "12:00" */
export function fmtTime(v, tz) { return fmt({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz }).format(toDate(v)); }
/** "1 декабря, вторник, 12:00" */
export function fmtDateTime(v, tz) { return `${fmtDay(v, tz)}, ${fmtTime(v, tz)}`; }
/** A calendar date "2026-12-01" (no zone) as "1 декабря 2026". */
export function fmtCalendarDate(s) {
  const [y, m, d] = s.split('-').map(Number);
  return fmt({ day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** The calendar date ("2026-12-01") of an instant in tz. */
export function isoDay(v, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz })
    .formatToParts(toDate(v)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

/** Adds days to a calendar date "2026-12-01". */
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  const t0 = new Date(Date.UTC(y, m - 1, d + n));
  return t0.toISOString().slice(0, 10);
}

/** Money {amount (minor units), currency}: "3 500 ₽" / "3,500 RUB". */
export function fmtMoney(m) {
  if (!m) return '';
  const cur = m.currency || 'RUB';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: cur, maximumFractionDigits: m.amount % 100 ? 2 : 0, currencyDisplay: lang() === 'en' ? 'code' : 'symbol' })
    .format(m.amount / 100);
}
