// The encoder a desk writes cards with: chosen once and remembered by this
// browser, as the old GUI remembered its 发卡设备.

import * as api from './api.js';
import { h } from './dom.js';

const key = 'cardd.encoder';

export async function encoderNames() {
  const answer = await api.call('device-list');
  if (answer.result !== 0) return [];
  return answer.arguments.devices.filter((d) => d.kind === 'encoder').map((d) => d.name);
}

export function chosenEncoder(names) {
  const saved = localStorage.getItem(key);
  return names.includes(saved) ? saved : names[0] || '';
}

/** A select of the encoders, remembering the choice. */
export async function encoderSelect() {
  const names = await encoderNames();
  const select = h('select', { name: 'encoder', id: 'encoder', onchange: (e) => localStorage.setItem(key, e.target.value) },
    names.map((n) => h('option', { value: n }, n)));
  select.value = chosenEncoder(names);
  return select;
}
