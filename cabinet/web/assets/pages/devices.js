// Devices: where the client is signed in (each session with its browser,
// address, sign-in and last activity), ending one of them or all but this
// one; and the browsers that receive push notifications.

import { get, post, del } from '../api.js';
import { dict } from '../i18n.js';
import { h, mount, errorBox, busy, toast, link } from '../dom.js';
import { deviceName, section, ownPushID, when } from '../account-lib.js';

const t = dict({
  ru: {
    title: 'Устройства и входы',
    intro: 'Здесь видно, где открыт ваш кабинет. Если не узнаёте устройство, завершите его сеанс — там потребуется войти снова.',
    sessions: 'Входы в кабинет',
    unknownDevice: 'Неизвестное устройство',
    current: 'Это устройство',
    signedIn: 'Вход', lastSeen: 'Активность', ip: 'IP-адрес', expires: 'Действует до',
    revoke: 'Завершить сеанс',
    revokeLabel: ({ name, at }) => `Завершить сеанс: ${name}, вход ${at}`,
    revoked: 'Сеанс завершён',
    revokeOthers: 'Выйти на всех других устройствах',
    revokedOthers: ({ n }) => (n ? `Завершено сеансов: ${n}` : 'Других сеансов не было'),
    onlyThis: 'Кабинет открыт только на этом устройстве.',
    gone: 'Этот сеанс уже завершён.',
    push: 'Push-уведомления',
    pushIntro: 'Браузеры, в которые приходят уведомления.',
    pushNone: 'Push-уведомления не включены ни в одном браузере.',
    pushSince: 'с',
    pushThis: 'Этот браузер',
    pushRemove: 'Отключить',
    pushRemoveLabel: ({ name }) => `Отключить push-уведомления: ${name}`,
    pushRemoved: 'Push-уведомления для браузера отключены',
    toSettings: 'Настройки уведомлений',
    back: 'Ещё',
  },
  en: {
    title: 'Devices and sign-ins',
    intro: 'This is where your cabinet is open. If you do not recognise a device, end its session: it will have to sign in again.',
    sessions: 'Sign-ins',
    unknownDevice: 'Unknown device',
    current: 'This device',
    signedIn: 'Signed in', lastSeen: 'Last active', ip: 'IP address', expires: 'Valid until',
    revoke: 'End session',
    revokeLabel: ({ name, at }) => `End the session: ${name}, signed in ${at}`,
    revoked: 'Session ended',
    revokeOthers: 'Sign out on every other device',
    revokedOthers: ({ n }) => (n ? `Sessions ended: ${n}` : 'There were no other sessions'),
    onlyThis: 'The cabinet is open on this device only.',
    gone: 'This session has ended already.',
    push: 'Push notifications',
    pushIntro: 'Browsers that receive notifications.',
    pushNone: 'Push notifications are not on in any browser.',
    pushSince: 'since',
    pushThis: 'This browser',
    pushRemove: 'Turn off',
    pushRemoveLabel: ({ name }) => `Turn off push notifications: ${name}`,
    pushRemoved: 'Push notifications are off for that browser',
    toSettings: 'Notification settings',
    back: 'More',
  },
});

