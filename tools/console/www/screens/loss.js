// 卡片挂失, 挂失失败设备列表, 解除挂失, 新卡补办.

import * as api from '../api.js';
import { dateTime, field, h, message, replace, secondsOfDate, table, warning } from '../dom.js';
import { encoderSelect } from '../encoders.js';
import { t } from '../i18n.js';
import { centsOf } from '../money.js';
import { clearSelection, onSelectionChange, peoplePicker, selection } from '../picker.js';
import { runWorkflow } from '../workflow.js';

const reasons = ['lost', 'damaged', 'expired', 'other'];

async function terminalNames() {
  const answer = await api.call('device-list');
  if (answer.result !== 0) return [];
  return answer.arguments.devices.filter((d) => d.kind === 'terminal').map((d) => d.name);
}

/**
 * 指定挂失/解挂设备 and 挂失时下载黑名单: whether to push, and to which
 * terminals; without a push the warning says what that means.
 */
async function pushChoice(prefix, warningText) {
  const names = await terminalNames();
  const push = h('input', { type: 'checkbox', id: `${prefix}-push`, checked: true });
  const boxes = names.map((n) => h('input', { type: 'checkbox', class: `${prefix}-terminal`, value: n, checked: true }));
  const note = h('div', { id: `${prefix}-no-push` });
  const update = () => {
    for (const b of boxes) b.disabled = !push.checked;
    replace(note, push.checked ? null : warning(warningText));
  };
  push.addEventListener('change', update);
  update();
  const element = h('div', { class: 'panel' },
    h('label', {}, push, ' ', t('push-to-terminals')),
    h('div', { class: 'buttons', id: `${prefix}-terminals` }, names.map((n, i) => h('label', {}, boxes[i], ' ', n))), note);
  element.args = () => {
    if (!push.checked) return {};
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    return { push: true, devices: chosen.length === boxes.length ? 'all' : chosen };
  };
  return element;
}

/** Each terminal's outcome of a push: level, or failed and why. */
function outcomes(a) {
  const rows = [];
  for (const name of a.collected || []) rows.push({ terminal: name, step: t('collected'), outcome: t('ok') });
  for (const f of a.not_collected || []) rows.push({ terminal: f.device || f.name, step: t('collected'), outcome: f.text || f.error || '' });
  for (const name of a.pushed || []) rows.push({ terminal: name, step: t('pushed'), outcome: t('ok') });
  for (const f of a.failed || []) rows.push({ terminal: f.device || f.name, step: t('pushed'), outcome: f.text || f.error || '' });
  return table([{ label: t('terminal'), key: 'terminal' }, { label: t('step'), key: 'step' }, { label: t('outcome'), key: 'outcome' }],
    rows, { attributes: { id: 'push-outcomes' } });
}

export async function loss(screen) {
  const picker = peoplePicker({ filter: (p) => p.card && p.card.state === 'active' });
  const reason = h('select', { id: 'loss-reason' }, reasons.map((r) => h('option', { value: r }, t(`reason-${r}`))));
  const push = await pushChoice('loss', t('loss-no-push-warning'));
  const out = h('div', { id: 'loss-result' });
  const chosen = h('p', { id: 'loss-chosen' });
  const show = () => {
    const cards = [...selection.values()].filter((p) => p.card && p.card.state === 'active');
    chosen.textContent = t('loss-cards', { n: cards.length, cards: cards.map((p) => p.card.card_no).join(', ') });
  };
  const stop = onSelectionChange(show);
  show();
  screen.append(h('h1', {}, t('menu-loss')), h('p', { class: 'muted' }, t('loss-explain')), picker, chosen,
    h('div', { class: 'fields' }, field(t('reason'), reason)), push,
    h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'loss-report', onclick: async () => {
      const cards = [...selection.values()].filter((p) => p.card && p.card.state === 'active').map((p) => p.card.card_no);
      if (!cards.length) { replace(out, message({ result: 6, text: t('select-people-first') })); return; }
      replace(out, h('p', {}, t('collecting-first')));
      const answer = await api.call('card-loss', { card_nos: cards, reason: reason.value, ...push.args() });
      replace(out, message(answer), answer.arguments ? outcomes(answer.arguments) : null);
      if (answer.result === 0) { clearSelection(); picker.refresh(); }
    } }, t('report-loss'))), out);
  return () => { stop(); picker.dispose(); };
}

