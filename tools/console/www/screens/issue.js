// 发卡管理: one card, a batch to the selected people (rehearsed whole before
// the first card), and 入职登记 (a new person and the card in one form).

import * as api from '../api.js';
import { field, h, message, replace, table } from '../dom.js';
import { encoderSelect } from '../encoders.js';
import { t } from '../i18n.js';
import { centsOf } from '../money.js';
import { cardCell, clearSelection, onSelectionChange, peoplePicker, selection } from '../picker.js';
import { runWorkflow } from '../workflow.js';

function moneyInput(id, value = '0') { return h('input', { id, inputmode: 'decimal', value, size: 10 }); }

/** The opening and cost fields' cents, or a message naming the bad one. */
function amounts(opening, cost) {
  const o = centsOf(opening.value);
  const c = centsOf(cost.value);
  if (o === null) return { error: t('bad-amount', { field: t('opening') }) };
  if (c === null) return { error: t('bad-amount', { field: t('cost') }) };
  return { opening: o, cost: c };
}

function single(panel, encoder) {
  const staff = h('input', { id: 'issue-staff', required: true });
  const cardNo = h('input', { id: 'issue-card-no', inputmode: 'numeric' });
  const opening = moneyInput('issue-opening');
  const cost = moneyInput('issue-cost');
  const out = h('div', { id: 'issue-result' });
  const first = [...selection.values()][0];
  if (first) staff.value = first.staff_no;
  panel.append(h('form', { class: 'fields', id: 'issue-form', onsubmit: async (e) => {
    e.preventDefault();
    const money = amounts(opening, cost);
    if (money.error) { replace(out, message({ result: 6, text: money.error })); return; }
    const args = { staff_no: staff.value.trim(), opening: money.opening, cost: money.cost, encoder: encoder.value };
    if (cardNo.value.trim()) args.card_no = Number(cardNo.value);
    else {
      const plan = await api.call('card-issue-batch', { rows: [{ staff_no: args.staff_no }], rehearse: true });
      if (plan.result !== 0) { replace(out, message(plan)); return; }
      args.card_no = plan.arguments.rows[0].card_no;
    }
    replace(out, message(await runWorkflow(t('issue-single'), 'card-issue', args, encoder.value)));
  } },
  field(t('staff-no'), staff), field(t('card-no'), cardNo), h('span'), h('span', { class: 'muted' }, t('card-no-auto')),
  field(t('opening'), opening), field(t('cost'), cost), h('span'), h('button', { type: 'submit', id: 'issue-write' }, t('write-card'))),
  out);
}

function batch(panel, encoder) {
  const listing = h('div', { id: 'batch-people' });
  const first = h('input', { id: 'batch-first', inputmode: 'numeric', placeholder: t('card-no-auto') });
  const opening = moneyInput('batch-opening');
  const cost = moneyInput('batch-cost');
  const out = h('div', { id: 'batch-result' });
  const picker = peoplePicker({ filter: (p) => !p.card || p.card.state === 'returned' });
  function show() {
    const people = [...selection.values()];
    replace(listing, h('p', {}, t('batch-people', { n: people.length })));
  }
  const stop = onSelectionChange(show);
  show();
  function rows(money) {
    return [...selection.values()].map((p) => ({ staff_no: p.staff_no, opening: money.opening, cost: money.cost }));
  }
  function args(money) {
    const a = { rows: rows(money), encoder: encoder.value };
    if (first.value.trim()) a.assign_from = Number(first.value);
    return a;
  }
  panel.append(picker, listing, h('div', { class: 'fields' },
    field(t('first-card-no'), first), field(t('opening'), opening), field(t('cost'), cost)),
  h('div', { class: 'buttons' },
    h('button', { type: 'button', id: 'batch-rehearse', onclick: async () => {
      const money = amounts(opening, cost);
      if (money.error) { replace(out, message({ result: 6, text: money.error })); return; }
      if (!selection.size) { replace(out, message({ result: 6, text: t('select-people-first') })); return; }
      const answer = await api.call('card-issue-batch', { ...args(money), rehearse: true });
      const plan = answer.arguments && (answer.arguments.rows || answer.arguments.refused);
      replace(out, message(answer), plan ? table([
        { label: t('row'), key: 'row' }, { label: t('staff-no'), key: 'staff_no' },
        { label: t('card-no'), key: 'card_no' }, { label: '', key: 'text' }], plan, { attributes: { id: 'batch-plan' } }) : null);
    } }, t('rehearse')),
    h('button', { type: 'button', id: 'batch-write', onclick: async () => {
      const money = amounts(opening, cost);
      if (money.error) { replace(out, message({ result: 6, text: money.error })); return; }
      if (!selection.size) { replace(out, message({ result: 6, text: t('select-people-first') })); return; }
      const answer = await runWorkflow(t('issue-batch'), 'card-issue-batch', args(money), encoder.value);
      replace(out, message(answer));
      if (answer.result === 0) { clearSelection(); picker.refresh(); }
    } }, t('batch-write'))), out);
  return () => { stop(); picker.dispose(); };
}

function onboarding(panel, encoder) {
  const staff = h('input', { id: 'onboard-staff', required: true });
  const name = h('input', { id: 'onboard-name', required: true });
  const dept = h('input', { id: 'onboard-dept', required: true });
  const cardNo = h('input', { id: 'onboard-card-no', inputmode: 'numeric', required: true });
  const opening = moneyInput('onboard-opening');
  const cost = moneyInput('onboard-cost');
  const out = h('div', { id: 'onboard-result' });
  panel.append(h('form', { class: 'fields', id: 'onboard-form', onsubmit: async (e) => {
    e.preventDefault();
    const money = amounts(opening, cost);
    if (money.error) { replace(out, message({ result: 6, text: money.error })); return; }
    const args = { staff_no: staff.value.trim(), name: name.value.trim(), dept: dept.value.trim(),
      issue: { card_no: Number(cardNo.value), opening: money.opening, cost: money.cost, encoder: encoder.value } };
    replace(out, message(await runWorkflow(t('issue-onboard'), 'person-add', args, encoder.value)));
  } },
  field(t('staff-no'), staff), field(t('name'), name), field(t('department'), dept), field(t('card-no'), cardNo),
  field(t('opening'), opening), field(t('cost'), cost), h('span'), h('button', { type: 'submit', id: 'onboard-write' }, t('write-card'))),
  out);
}

export async function render(screen, context) {
  const encoder = await encoderSelect();
  const panel = h('div');
  const tabs = { single, batch, onboarding };
  let dispose = null;
  const bar = h('div', { class: 'tabs' }, Object.keys(tabs).map((name) => h('button', {
    type: 'button', id: `tab-${name}`, class: name === (context.sub || 'single') ? 'current' : null,
    onclick: () => context.go(`issue/${name}`) }, t(`issue-${name}`))));
  screen.append(h('h1', {}, t('menu-issue')), h('div', { class: 'fields' }, field(t('encoder'), encoder)), bar, panel);
  dispose = (tabs[context.sub] || single)(panel, encoder);
  return () => { if (dispose) dispose(); };
}

export { cardCell };
