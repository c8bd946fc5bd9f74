// 设备管理: terminals with what cardd knows of their lists, and encoders,
// each of which can be asked for its parameters (读取参数).

import * as api from '../api.js';
import { dateTime, h, message, replace, table } from '../dom.js';
import { t } from '../i18n.js';

export async function render(screen) {
  const out = h('div', { id: 'devices-result' });
  const terminals = h('div', { id: 'terminals' });
  const encoders = h('div', { id: 'encoders' });
  const readButton = (d) => h('button', { type: 'button', class: 'secondary', 'data-device': d.name, onclick: async () => {
    const answer = await api.call('device-read-params', { name: d.name });
    const a = answer.arguments || {};
    const details = Object.entries(a).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n');
    replace(out, message(answer, details));
  } }, t('read-params'));
  async function load() {
    const answer = await api.call('device-list');
    if (answer.result !== 0) { replace(terminals, message(answer)); return; }
    const devices = answer.arguments.devices;
    replace(terminals, h('h2', {}, t('terminals')), table([
      { label: t('name'), key: 'name' },
      { label: t('address'), key: 'address' },
      { label: t('state'), cell: (d) => h('span', { class: `state-${d.state}` }, t(`terminal-${d.state}`)) },
      { label: t('serial'), key: 'serial' },
      { label: t('confirmed-version'), key: 'confirmed_version' },
      { label: t('planned-version'), key: 'planned_version' },
      { label: t('pending'), cell: (d) => String(Math.max(0, d.planned_version - d.confirmed_version)) },
      { label: t('attempts'), key: 'attempts' },
      { label: t('next-retry'), cell: (d) => dateTime(d.next_retry) },
      { label: t('last-error'), key: 'last_error' },
      { label: '', cell: readButton },
    ], devices.filter((d) => d.kind === 'terminal'), { attributes: { id: 'terminals-table' } }));
    replace(encoders, h('h2', {}, t('encoders')), table([
      { label: t('name'), key: 'name' },
      { label: t('address'), key: 'address' },
      { label: '', cell: readButton },
    ], devices.filter((d) => d.kind === 'encoder'), { attributes: { id: 'encoders-table' } }));
  }
  screen.append(h('h1', {}, t('menu-devices')), h('div', { class: 'buttons' },
    h('button', { type: 'button', class: 'secondary', id: 'devices-refresh', onclick: load }, t('refresh'))),
  terminals, encoders, out);
  await load();
}