export async function failed(screen, context) {
  const out = h('div', { id: 'failed-result' });
  const list = h('div', { id: 'failed-list' });
  async function load() {
    const answer = await api.call('failed');
    if (answer.result !== 0) { replace(list, message(answer)); return; }
    const rows = answer.arguments.failed;
    replace(list, table([
      { label: '', cell: (r) => h('input', { type: 'checkbox', class: 'failed-device', value: r.device, checked: true }) },
      { label: t('terminal'), key: 'device' },
      { label: t('missing-cards'), cell: (r) => h('span', {}, r.missing_cards.map((c) => h('label', {},
        h('input', { type: 'checkbox', class: 'failed-card', value: String(c), checked: true }), ` ${c} `))) },
      { label: t('attempts'), key: 'attempts' },
      { label: t('failed-since'), cell: (r) => dateTime(r.failed_since) },
      { label: t('last-error'), key: 'text' },
    ], rows, { attributes: { id: 'failed-table' } }));
  }
  screen.append(h('h1', {}, t('menu-failed')), h('p', { class: 'muted' }, t('failed-explain')), list,
    h('div', { class: 'buttons' },
      context.role !== 'admin' ? h('span', { class: 'muted', id: 'failed-admin-only' }, t('resend-admin-only')) : null,
      context.role !== 'admin' ? null : h('button', { type: 'button', id: 'failed-resend', onclick: async () => {
        const devices = [...document.querySelectorAll('.failed-device:checked')].map((b) => b.value);
        const cards = [...new Set([...document.querySelectorAll('.failed-card:checked')].map((b) => Number(b.value)))];
        if (!devices.length) { replace(out, message({ result: 6, text: t('choose-terminals') })); return; }
        const args = { devices };
        if (cards.length) args.cards = cards;
        replace(out, message(await api.call('resync', args)));
        load();
      } }, t('resend-failed')),
      h('button', { type: 'button', class: 'secondary', onclick: load }, t('refresh'))), out);
  load();
}

export async function unlock(screen) {
  const from = h('input', { type: 'date', id: 'unlock-from' });
  const to = h('input', { type: 'date', id: 'unlock-to' });
  const serial = h('input', { id: 'unlock-serial', inputmode: 'numeric' });
  const list = h('div', { id: 'unlock-list' });
  const push = await pushChoice('unlock', t('unlock-no-push-warning'));
  const out = h('div', { id: 'unlock-result' });
  async function find() {
    const args = { open: true };
    if (from.value) args.from = secondsOfDate(from.value);
    if (to.value) args.to = secondsOfDate(to.value, true);
    if (serial.value.trim()) args.serial = Number(serial.value);
    const answer = await api.call('losses', args);
    if (answer.result !== 0) { replace(list, message(answer)); return; }
    replace(list, table([
      { label: '', cell: (l) => h('input', { type: 'checkbox', class: 'unlock-pick', value: String(l.card_no) }) },
      { label: t('card-no'), key: 'card_no' }, { label: t('serial'), key: 'serial' },
      { label: t('staff-no'), key: 'staff_no' }, { label: t('name'), key: 'name' },
      { label: t('reason'), cell: (l) => (l.reason ? t(`reason-${l.reason}`) : '') },
      { label: t('reported-at'), cell: (l) => dateTime(l.reported_at) },
    ], answer.arguments.losses, { attributes: { id: 'unlock-table' } }));
  }
  screen.append(h('h1', {}, t('menu-unlock')),
    h('form', { class: 'fields', onsubmit: (e) => { e.preventDefault(); find(); } },
      field(t('from-date'), from), field(t('to-date'), to), field(t('card-serial'), serial), h('span'),
      h('button', { type: 'submit', id: 'unlock-find' }, t('find'))),
    list, push,
    h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'unlock-do', onclick: async () => {
      const cards = [...document.querySelectorAll('.unlock-pick:checked')].map((b) => Number(b.value));
      if (!cards.length) { replace(out, message({ result: 6, text: t('choose-cards') })); return; }
      const answer = await api.call('card-unlock', { card_nos: cards, ...push.args() });
      replace(out, message(answer), answer.arguments ? outcomes(answer.arguments) : null);
      find();
    } }, t('unlock'))), out);
  find();
}

export async function replacement(screen) {
  const encoder = await encoderSelect();
  const list = h('div', { id: 'replace-list' });
  const oldNo = h('input', { id: 'replace-old', inputmode: 'numeric', required: true });
  const newNo = h('input', { id: 'replace-new', inputmode: 'numeric', required: true });
  const cost = h('input', { id: 'replace-cost', inputmode: 'decimal', value: '0' });
  const out = h('div', { id: 'replace-result' });
  const answer = await api.call('losses', { open: true });
  if (answer.result === 0) {
    replace(list, table([
      { label: '', cell: (l) => h('button', { type: 'button', class: 'secondary', onclick: () => { oldNo.value = String(l.card_no); } }, t('choose')) },
      { label: t('card-no'), key: 'card_no' }, { label: t('staff-no'), key: 'staff_no' }, { label: t('name'), key: 'name' },
      { label: t('reported-at'), cell: (l) => dateTime(l.reported_at) },
    ], answer.arguments.losses, { attributes: { id: 'replace-table' } }));
  }
  screen.append(h('h1', {}, t('menu-replace')), h('p', { class: 'muted' }, t('replace-explain')), list,
    h('form', { class: 'fields', id: 'replace-form', onsubmit: async (e) => {
      e.preventDefault();
      const cents = centsOf(cost.value);
      if (cents === null) { replace(out, message({ result: 6, text: t('bad-amount', { field: t('cost') }) })); return; }
      const result = await runWorkflow(t('menu-replace'), 'card-replace',
        { card_no: Number(oldNo.value), new_card_no: Number(newNo.value), cost: cents, encoder: encoder.value }, encoder.value);
      replace(out, message(result));
    } },
    field(t('encoder'), encoder), field(t('old-card-no'), oldNo), field(t('new-card-no'), newNo), field(t('cost'), cost),
    h('span'), h('button', { type: 'submit', id: 'replace-write' }, t('replace'))), out);
}
