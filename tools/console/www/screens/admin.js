// 卡格式 (系统参数), the console's accounts, and the audit log.

import * as api from '../api.js';
import { dateTime, field, h, message, replace, secondsOfDate, table } from '../dom.js';
import { t } from '../i18n.js';

export async function format(screen) {
  const out = h('div', { id: 'format-result' });
  const answer = await api.call('format-show');
  if (answer.result !== 0) { screen.append(h('h1', {}, t('menu-format')), message(answer)); return; }
  const f = answer.arguments;
  const sector = h('input', { id: 'format-sector', type: 'number', min: 1, max: 15, value: f.sector });
  const digits = h('input', { id: 'format-digits', type: 'number', min: 1, max: 6, value: f.card_no_digits });
  const max = h('input', { id: 'format-max', type: 'number', min: 1, max: 500000, value: f.max_card_no });
  screen.append(h('h1', {}, t('menu-format')), h('form', { class: 'fields', onsubmit: async (e) => {
    e.preventDefault();
    replace(out, message(await api.call('format-set',
      { sector: Number(sector.value), card_no_digits: Number(digits.value), max_card_no: Number(max.value) })));
  } },
  h('span', {}, t('card-type')), h('span', {}, f.card_type),
  h('span', {}, t('card-format')), h('span', {}, f.format),
  field(t('sector'), sector), field(t('card-no-digits'), digits), field(t('max-card-no'), max),
  h('span'), h('button', { type: 'submit', id: 'format-save' }, t('save'))), out);
}

export async function accounts(screen) {
  const out = h('div', { id: 'accounts-result' });
  const list = h('div', { id: 'accounts-list' });
  const name = h('input', { id: 'account-name', required: true, autocomplete: 'off' });
  const role = h('select', { id: 'account-role' }, ['viewer', 'issuer', 'admin'].map((r) => h('option', { value: r }, t(`role-${r}`))));
  const password = h('input', { id: 'account-password', type: 'password', required: true, autocomplete: 'new-password' });
  const act = async (command, args) => {
    replace(out, message(await api.call(command, args)));
    load();
  };
  async function load() {
    const answer = await api.call('account-list');
    if (answer.result !== 0) { replace(list, message(answer)); return; }
    replace(list, table([
      { label: t('account'), key: 'name' },
      { label: t('role'), cell: (a) => t(`role-${a.role}`) },
      { label: t('state'), cell: (a) => (a.disabled ? t('disabled') : a.locked_until ? t('locked-until', { at: dateTime(a.locked_until) }) : t('enabled')) },
      { label: t('last-login'), cell: (a) => dateTime(a.last_login_at) },
      { label: '', cell: (a) => h('span', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', onclick: () => {
          const p = prompt(t('new-password-for', { name: a.name }));
          if (p) act('account-passwd', { name: a.name, password: p });
        } }, t('set-password')),
        a.disabled
          ? h('button', { type: 'button', class: 'secondary', onclick: () => act('account-enable', { name: a.name }) }, t('enable'))
          : h('button', { type: 'button', class: 'secondary', onclick: () => act('account-disable', { name: a.name }) }, t('disable')),
        h('button', { type: 'button', class: 'secondary', onclick: () => {
          if (confirm(t('remove-account', { name: a.name }))) act('account-remove', { name: a.name });
        } }, t('remove'))) },
    ], answer.arguments.accounts, { attributes: { id: 'accounts-table' } }));
  }
  screen.append(h('h1', {}, t('menu-accounts')), list, h('h2', {}, t('add-account')),
    h('form', { class: 'fields', id: 'account-form', onsubmit: async (e) => {
      e.preventDefault();
      await act('account-add', { name: name.value.trim(), role: role.value, password: password.value });
      password.value = '';
    } }, field(t('account'), name), field(t('role'), role), field(t('password'), password), h('span'),
    h('button', { type: 'submit', id: 'account-add' }, t('add'))), out);
  await load();
}

export async function audit(screen) {
  const account = h('input', { id: 'audit-account' });
  const command = h('input', { id: 'audit-action', placeholder: 'card.topup' });
  const from = h('input', { type: 'date', id: 'audit-from' });
  const to = h('input', { type: 'date', id: 'audit-to' });
  const list = h('div', { id: 'audit-list' });
  async function find() {
    const args = {};
    if (account.value.trim()) args.account = account.value.trim();
    if (command.value.trim()) args.action = command.value.trim();
    if (from.value) args.from = secondsOfDate(from.value);
    if (to.value) args.to = secondsOfDate(to.value, true);
    const answer = await api.call('audit-log', args);
    if (answer.result !== 0) { replace(list, message(answer)); return; }
    replace(list, table([
      { label: t('time'), cell: (e) => dateTime(e.at) },
      { label: t('account'), cell: (e) => e.account || `uid ${e.uid}` },
      { label: t('via'), key: 'via' },
      { label: t('action'), key: 'action' },
      { label: t('detail'), key: 'detail' },
    ], answer.arguments.entries, { attributes: { id: 'audit-table' } }));
  }
  screen.append(h('h1', {}, t('menu-audit')), h('form', { class: 'fields', onsubmit: (e) => { e.preventDefault(); find(); } },
    field(t('account'), account), field(t('action'), command), field(t('from-date'), from), field(t('to-date'), to),
    h('span'), h('button', { type: 'submit', id: 'audit-find' }, t('find'))), list);
  await find();
}
