// A card workflow in a dialog: cardd's request to place the card, the
// progress of a batch, the outcome, and Cancel, which asks cardd to stop
// waiting for the card (a write already under way is finished and journaled).

import * as api from './api.js';
import { h, message, replace } from './dom.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

/**
 * Runs `command` on `encoder` with the dialog open; gives cardd's answer.
 * `title` names the workflow.
 */
export async function runWorkflow(title, command, args, encoder) {
  const dialog = $('workflow');
  $('workflow-title').textContent = title;
  $('workflow-prompt').textContent = t('working');
  replace($('workflow-steps'));
  replace($('workflow-result'));
  const bar = $('workflow-bar');
  bar.hidden = true;
  const cancel = $('workflow-cancel');
  const close = $('workflow-close');
  cancel.textContent = t('cancel');
  close.textContent = t('close');
  cancel.hidden = false;
  cancel.disabled = false;
  close.hidden = true;
  dialog.hidden = false;
  cancel.onclick = async () => {
    cancel.disabled = true;
    $('workflow-prompt').textContent = t('cancelling');
    if (encoder) await api.call('encoder-cancel', { encoder });
  };
  let answer;
  try {
    answer = await api.stream(command, args, (progress) => {
      // The newest line is what the person at the desk must read; a
      // batch's lines are kept below it with the count done.
      $('workflow-prompt').textContent = progress.text;
      if (progress.done !== undefined) {
        bar.hidden = false;
        bar.max = progress.total || 1;
        bar.value = progress.done;
        $('workflow-steps').append(h('li', {}, `${progress.done} / ${progress.total}: ${progress.text}`));
      }
    });
  } catch (error) {
    dialog.hidden = true;
    throw error;
  }
  $('workflow-prompt').textContent = answer.result === 0 ? t('done') : t('failed');
  replace($('workflow-result'), message(answer));
  cancel.hidden = true;
  close.hidden = false;
  await new Promise((resolve) => { close.onclick = resolve; });
  dialog.hidden = true;
  return answer;
}
