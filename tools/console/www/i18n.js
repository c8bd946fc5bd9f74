// The console's words in Chinese and English. The language is the browser's
// first choice (Chinese for any zh-*), unless the switch in the header chose
// one, which this browser remembers. Terms follow the card centre's old
// operating manual (发卡管理, 挂失, 解除挂失, 新卡补办, ...).

const words = {
  zh: {
    brand: '一卡通卡务中心', login: '登录', 'login-title': '卡务中心登录', logout: '退出', account: '账户', password: '密码',
    'logged-out': '已退出。', 'session-ended': '会话已结束，请重新登录。',
    'group-people': '人事', 'group-cards': '卡片中心', 'group-loss': '挂失与补办', 'group-system': '系统',
    'menu-people': '人员', 'menu-issue': '发卡管理', 'menu-topup': '现金充值', 'menu-refund': '退款销户', 'menu-return': '退卡管理',
    'menu-info': '浏览卡信息', 'menu-read': '读卡核对', 'menu-init': 'IC卡初始化', 'menu-loss': '卡片挂失', 'menu-failed': '挂失失败设备',
    'menu-unlock': '解除挂失', 'menu-replace': '新卡补办', 'menu-devices': '设备管理', 'menu-format': '卡格式', 'menu-accounts': '账户管理',
    'menu-audit': '操作日志',
    'role-viewer': '查询员', 'role-issuer': '卡务员', 'role-admin': '管理员',
    'search-hint': '姓名、工号或部门', 'all-departments': '全部部门', 'select-page': '选择本页', previous: '上一页', next: '下一页',
    showing: '第 {from}–{to} 条，共 {total} 条', selected: '已选人员（{n}）', remove: '移除', clear: '清空', none: '（无）',
    'staff-no': '工号', name: '姓名', department: '部门', card: '卡', balance: '余额', 'no-card': '无卡',
    'state-active': '正常', 'state-lost': '挂失', 'state-replaced': '已补办', 'state-returned': '已退卡',
    'issue-to-selected': '给所选人员发卡', 'loss-for-selected': '挂失所选人员的卡',
    'issue-single': '单张发卡', 'issue-batch': '批量发卡', 'issue-onboarding': '入职登记', encoder: '发卡器',
    'card-no': '卡号', 'card-no-auto': '留空则自动分配下一个空闲卡号', opening: '开户金额（元）', cost: '卡成本（元）',
    'write-card': '写卡', 'first-card-no': '起始卡号', 'batch-people': '将给 {n} 人发卡', rehearse: '预检', 'batch-write': '批量发卡',
    'select-people-first': '请先选择人员。', row: '行', 'bad-amount': '{field}不是有效金额（元，最多两位小数）。',
    working: '处理中…', cancel: '取消', cancelling: '正在取消…', close: '关闭', done: '完成', failed: '失败',
    'amount-yuan': '充值金额（元）', amount: '金额', topup: '充值', 'refund-close': '退款销户', 'wipe-card': '清除卡片',
    'refund-explain': '退还余额并注销卡，卡片可清除后重新使用。', 'refund-confirm': '确定对卡 {card} 退款销户吗？',
    'return-explain': '收回卡片：余额退还，卡片清除后可再次发放。', 'return-card': '退卡',
    serial: '流水号', holder: '持卡人', state: '状态', 'issued-at': '发卡时间', ledger: '账目', time: '时间', kind: '类别', cash: '现金',
    losses: '挂失记录', 'reported-at': '挂失时间', 'unlocked-at': '解挂时间', reason: '原因', show: '查询',
    'pending-write': '有一次未完成的写卡（{kind}，{at}）：请将该卡放到发卡器上以完成。',
    'ledger-opening': '开户', 'ledger-card_cost': '卡成本', 'ledger-topup': '充值', 'ledger-refund': '退款', 'ledger-purchase': '消费',
    'ledger-terminal_refund': '终端退款', 'ledger-carry_out': '转出', 'ledger-carry_in': '转入', 'ledger-write_off': '核销',
    'expected-card': '应为卡号（可选）', 'read-card': '读卡', 'on-card': '卡上', 'in-store': '数据库',
    'init-explain': '将卡恢复为空白卡。仅用于不属于任何有效卡的卡片。', 'init-card': '初始化',
    'reason-lost': '遗失', 'reason-damaged': '损坏', 'reason-expired': '到期', 'reason-other': '其他',
    'push-to-terminals': '挂失时下载黑名单到指定设备', 'loss-no-push-warning': '未选择下载：挂失只在数据库中生效，原卡在设备上仍可使用，直到黑名单下载到设备。',
    'unlock-no-push-warning': '未选择删除：只在数据库中解挂，设备仍会拒绝该卡，直到名单从设备删除。',
    'loss-explain': '登记挂失后将黑名单下载到所选设备，并采集设备上挂失生效前的消费数据；未选设备时先采集所有设备的数据。',
    'loss-cards': '将挂失 {n} 张卡：{cards}', 'report-loss': '挂失登记', 'collecting-first': '正在下载黑名单并采集数据…',
    terminal: '设备', step: '步骤', outcome: '结果', collected: '采集', pushed: '下载黑名单', ok: '成功',
    'failed-explain': '挂失时没有同步下载黑名单的设备。选择卡号和设备，重新下载失败卡号。', 'missing-cards': '未下载的卡号',
    attempts: '尝试次数', 'failed-since': '失败开始', 'last-error': '最近错误', 'resend-failed': '重新下载失败卡号', 'resend-admin-only': '重新下载由管理员操作。', refresh: '刷新',
    'choose-terminals': '请选择设备。', 'choose-cards': '请选择卡。',
    'from-date': '起始日期', 'to-date': '截止日期', 'card-serial': '卡流水号', find: '查询', unlock: '解除挂失',
    'replace-explain': '只能为已挂失的卡补办。新卡继承原卡余额。', 'old-card-no': '原卡号', 'new-card-no': '新卡号', replace: '补办', choose: '选择',
    terminals: '消费终端', encoders: '发卡器', address: '地址', 'confirmed-version': '已确认版本', 'planned-version': '计划版本',
    pending: '待下载', 'next-retry': '下次重试', 'read-params': '读取参数',
    'terminal-level': '已同步', 'terminal-behind': '待同步', 'terminal-failed': '失败', 'terminal-unknown': '未连接', 'terminal-registered': '已登记',
    'card-type': '卡片类型', 'card-format': 'IC卡格式', sector: '使用扇区', 'card-no-digits': '卡号长度', 'max-card-no': '最大卡号', save: '保存',
    role: '角色', disabled: '已停用', enabled: '正常', 'locked-until': '锁定至 {at}', 'last-login': '最近登录',
    'set-password': '设置密码', 'new-password-for': '{name} 的新密码（至少10个字符）：', enable: '启用', disable: '停用',
    'remove-account': '删除账户 {name}？', 'add-account': '新增账户', add: '新增',
    via: '来源', action: '操作', detail: '详情',
  },
  en: {
    brand: 'Card centre', login: 'Log in', 'login-title': 'Card centre login', logout: 'Log out', account: 'Account', password: 'Password',
    'logged-out': 'Logged out.', 'session-ended': 'Your session ended; log in again.',
    'group-people': 'People', 'group-cards': 'Cards', 'group-loss': 'Loss and replacement', 'group-system': 'System',
    'menu-people': 'People', 'menu-issue': 'Issue cards', 'menu-topup': 'Cash top-up', 'menu-refund': 'Refund and close', 'menu-return': 'Card return',
    'menu-info': 'Card information', 'menu-read': 'Read and compare', 'menu-init': 'Initialise a card', 'menu-loss': 'Report loss', 'menu-failed': 'Failed devices',
    'menu-unlock': 'Unlock', 'menu-replace': 'Replacement', 'menu-devices': 'Devices', 'menu-format': 'Card format', 'menu-accounts': 'Accounts',
    'menu-audit': 'Audit log',
    'role-viewer': 'viewer', 'role-issuer': 'issuer', 'role-admin': 'admin',
    'search-hint': 'name, staff number or department', 'all-departments': 'All departments', 'select-page': 'select this page', previous: 'Previous', next: 'Next',
    showing: '{from}–{to} of {total}', selected: 'Selected people ({n})', remove: 'Remove', clear: 'Clear', none: '(none)',
    'staff-no': 'Staff no.', name: 'Name', department: 'Department', card: 'Card', balance: 'Balance', 'no-card': 'no card',
    'state-active': 'active', 'state-lost': 'lost', 'state-replaced': 'replaced', 'state-returned': 'returned',
    'issue-to-selected': 'Issue cards to the selected', 'loss-for-selected': 'Report the selected cards lost',
    'issue-single': 'One card', 'issue-batch': 'Batch', 'issue-onboarding': 'Onboarding', encoder: 'Encoder',
    'card-no': 'Card no.', 'card-no-auto': 'empty: the next free number is assigned', opening: 'Opening (yuan)', cost: 'Card cost (yuan)',
    'write-card': 'Write card', 'first-card-no': 'First card no.', 'batch-people': 'Cards for {n} people', rehearse: 'Rehearse', 'batch-write': 'Issue batch',
    'select-people-first': 'Select people first.', row: 'Row', 'bad-amount': '{field} is not an amount of yuan (at most two decimals).',
    working: 'Working…', cancel: 'Cancel', cancelling: 'Cancelling…', close: 'Close', done: 'Done', failed: 'Failed',
    'amount-yuan': 'Amount (yuan)', amount: 'Amount', topup: 'Top up', 'refund-close': 'Refund and close', 'wipe-card': 'Wipe the card',
    'refund-explain': 'Pays the balance back and closes the card; a wiped card can be issued again.', 'refund-confirm': 'Refund and close card {card}?',
    'return-explain': 'Takes the card back: the balance is paid out and the wiped card can be issued again.', 'return-card': 'Return card',
    serial: 'Serial', holder: 'Holder', state: 'State', 'issued-at': 'Issued', ledger: 'Ledger', time: 'Time', kind: 'Kind', cash: 'Cash',
    losses: 'Loss reports', 'reported-at': 'Reported', 'unlocked-at': 'Unlocked', reason: 'Reason', show: 'Show',
    'pending-write': 'A card write is unresolved ({kind}, {at}): place the card on an encoder to settle it.',
    'ledger-opening': 'opening', 'ledger-card_cost': 'card cost', 'ledger-topup': 'top-up', 'ledger-refund': 'refund', 'ledger-purchase': 'purchase',
    'ledger-terminal_refund': 'terminal refund', 'ledger-carry_out': 'carried out', 'ledger-carry_in': 'carried in', 'ledger-write_off': 'write-off',
    'expected-card': 'Expected card no. (optional)', 'read-card': 'Read card', 'on-card': 'On the card', 'in-store': 'In the store',
    'init-explain': 'Makes the card blank again; only for a card that is no live card.', 'init-card': 'Initialise',
    'reason-lost': 'lost', 'reason-damaged': 'damaged', 'reason-expired': 'expired', 'reason-other': 'other',
    'push-to-terminals': 'Push the blacklist to these terminals', 'loss-no-push-warning': 'No push: the loss holds in the database only, and the card still works at terminals until the blacklist reaches them.',
    'unlock-no-push-warning': 'No removal push: unlocked in the database only; terminals keep refusing the card until it is removed from their lists.',
    'loss-explain': 'The losses are recorded and pushed to the chosen terminals, and every purchase a terminal made with the cards before it refused them is collected; without a push, every terminal is collected first.',
    'loss-cards': '{n} cards to report: {cards}', 'report-loss': 'Report loss', 'collecting-first': 'Pushing, and collecting records…',
    terminal: 'Terminal', step: 'Step', outcome: 'Outcome', collected: 'collection', pushed: 'blacklist push', ok: 'ok',
    'failed-explain': 'Terminals a push did not reach. Choose cards and terminals, and resend.', 'missing-cards': 'Cards not on it',
    attempts: 'Attempts', 'failed-since': 'Failing since', 'last-error': 'Last error', 'resend-failed': 'Resend failed cards', 'resend-admin-only': 'An administrator resends.', refresh: 'Refresh',
    'choose-terminals': 'Choose terminals.', 'choose-cards': 'Choose cards.',
    'from-date': 'From', 'to-date': 'To', 'card-serial': 'Card serial', find: 'Find', unlock: 'Unlock',
    'replace-explain': 'Only a lost card can be replaced; the new card carries its balance.', 'old-card-no': 'Old card no.', 'new-card-no': 'New card no.', replace: 'Replace', choose: 'Choose',
    terminals: 'Terminals', encoders: 'Encoders', address: 'Address', 'confirmed-version': 'Confirmed version', 'planned-version': 'Planned version',
    pending: 'Pending', 'next-retry': 'Next retry', 'read-params': 'Read parameters',
    'terminal-level': 'level', 'terminal-behind': 'behind', 'terminal-failed': 'failed', 'terminal-unknown': 'never reached', 'terminal-registered': 'registered',
    'card-type': 'Card type', 'card-format': 'Card format', sector: 'Sector', 'card-no-digits': 'Card no. digits', 'max-card-no': 'Highest card no.', save: 'Save',
    role: 'Role', disabled: 'disabled', enabled: 'enabled', 'locked-until': 'locked until {at}', 'last-login': 'Last login',
    'set-password': 'Set password', 'new-password-for': 'New password for {name} (at least 10 characters):', enable: 'Enable', disable: 'Disable',
    'remove-account': 'Remove account {name}?', 'add-account': 'Add an account', add: 'Add',
    via: 'Via', action: 'Action', detail: 'Detail',
  },
};

const key = 'cardd.language';

export function language() {
  const saved = localStorage.getItem(key);
  if (saved === 'zh' || saved === 'en') return saved;
  const wanted = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return wanted.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function setLanguage(chosen) { localStorage.setItem(key, chosen); }

/** The word for `id` in the current language, with {name} filled from `values`. */
export function t(id, values = {}) {
  const text = words[language()][id] ?? words.en[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ''));
}

export const dictionaries = words;
