// 选择人员: find people by name or staff number, or filter by department,
// tick them, and they are moved to the selection on the right, as the old
// GUI's person picker did. The selection outlives the screen, so people
// picked on one screen can be acted on in the next.

import * as api from './api.js';
import { h, replace, table } from './dom.js';
import { t } from './i18n.js';
import { yuan } from './money.js';

const pageSize = 50;

/** staff_no → person (with .card) across screens. */
export const selection = new Map();
const listeners = new Set();
export function onSelectionChange(listener) { listeners.add(listener); return () => listeners.delete(listener); }
function changed() { for (const listener of listeners) listener(); }
export function clearSelection() { selection.clear(); changed(); }

export function cardCell(person) {
  if (!person.card) return h('span', { class: 'muted' }, t('no-card'));
  return h('span', { class: `state-${person.card.state}` }, `${person.card.card_no} (${t(`state-${person.card.state}`)})`);
}

/**
 * The picker: `filter(person)` may hide people a screen cannot act on
 * (a loss needs an active card).
 */
export function peoplePicker({ filter } = {}) {
  const query = h('input', { type: 'search', id: 'people-query', placeholder: t('search-hint') });
  const department = h('select', { id: 'people-dept' }, h('option', { value: '' }, t('all-departments')));
  const results = h('div', { id: 'people-results' });
  const pager = h('div', { class: 'pager' });
  const chosen = h('div', { id: 'people-selection' });
  let offset = 0;
  let total = 0;
  let timer = null;

  api.call('departments').then((answer) => {
    if (answer.result !== 0) return;
    for (const d of answer.arguments.departments) department.append(h('option', { value: d.name }, `${d.name} (${d.people})`));
  });

  async function search() {
    const args = { offset, limit: pageSize };
    if (query.value.trim()) args.query = query.value.trim();
    if (department.value) args.department = department.value;
    const answer = await api.call('person-search', args);
    if (answer.result !== 0) { replace(results, h('div', { class: 'message error' }, answer.text)); return; }
    total = answer.arguments.total;
    const people = answer.arguments.people.filter((p) => !filter || filter(p));
    const all = h('input', { type: 'checkbox', id: 'people-all', title: t('select-page'),
      onchange: (e) => { for (const p of people) toggle(p, e.target.checked); search(); } });
    replace(results, table([
      { label: all, cell: (p) => h('input', { type: 'checkbox', class: 'pick', 'data-staff': p.staff_no,
        checked: selection.has(p.staff_no), onchange: (e) => toggle(p, e.target.checked) }) },
      { label: t('staff-no'), key: 'staff_no' },
      { label: t('name'), key: 'name' },
      { label: t('department'), key: 'department' },
      { label: t('card'), cell: cardCell },
      { label: t('balance'), money: true, cell: (p) => (p.card ? yuan(p.card.balance) : '') },
    ], people, { attributes: { id: 'people-table' },
      rowAttributes: (p) => ({ class: selection.has(p.staff_no) ? 'selected' : null, 'data-staff': p.staff_no }) }));
    const last = Math.min(offset + pageSize, total);
    replace(pager,
      h('button', { type: 'button', class: 'secondary', id: 'people-prev', disabled: offset === 0,
        onclick: () => { offset = Math.max(0, offset - pageSize); search(); } }, t('previous')),
      h('span', { id: 'people-count' }, t('showing', { from: total ? offset + 1 : 0, to: last, total })),
      h('button', { type: 'button', class: 'secondary', id: 'people-next', disabled: last >= total,
        onclick: () => { offset += pageSize; search(); } }, t('next')));
  }

  function toggle(person, on) {
    if (on) selection.set(person.staff_no, person); else selection.delete(person.staff_no);
    changed();
  }

  function showSelection() {
    const people = [...selection.values()];
    replace(chosen,
      h('h2', {}, t('selected', { n: people.length })),
      table([
        { label: t('staff-no'), key: 'staff_no' },
        { label: t('name'), key: 'name' },
        { label: t('card'), cell: cardCell },
        { label: '', cell: (p) => h('button', { type: 'button', class: 'secondary', onclick: () => toggle(p, false) }, t('remove')) },
      ], people, { attributes: { id: 'selection-table' } }),
      people.length ? h('button', { type: 'button', class: 'secondary', id: 'selection-clear', onclick: clearSelection }, t('clear')) : null);
  }

  query.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { offset = 0; search(); }, 200); });
  department.addEventListener('change', () => { offset = 0; search(); });
  const stop = onSelectionChange(() => { showSelection(); });
  showSelection();
  search();
  const element = h('div', { class: 'picker columns' },
    h('div', {}, h('div', { class: 'buttons' }, query, department), results, pager),
    h('div', { class: 'panel' }, chosen));
  element.dispose = stop;
  element.refresh = search;
  return element;
}
