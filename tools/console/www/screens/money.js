// 现金充值, 退款销户, 退卡管理: money onto a card and out of it. The card is
// written in the same step as the store, so each runs as a card workflow.

import * as api from '../api.js';
import { field, h, message, replace } from '../dom.js';
import { encoderSelect } from '../encoders.js';
import { t } from '../i18n.js';
import { centsOf, yuan } from '../money.js';
import { runWorkflow } from '../workflow.js';

/** The card number field with the holder and balance shown as it is typed. */
function cardField(id) {
  const input = h('input', { id, inputmode: 'numeric', required: true });
  const holder = h('span', { id: `${id}-holder`, class: 'muted' });
  input.addEventListener('change', async () => {
    if (!input.value.trim()) { holder.textContent = ''; return; }
    const answer = await api.call('card-info', { card_no: Number(input.value) });
    holder.textContent = answer.result === 0
      ? `${answer.arguments.card.name} (${answer.arguments.card.staff_no}), ${t(`state-${answer.arguments.card.state}`)}, ¥${yuan(answer.arguments.card.balance)}`
      : answer.text;
  });
  return { input, holder };
}

export async function topup(screen) {
  const encoder = await encoderSelect();
  const card = cardField('topup-card');
  const amount = h('input', { id: 'topup-amount', inputmode: 'decimal', required: true });
  const out = h('div', { id: 'topup-result' });
  screen.append(h('h1', {}, t('menu-topup')), h('form', { class: 'fields', id: 'topup-form', onsubmit: async (e) => {
    e.preventDefault();
    const cents = centsOf(amount.value);
    if (cents === null || cents === 0) { replace(out, message({ result: 6, text: t('bad-amount', { field: t('amount') }) })); return; }
    const answer = await runWorkflow(t('menu-topup'), 'card-topup',
      { card_no: Number(card.input.value), amount: cents, encoder: encoder.value }, encoder.value);
    replace(out, message(answer));
    card.input.dispatchEvent(new Event('change'));
  } },
  field(t('encoder'), encoder), field(t('card-no'), card.input), h('span'), card.holder,
  field(t('amount-yuan'), amount), h('span'), h('button', { type: 'submit', id: 'topup-write' }, t('topup'))), out);
}

export async function refund(screen) {
  const encoder = await encoderSelect();
  const card = cardField('refund-card');
  const wipe = h('input', { type: 'checkbox', id: 'refund-wipe', checked: true });
  const out = h('div', { id: 'refund-result' });
  screen.append(h('h1', {}, t('menu-refund')), h('p', { class: 'muted' }, t('refund-explain')),
    h('form', { class: 'fields', id: 'refund-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!confirm(t('refund-confirm', { card: card.input.value }))) return;
      const answer = await runWorkflow(t('menu-refund'), 'card-refund-close',
        { card_no: Number(card.input.value), wipe: wipe.checked, encoder: encoder.value }, encoder.value);
      replace(out, message(answer));
    } },
    field(t('encoder'), encoder), field(t('card-no'), card.input), h('span'), card.holder,
    field(t('wipe-card'), wipe), h('span'), h('button', { type: 'submit', id: 'refund-write' }, t('refund-close'))), out);
}

export async function cardReturn(screen) {
  const encoder = await encoderSelect();
  const card = cardField('return-card');
  const wipe = h('input', { type: 'checkbox', id: 'return-wipe', checked: true });
  const out = h('div', { id: 'return-result' });
  screen.append(h('h1', {}, t('menu-return')), h('p', { class: 'muted' }, t('return-explain')),
    h('form', { class: 'fields', id: 'return-form', onsubmit: async (e) => {
      e.preventDefault();
      const answer = await runWorkflow(t('menu-return'), 'card-return',
        { card_no: Number(card.input.value), wipe: wipe.checked, encoder: encoder.value }, encoder.value);
      replace(out, message(answer));
    } },
    field(t('encoder'), encoder), field(t('card-no'), card.input), h('span'), card.holder,
    field(t('wipe-card'), wipe), h('span'), h('button', { type: 'submit', id: 'return-write' }, t('return-card'))), out);
}

export { api };