/** The page. */
export async function render(ctx) {
  ctx.setTitle(t('title'));
  const sessionsBox = h('div', { class: 'acc-sessions' });
  const pushBox = h('div', { class: 'acc-push-list' });

  async function loadSessions() {
    const { sessions } = await get('auth/sessions');
    drawSessions(sessions);
  }
  async function loadPush() {
    const { subscriptions } = await get('me/push-subscriptions');
    drawPush(subscriptions);
  }

  function drawSessions(list) {
    // This device first, then the latest active.
    const sorted = [...list].sort((a, b) => (b.current - a.current) || (Date.parse(b.last_seen_at) - Date.parse(a.last_seen_at)));
    const others = sorted.filter((s) => !s.current);
    const items = sorted.map((s) => {
      const name = deviceName(s.device) || t('unknownDevice');
      const at = when(s.created_at);
      const revoke = s.current ? null : h('button', {
        type: 'button', class: 'secondary', 'aria-label': t('revokeLabel', { name, at }),
        onClick: (e) => busy(e.currentTarget, () => act(async () => {
          try {
            await del(`auth/sessions/${encodeURIComponent(s.id)}`);
            toast(t('revoked'));
          } catch (err) {
            if (err.status !== 404) throw err;
            toast(t('gone'));
          }
          await loadSessions();
        })),
      }, t('revoke'));
      return h('li', { class: ['card', 'acc-session', s.current && 'current'], dataset: { session: s.id, current: String(!!s.current) } },
        h('div', { class: 'row' }, h('h3', {}, name), s.current ? h('span', { class: 'badge ok' }, t('current')) : null),
        h('dl', { class: 'acc-facts' },
          h('div', {}, h('dt', {}, t('signedIn')), h('dd', {}, at)),
          h('div', {}, h('dt', {}, t('lastSeen')), h('dd', {}, when(s.last_seen_at))),
          s.ip ? h('div', {}, h('dt', {}, t('ip')), h('dd', { class: 'acc-ip' }, s.ip)) : null,
          h('div', {}, h('dt', {}, t('expires')), h('dd', {}, when(s.expires_at)))),
        revoke ? h('div', { class: 'actions' }, revoke) : null);
    });
    const all = others.length ? h('button', {
      type: 'button', class: 'danger acc-revoke-others',
      onClick: (e) => busy(e.currentTarget, () => act(async () => {
        const { revoked } = await post('auth/sessions/revoke-others');
        toast(t('revokedOthers', { n: revoked }));
        await loadSessions();
      })),
    }, t('revokeOthers')) : h('p', { class: 'muted' }, t('onlyThis'));
    mount(sessionsBox, h('ul', { class: 'acc-cards' }, items), h('div', { class: 'actions' }, all));
  }

  function drawPush(subs) {
    if (!subs.length) {
      mount(pushBox, h('p', { class: 'muted' }, t('pushNone')), h('p', {}, link('settings', t('toSettings'))));
      return;
    }
    const own = ownPushID();
    mount(pushBox, h('p', { class: 'muted' }, t('pushIntro')),
      h('ul', { class: 'list' }, subs.map((s) => {
        const name = deviceName(s.user_agent) || t('unknownDevice');
        return h('li', { class: 'row acc-push-item', dataset: { subscription: s.id } },
          h('span', {}, h('strong', {}, name), s.id === own ? h('span', { class: 'badge ok' }, t('pushThis')) : null,
            h('span', { class: 'muted acc-since' }, ` ${t('pushSince')} ${when(s.created_at)}`)),
          h('button', {
            type: 'button', class: 'secondary', 'aria-label': t('pushRemoveLabel', { name }),
            onClick: (e) => busy(e.currentTarget, () => act(async () => {
              try { await del(`me/push-subscriptions/${encodeURIComponent(s.id)}`); } catch (err) { if (err.status !== 404) throw err; }
              toast(t('pushRemoved'));
              await loadPush();
            })),
          }, t('pushRemove')));
      })));
  }

  const errors = h('div', { class: 'acc-errors' });
  /** Runs an action, showing its error above the lists. */
  async function act(fn) {
    mount(errors);
    try { await fn(); } catch (err) {
      if (err && err.status === 401) return;
      mount(errors, errorBox(err));
    }
  }

  await Promise.all([loadSessions(), loadPush()]);
  mount(ctx.main,
    h('p', { class: 'acc-back' }, link('settings', `← ${t('back')}`)),
    h('h1', {}, t('title')),
    h('p', { class: 'muted' }, t('intro')),
    errors,
    section(t('sessions'), {}, sessionsBox),
    section(t('push'), {}, pushBox));
  return undefined;
}
