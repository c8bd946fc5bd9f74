// Building the screens: elements from data, never from HTML strings, so a
// person's name is always text.

import { t } from './i18n.js';

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A table: columns [{key, label, cell?(row), money?}], rows of objects. */
export function table(columns, rows, options = {}) {
  const head = h('tr', {}, columns.map((c) => h('th', { class: c.money ? 'money' : null }, c.label)));
  const body = rows.map((row) => {
    const tr = h('tr', options.rowAttributes ? options.rowAttributes(row) : {},
      columns.map((c) => {
        const value = c.cell ? c.cell(row) : row[c.key];
        return h('td', { class: c.money ? 'money' : null }, value === null || value === undefined ? '' : value);
      }));
    return tr;
  });
  if (rows.length === 0) body.push(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, t('none'))));
  return h('table', options.attributes || {}, h('thead', {}, head), h('tbody', {}, body));
}

/** A line saying how a command went: cardd's own sentence. */
export function message(answer, extra) {
  const kind = answer.result === 0 ? 'ok' : 'error';
  return h('div', { class: `message ${kind}`, 'data-result': String(answer.result), role: 'status' },
    answer.text, extra ? `\n${extra}` : null);
}

export function warning(text) { return h('div', { class: 'message warning' }, text); }

export function field(labelText, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return [h('label', { for: id }, labelText), input];
}

export function dateTime(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Unix seconds of a local date input's midnight (or the next day's, for an end). */
export function secondsOfDate(value, endOfDay = false) {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(y, m - 1, d + (endOfDay ? 1 : 0));
  return Math.floor(date.getTime() / 1000) - (endOfDay ? 1 : 0);
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
