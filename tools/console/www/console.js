// The console's frame: log in, the menu (what the account's role may use),
// and the screen the address names (#/topup, #/issue/batch, ...).

import * as api from './api.js';
import { field, h, message, replace } from './dom.js';
import { language, setLanguage, t } from './i18n.js';
import * as admin from './screens/admin.js';
import * as card from './screens/card.js';
import * as devices from './screens/devices.js';
import * as issue from './screens/issue.js';
import * as loss from './screens/loss.js';
import * as money from './screens/money.js';
import * as people from './screens/people.js';

const $ = (id) => document.getElementById(id);
const rank = { viewer: 0, issuer: 1, admin: 2 };

// [route, menu key, least role, render]; groups as the old GUI's 卡片中心.
const screens = [
  ['people', 'menu-people', 'viewer', people.render, 'group-people'],
  ['issue', 'menu-issue', 'issuer', issue.render, 'group-cards'],
  ['topup', 'menu-topup', 'issuer', money.topup, 'group-cards'],
  ['refund', 'menu-refund', 'issuer', money.refund, 'group-cards'],
  ['return', 'menu-return', 'issuer', money.cardReturn, 'group-cards'],
  ['info', 'menu-info', 'viewer', card.info, 'group-cards'],
  ['read', 'menu-read', 'issuer', card.read, 'group-cards'],
  ['init', 'menu-init', 'issuer', card.init, 'group-cards'],
  ['loss', 'menu-loss', 'issuer', loss.loss, 'group-loss'],
  ['failed', 'menu-failed', 'viewer', loss.failed, 'group-loss'],
  ['unlock', 'menu-unlock', 'issuer', loss.unlock, 'group-loss'],
  ['replace', 'menu-replace', 'issuer', loss.replacement, 'group-loss'],
  ['devices', 'menu-devices', 'viewer', devices.render, 'group-system'],
  ['format', 'menu-format', 'admin', admin.format, 'group-system'],
  ['accounts', 'menu-accounts', 'admin', admin.accounts, 'group-system'],
  ['audit', 'menu-audit', 'viewer', admin.audit, 'group-system'],
];

let who = null;
let dispose = null;

function allowed(least) { return who && rank[who.role] >= rank[least]; }

function frame() {
  $('brand').textContent = t('brand');
  $('language').textContent = language() === 'zh' ? 'English' : '中文';
  $('logout').textContent = t('logout');
  $('logout').hidden = !who;
  $('who').textContent = who ? `${who.account} · ${t(`role-${who.role}`)}` : '';
  document.documentElement.lang = language();
  document.title = t('brand');
}

function menu(current) {
  const nav = $('menu');
  nav.hidden = !who;
  const items = [];
  let group = '';
  for (const [route, key, least, , inGroup] of screens) {
    if (!allowed(least)) continue;
    if (inGroup !== group) { group = inGroup; items.push(h('h3', {}, t(group))); }
    items.push(h('a', { href: `#/${route}`, id: `menu-${route}`, class: route === current ? 'current' : null }, t(key)));
  }
  replace(nav, items);
}

function loginScreen(note) {
  menu('');
  const name = h('input', { id: 'login-name', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div', { id: 'login-result' }, note ? h('div', { class: 'message warning' }, note) : null);
  replace($('screen'), h('div', { class: 'login panel' }, h('h1', {}, t('login-title')),
    h('form', { class: 'fields', id: 'login-form', onsubmit: async (e) => {
      e.preventDefault();
      const answer = await api.login(name.value.trim(), password.value);
      password.value = '';
      if (answer.result !== 0) { replace(out, message(answer)); return; }
      who = answer;
      frame();
      route();
    } }, field(t('account'), name), field(t('password'), password), h('span'),
    h('button', { type: 'submit', id: 'login-submit' }, t('login'))), out));
}

async function route() {
  if (dispose) { dispose(); dispose = null; }
  if (!who) { loginScreen(); return; }
  const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'people').split('/');
  const found = screens.find(([r, , least]) => r === name && allowed(least)) || screens[0];
  menu(found[0]);
  const screen = $('screen');
  replace(screen);
  try {
    const result = await found[3](screen, { sub: rest.join('/'), role: who.role, go: (to) => { location.hash = `#/${to}`; } });
    if (typeof result === 'function') dispose = result;
  } catch (error) {
    if (who) screen.append(message({ result: 1, text: String(error.message || error) }));
  }
}

api.setLoggedOutHandler((text) => {
  who = null;
  frame();
  loginScreen(text || t('session-ended'));
});

$('language').addEventListener('click', () => {
  setLanguage(language() === 'zh' ? 'en' : 'zh');
  frame();
  route();
});
$('logout').addEventListener('click', async () => {
  await api.logout();
  who = null;
  frame();
  loginScreen(t('logged-out'));
});
window.addEventListener('hashchange', route);

(async () => {
  who = await api.session();
  frame();
  route();
})();
