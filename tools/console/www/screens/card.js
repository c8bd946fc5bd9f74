// 浏览卡信息, reading the card on the encoder, IC卡初始化.

import * as api from '../api.js';
import { dateTime, field, h, message, replace, table } from '../dom.js';
import { encoderSelect } from '../encoders.js';
import { t } from '../i18n.js';
import { yuan } from '../money.js';
import { runWorkflow } from '../workflow.js';

function cardSummary(card) {
  return h('div', { class: 'fields', id: 'card-summary' },
    h('span', {}, t('card-no')), h('b', {}, String(card.card_no)),
    h('span', {}, t('serial')), h('span', {}, String(card.serial)),
    h('span', {}, t('holder')), h('span', { id: 'card-holder' }, `${card.name} (${card.staff_no}, ${card.dept})`),
    h('span', {}, t('state')), h('span', { id: 'card-state', class: `state-${card.state}` }, t(`state-${card.state}`)),
    h('span', {}, t('balance')), h('b', { id: 'card-balance' }, `¥${yuan(card.balance)}`),
    h('span', {}, t('issued-at')), h('span', {}, dateTime(card.issued_at)),
    card.uid ? [h('span', {}, 'UID'), h('code', {}, card.uid)] : null);
}

export async function info(screen, context) {
  const cardNo = h('input', { id: 'info-card', inputmode: 'numeric', required: true, value: context.sub || '' });
  const out = h('div', { id: 'info-result' });
  async function show() {
    const answer = await api.call('card-info', { card_no: Number(cardNo.value) });
    if (answer.result !== 0) { replace(out, message(answer)); return; }
    const a = answer.arguments;
    replace(out, cardSummary(a.card),
      a.pending ? h('div', { class: 'message warning', id: 'card-pending' },
        t('pending-write', { kind: a.pending.kind, at: dateTime(a.pending.created_at) })) : null,
      h('h2', {}, t('ledger')),
      table([
        { label: t('time'), cell: (l) => dateTime(l.at) },
        { label: t('kind'), cell: (l) => t(`ledger-${l.kind}`) },
        { label: t('amount'), money: true, cell: (l) => yuan(l.amount) },
        { label: t('cash'), money: true, cell: (l) => yuan(l.cash) },
      ], a.ledger, { attributes: { id: 'card-ledger' } }),
      h('h2', {}, t('losses')),
      table([
        { label: t('reported-at'), cell: (l) => dateTime(l.reported_at) },
        { label: t('reason'), cell: (l) => (l.reason ? t(`reason-${l.reason}`) : '') },
        { label: t('unlocked-at'), cell: (l) => dateTime(l.unlocked_at) },
      ], a.losses, { attributes: { id: 'card-losses' } }));
  }
  screen.append(h('h1', {}, t('menu-info')), h('form', { class: 'fields', onsubmit: (e) => { e.preventDefault(); show(); } },
    field(t('card-no'), cardNo), h('span'), h('button', { type: 'submit', id: 'info-show' }, t('show'))), out);
  if (cardNo.value) show();
}

export async function read(screen) {
  const encoder = await encoderSelect();
  const expected = h('input', { id: 'read-expected', inputmode: 'numeric' });
  const out = h('div', { id: 'read-result' });
  screen.append(h('h1', {}, t('menu-read')), h('form', { class: 'fields', onsubmit: async (e) => {
    e.preventDefault();
    const args = { encoder: encoder.value };
    if (expected.value.trim()) args.card_no = Number(expected.value);
    const answer = await runWorkflow(t('menu-read'), 'card-read', args, encoder.value);
    const a = answer.arguments || {};
    const onCard = a.on_card;
    replace(out, message(answer),
      onCard ? table([
        { label: '', key: 'what' }, { label: t('on-card'), key: 'card' }, { label: t('in-store'), key: 'store' }],
      [
        { what: t('card-no'), card: onCard.card_no, store: a.card ? a.card.card_no : '' },
        { what: t('serial'), card: onCard.serial, store: a.card ? a.card.serial : '' },
        { what: t('state'), card: onCard.status, store: a.card ? t(`state-${a.card.state}`) : '' },
        { what: t('balance'), card: onCard.balance !== undefined ? yuan(onCard.balance) : '', store: a.card ? yuan(a.card.balance) : '' },
      ], { attributes: { id: 'read-compare' } }) : null,
      a.differences && a.differences.length ? h('ul', { id: 'read-differences' }, a.differences.map((d) => h('li', {}, d))) : null);
  } }, field(t('encoder'), encoder), field(t('expected-card'), expected), h('span'),
  h('button', { type: 'submit', id: 'read-card' }, t('read-card'))), out);
}

export async function init(screen) {
  const encoder = await encoderSelect();
  const out = h('div', { id: 'init-result' });
  screen.append(h('h1', {}, t('menu-init')), h('p', { class: 'muted' }, t('init-explain')),
    h('div', { class: 'fields' }, field(t('encoder'), encoder)),
    h('button', { type: 'button', id: 'init-card', onclick: async () => {
      replace(out, message(await runWorkflow(t('menu-init'), 'card-init', { encoder: encoder.value }, encoder.value)));
    } }, t('init-card')), out);
}
