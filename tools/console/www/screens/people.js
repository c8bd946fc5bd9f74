// 人员: find and select people; the selection carries to issue and loss.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { peoplePicker, selection } from '../picker.js';

export function render(screen, context) {
  const picker = peoplePicker();
  screen.append(h('h1', {}, t('menu-people')), picker,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'to-issue', onclick: () => context.go('issue/batch') }, t('issue-to-selected')),
      h('button', { type: 'button', id: 'to-loss', onclick: () => context.go('loss') }, t('loss-for-selected'))));
  return () => picker.dispose();
}

export { selection };
