// The consumers' web app at /app (zh-CN, phone first): sign-in with an SMS code, the real-name step, scanning
// an invoice's QR code (camera, photo or typing), confirming and registering it, and the consumer's invoices,
// prizes (with the claim form), notices and automatic entry. Hash routing, one render function per screen.
// It calls only the documented consumer API with the HttpOnly session cookie (POST /api/v1/auth/session)
// and the session's CSRF token; shared code (API client, error texts, formatting) is in src/web-shared.
import { setCsrfToken, setUnauthorizedHandler } from '../../web-shared/api-client.js';
import { el, show } from '../../web-shared/dom.js';
import { explain, waitText } from '../../web-shared/errors.js';
import { day, duration, periodLabel, when, yuan } from '../../web-shared/formatting.js';
import { startCamera } from './camera.js';
import { consumerApi } from './consumer-api.ts';
import { parseInvoiceQr, typeName } from './invoice-qr.js';
import { decodeFile } from './qr-decoder.js';

const $ = (id) => document.getElementById(id);
const state = {
  session: null,
  profile: null,
  /** service clock minus this device's clock, ms (the campaign may run on a simulated clock) */
  clockOffset: 0,
  /** the invoice read or typed, waiting for confirmation: { qr?, fields, via } */
  pending: null,
  /** the last registration's answer: { result?, error?, fields } */
  outcome: null,
  cleanup: [],
  unread: 0,
};
const serviceNow = () => Date.now() + state.clockOffset;
const onCleanup = (fn) => state.cleanup.push(fn);

// ---- shared bits ------------------------------------------------------------------------------------

/** A refusal explained: what happened and what to do; never the bare code. */
function problem(error) {
  const { text, advice } = explain(error);
  return el('div', { class: 'problem', role: 'alert' }, el('p', { class: 'problem-text' }, text), advice ? el('p', { class: 'problem-advice' }, advice) : null);
}
function showProblem(slot, error) {
  show(slot, error ? problem(error) : null);
}
function field(label, input, help) {
  const id = input.id;
  const helpId = help ? `${id}-help` : null;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  return el('div', { class: 'field' }, el('label', { for: id }, label), input, help ? el('p', { class: 'help', id: helpId }, help) : null);
}
function busy(button, on, text) {
  button.disabled = on;
  if (text) button.textContent = text;
}
function idempotencyKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
function title(text) {
  $('title').textContent = text;
  document.title = `${text} · 有奖发票`;
}

// ---- session ----------------------------------------------------------------------------------------

function adoptSession(session) {
  state.session = session;
  setCsrfToken(session.csrfToken);
  if (session.serverTime) state.clockOffset = Date.parse(session.serverTime) - Date.now();
}

async function loadProfile() {
  state.profile = await consumerApi.me();
  return state.profile;
}

async function refreshUnread() {
  try {
    const page = await consumerApi.notices(1, 1);
    state.unread = page.unread;
  } catch {
    // The badge is a hint; the notices screen shows the error.
  }
  renderNav();
}

async function signOut() {
  try {
    await consumerApi.signOut();
  } catch {
    // Signed out either way.
  }
  state.session = null;
  state.profile = null;
  setCsrfToken(null);
  go('login');
}

// ---- navigation -------------------------------------------------------------------------------------

const TABS = [
  { path: 'scan', label: '扫码登记', icon: '▣' },
  { path: 'invoices', label: '我的发票', icon: '≡' },
  { path: 'prizes', label: '中奖', icon: '★' },
  { path: 'notices', label: '消息', icon: '✉' },
  { path: 'me', label: '我的', icon: '☺' },
];

function renderNav() {
  const current = location.hash.slice(2).split('/')[0];
  const nav = $('tabs');
  nav.hidden = !state.session;
  show(
    nav,
    TABS.map((t) =>
      el(
        'a',
        { href: `#/${t.path}`, 'aria-current': t.path === current ? 'page' : null, id: `tab-${t.path}` },
        el('span', { class: 'tab-icon', 'aria-hidden': 'true' }, t.icon),
        el('span', { class: 'tab-label' }, t.label),
        t.path === 'notices' && state.unread > 0 ? el('span', { class: 'badge', id: 'unread-badge', 'aria-label': `${state.unread}条未读` }, state.unread > 99 ? '99+' : String(state.unread)) : null,
      ),
    ),
  );
}

function go(path) {
  if (location.hash === `#/${path}`) route();
  else location.hash = `#/${path}`;
}

const SCREENS = { login: loginScreen, identity: identityScreen, scan: scanScreen, type: typeScreen, confirm: confirmScreen, result: resultScreen, invoices: invoicesScreen, prizes: prizesScreen, notices: noticesScreen, me: meScreen };

async function route() {
  for (const fn of state.cleanup.splice(0)) fn();
  const name = location.hash.slice(2).split('/')[0] || 'scan';
  if (!state.session && name !== 'login') return go('login');
  const screen = SCREENS[name] || scanScreen;
  renderNav();
  const view = $('view');
  view.setAttribute('data-screen', name);
  view.setAttribute('aria-busy', 'true');
  try {
    await screen(view);
  } catch (error) {
    show(view, problem(error));
  } finally {
    view.removeAttribute('aria-busy');
    view.focus({ preventScroll: true });
  }
}

// ---- sign-in ----------------------------------------------------------------------------------------

async function loginScreen(view) {
  title('登录');
  const phone = el('input', { id: 'phone', type: 'tel', inputmode: 'numeric', autocomplete: 'tel', maxlength: '11', placeholder: '11位手机号', required: true });
  const code = el('input', { id: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', placeholder: '6位验证码', required: true });
  const send = el('button', { type: 'button', id: 'send-code', class: 'secondary' }, '获取验证码');
  const submit = el('button', { type: 'submit', id: 'sign-in', class: 'primary' }, '登录');
  const message = el('div', { id: 'login-message', 'aria-live': 'polite' });
  let timer = null;
  onCleanup(() => clearInterval(timer));
  /** Disables the send button for `seconds`, counting down on it. */
  const countdown = (seconds, label) => {
    clearInterval(timer);
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(timer);
        busy(send, false, '重新获取');
        return;
      }
      busy(send, true, label(left));
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  const validPhone = () => /^1\d{10}$/.test(phone.value.trim());
  send.addEventListener('click', async () => {
    if (!validPhone()) return show(message, problem({ code: 'VALIDATION_FAILED', message: '请输入11位手机号' }));
    busy(send, true, '发送中…');
    try {
      await consumerApi.requestCode({ phone: phone.value.trim() });
      show(message, el('p', { class: 'ok' }, '验证码已发送，5分钟内有效'));
      countdown(60, (s) => `重新获取（${s}秒）`);
      code.focus();
    } catch (error) {
      show(message, problem(error));
      const wait = error.details && error.details.retryAfterSeconds;
      if (error.code === 'RATE_LIMITED' && typeof wait === 'number') countdown(wait, (s) => `${waitText(s)}后可重新获取`);
      else busy(send, false, '获取验证码');
    }
  });
  const form = el(
    'form',
    { id: 'login-form', novalidate: true },
    field('手机号', phone, '未注册的手机号登录后自动注册'),
    el('div', { class: 'field' }, el('label', { for: 'code' }, '短信验证码'), el('div', { class: 'row' }, code, send)),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!validPhone() || !/^\d{6}$/.test(code.value.trim())) return show(message, problem({ code: 'VALIDATION_FAILED', message: '请输入手机号和6位验证码' }));
    busy(submit, true, '登录中…');
    try {
      adoptSession(await consumerApi.signIn({ phone: phone.value.trim(), code: code.value.trim() }));
      const profile = await loadProfile();
      void refreshUnread();
      go(profile.identityStatus === 'verified' ? 'scan' : 'identity');
    } catch (error) {
      show(message, problem(error));
      busy(submit, false, '登录');
    }
  });
  show(view, el('section', { class: 'card' }, el('h2', {}, '手机号登录'), el('p', { class: 'lead' }, '登记发票、查看中奖，都从这里开始。'), form));
}

// ---- real name ---------------------------------------------------------------------------------------

async function identityScreen(view) {
  title('实名认证');
  const profile = await loadProfile();
  if (profile.identityStatus === 'verified') {
    show(
      view,
      el(
        'section',
        { class: 'card' },
        el('h2', {}, '已完成实名认证'),
        el('dl', { class: 'facts' }, el('dt', {}, '姓名'), el('dd', { id: 'masked-name' }, profile.realName || '—'), el('dt', {}, '身份证号'), el('dd', { id: 'masked-id' }, profile.identity.idNumber || '—')),
        el('a', { class: 'button primary', href: '#/scan' }, '去登记发票'),
      ),
    );
    return;
  }
  const name = el('input', { id: 'real-name', type: 'text', autocomplete: 'name', maxlength: '30', placeholder: '与身份证一致', required: true });
  const idNumber = el('input', { id: 'id-number', type: 'text', autocomplete: 'off', maxlength: '18', placeholder: '18位身份证号', required: true, spellcheck: 'false' });
  const submit = el('button', { type: 'submit', id: 'verify-identity', class: 'primary' }, '提交核验');
  const message = el('div', { id: 'identity-message', 'aria-live': 'polite' });
  const form = el(
    'form',
    { id: 'identity-form', novalidate: true },
    field('姓名', name, '少数民族姓名中间的点请输入“·”'),
    field('身份证号', idNumber, '18位，最后一位可能是X'),
    el('p', { class: 'help' }, `将核验姓名、身份证号与本机号码 ${profile.phone} 的登记机主是否一致（三要素核验）。中奖后奖金只发给发票购买方本人。`),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = idNumber.value.trim().toUpperCase();
    if (!name.value.trim() || !/^\d{17}[\dX]$/.test(id)) return show(message, problem({ code: 'ID_NUMBER_INVALID' }));
    busy(submit, true, '核验中…');
    try {
      state.profile = await consumerApi.bindIdentity({ realName: name.value.trim(), idNumber: id });
      go('scan');
    } catch (error) {
      show(message, problem(error));
      busy(submit, false, '提交核验');
    }
  });
  show(
    view,
    el(
      'section',
      { class: 'card' },
      el('h2', {}, '实名认证'),
      el('p', { class: 'lead' }, '登记发票和领奖需要先实名。您可以先浏览，稍后再认证。'),
      form,
      el('a', { href: '#/invoices', class: 'link', id: 'skip-identity' }, '稍后再说'),
    ),
  );
}

// ---- scan -----------------------------------------------------------------------------------------------

function acceptRead(text, via) {
  const fields = parseInvoiceQr(text);
  if (!fields) return false;
  state.pending = { qr: text, fields, via };
  go('confirm');
  return true;
}

function photoPicker(message) {
  const input = el('input', { id: 'photo', type: 'file', accept: 'image/*', class: 'visually-hidden' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    show(message, el('p', { class: 'status' }, '正在识别照片中的二维码…'));
    try {
      const text = await decodeFile(file);
      if (!text) return show(message, problem({ code: 'NO_QR_IN_PHOTO', message: '照片中没有找到二维码' }), el('p', { class: 'problem-advice' }, '请让二维码在画面中清晰、完整、不反光，或改用手动输入。'));
      if (!acceptRead(text, 'photo')) show(message, problem({ code: 'QR_MALFORMED' }));
    } catch {
      show(message, problem({ code: 'NO_QR_IN_PHOTO', message: '无法读取这张照片' }));
    } finally {
      input.value = '';
    }
  });
  return el('label', { class: 'button secondary', for: 'photo', id: 'pick-photo' }, '从相册选择发票照片', input);
}

async function scanScreen(view) {
  title('扫码登记');
  const video = el('video', { id: 'camera', playsinline: true, muted: true, 'aria-label': '摄像头画面' });
  const status = el('p', { id: 'scan-status', class: 'status', 'aria-live': 'polite' }, '正在打开摄像头…');
  const torchButton = el('button', { type: 'button', id: 'torch', class: 'secondary small', hidden: true, 'aria-pressed': 'false' }, '打开手电筒');
  const message = el('div', { id: 'scan-message', 'aria-live': 'polite' });
  const identityNote =
    state.profile && state.profile.identityStatus !== 'verified'
      ? el('div', { class: 'notice' }, '登记发票前需要先', el('a', { href: '#/identity' }, '完成实名认证'), '。')
      : null;
  show(
    view,
    identityNote,
    el('section', { class: 'scanner' }, el('div', { class: 'viewfinder' }, video, el('div', { class: 'frame', 'aria-hidden': 'true' })), status, torchButton),
    el('p', { class: 'help' }, '把发票左上角的二维码放进框内，识别后会先让您核对再提交。'),
    message,
    el('div', { class: 'actions' }, photoPicker(message), el('a', { class: 'button secondary', href: '#/type', id: 'type-instead' }, '手动输入发票信息')),
  );
  let lastWrong = 0;
  try {
    const camera = await startCamera(video, (text) => {
      if (acceptRead(text, 'camera')) return;
      if (Date.now() - lastWrong > 3000) {
        lastWrong = Date.now();
        show(message, problem({ code: 'QR_MALFORMED' }));
      }
    });
    onCleanup(() => camera.stop());
    if (!document.body.contains(video)) return camera.stop();
    status.textContent = '对准发票二维码，自动识别';
    if (camera.torch) {
      torchButton.hidden = false;
      torchButton.addEventListener('click', async () => {
        try {
          const on = await camera.torch.toggle();
          torchButton.textContent = on ? '关闭手电筒' : '打开手电筒';
          torchButton.setAttribute('aria-pressed', String(on));
        } catch {
          torchButton.hidden = true;
        }
      });
    }
  } catch (error) {
    const denied = error && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
    status.textContent = denied
      ? '没有摄像头权限。请在浏览器设置中允许使用摄像头，或从相册选择照片、手动输入。'
      : '无法打开摄像头（本设备没有摄像头，或页面不是通过 HTTPS 打开的）。请从相册选择照片或手动输入。';
    video.hidden = true;
  }
}

// ---- typing -----------------------------------------------------------------------------------------

async function typeScreen(view) {
  title('手动输入');
  const type = el(
    'select',
    { id: 'f-type' },
    el('option', { value: '10' }, '增值税电子普通发票'),
    el('option', { value: '32' }, '数电发票（普通发票）'),
    el('option', { value: '04' }, '增值税普通发票（纸质）'),
    el('option', { value: '11' }, '增值税普通发票（卷式）'),
  );
  const code = el('input', { id: 'f-code', inputmode: 'numeric', maxlength: '12', placeholder: '10或12位数字', autocomplete: 'off' });
  const number = el('input', { id: 'f-number', inputmode: 'numeric', maxlength: '20', placeholder: '8位数字', autocomplete: 'off' });
  const date = el('input', { id: 'f-date', type: 'date', min: '2022-07-15', max: '2022-12-31' });
  const amount = el('input', { id: 'f-amount', inputmode: 'decimal', placeholder: '例如 128.50', autocomplete: 'off' });
  const check = el('input', { id: 'f-check', inputmode: 'numeric', maxlength: '20', placeholder: '20位，或只填后6位', autocomplete: 'off' });
  const codeField = field('发票代码', code, '在发票右上角“发票代码”处，10位或12位数字，第2至5位是地区码（河南为41开头）。');
  const numberField = field('发票号码', number, '在发票代码下方“发票号码”处，8位数字。');
  const checkField = field('校验码', check, '在发票右上角“校验码”处，共20位；填全部或只填后6位都可以。电子普通发票必填。');
  const message = el('div', { id: 'type-message', 'aria-live': 'polite' });
  const adapt = () => {
    const digital = type.value === '32';
    codeField.hidden = digital;
    number.maxLength = digital ? 20 : 8;
    number.placeholder = digital ? '20位数字' : '8位数字';
    numberField.querySelector('.help').textContent = digital
      ? '数电发票没有发票代码，发票号码共20位，在票面右上角；前2位是年份，第3、4位是省份（河南为41）。'
      : '在发票代码下方“发票号码”处，8位数字。';
    checkField.hidden = digital;
  };
  type.addEventListener('change', adapt);
  const form = el(
    'form',
    { id: 'type-form', novalidate: true },
    field('发票类型', type, '看发票顶部的标题；专用发票不参加本活动。'),
    codeField,
    numberField,
    field('开票日期', date, '在发票右上角“开票日期”处。'),
    field('金额（元）', amount, '填“价税合计（小写）”，或不含税的“合计金额”，都可以。'),
    checkField,
    message,
    el('button', { type: 'submit', class: 'primary', id: 'type-next' }, '下一步：核对'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const digital = type.value === '32';
    const f = {
      invoiceType: type.value,
      invoiceCode: digital ? '' : code.value.trim(),
      invoiceNumber: number.value.trim(),
      issueDate: date.value,
      amount: amount.value.trim(),
      checkCode: digital ? '' : check.value.trim(),
    };
    const wrong = [];
    if (!digital && !/^(\d{10}|\d{12})$/.test(f.invoiceCode)) wrong.push('发票代码应为10位或12位数字');
    if (!(digital ? /^\d{20}$/ : /^\d{8}$/).test(f.invoiceNumber)) wrong.push(digital ? '数电发票号码应为20位数字' : '发票号码应为8位数字');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.issueDate)) wrong.push('请选择开票日期');
    if (!/^\d+(\.\d{1,2})?$/.test(f.amount)) wrong.push('金额应为数字，最多两位小数');
    if (f.checkCode && !/^(\d{6}|\d{20})$/.test(f.checkCode)) wrong.push('校验码应为20位或后6位数字');
    if (type.value === '10' && !f.checkCode) wrong.push('电子普通发票需要填写校验码');
    if (wrong.length) return show(message, el('div', { class: 'problem', role: 'alert' }, el('p', { class: 'problem-text' }, '请检查填写的内容'), el('ul', {}, wrong.map((w) => el('li', {}, w)))));
    state.pending = { fields: f, via: 'typed' };
    go('confirm');
  });
  adapt();
  show(view, el('section', { class: 'card' }, el('h2', {}, '手动输入发票信息'), form));
}

// ---- confirm and send -----------------------------------------------------------------------------------

function invoiceFacts(f) {
  return el(
    'dl',
    { class: 'facts', id: 'read-facts' },
    el('dt', {}, '发票类型'),
    el('dd', { 'data-field': 'type' }, typeName(f.invoiceType)),
    f.invoiceCode ? [el('dt', {}, '发票代码'), el('dd', { 'data-field': 'code' }, f.invoiceCode)] : null,
    el('dt', {}, '发票号码'),
    el('dd', { 'data-field': 'number' }, f.invoiceNumber),
    el('dt', {}, '开票日期'),
    el('dd', { 'data-field': 'date' }, f.issueDate),
    el('dt', {}, '金额'),
    el('dd', { 'data-field': 'amount' }, `¥${f.amount}`),
    f.checkCode ? [el('dt', {}, '校验码后6位'), el('dd', { 'data-field': 'check' }, f.checkCode.slice(-6))] : null,
  );
}

async function confirmScreen(view) {
  title('核对发票');
  const pending = state.pending;
  if (!pending) return go('scan');
  const submit = el('button', { type: 'button', class: 'primary', id: 'confirm-send' }, '确认提交');
  const again = el('a', { class: 'button secondary', href: pending.via === 'typed' ? '#/type' : '#/scan' }, pending.via === 'typed' ? '返回修改' : '重新扫描');
  const key = idempotencyKey();
  submit.addEventListener('click', async () => {
    busy(submit, true, '提交中…');
    const body = pending.qr ? { qr: pending.qr } : pending.fields;
    try {
      const result = await consumerApi.register(body, key);
      state.outcome = { result, fields: pending.fields };
    } catch (error) {
      if (error.code === 'NETWORK') {
        // Safe to press again: the same Idempotency-Key answers with the first result.
        show(view.querySelector('#confirm-message'), problem(error));
        busy(submit, false, '重试提交');
        return;
      }
      state.outcome = { error, fields: pending.fields };
    }
    state.pending = null;
    go('result');
  });
  show(
    view,
    el(
      'section',
      { class: 'card' },
      el('h2', {}, pending.via === 'typed' ? '请核对您输入的信息' : '已识别，请核对'),
      invoiceFacts(pending.fields),
      el('div', { id: 'confirm-message', 'aria-live': 'polite' }),
      el('div', { class: 'actions' }, submit, again),
    ),
  );
}

async function resultScreen(view) {
  title('登记结果');
  const outcome = state.outcome;
  if (!outcome) return go('scan');
  let body;
  if (outcome.error) {
    body = [el('h2', { class: 'refused', id: 'result-title' }, '未能登记'), problem(outcome.error)];
  } else if (outcome.result.status === 'verified') {
    body = [
      el('h2', { class: 'verified', id: 'result-title' }, '登记成功'),
      el('p', {}, `已核验，参加抽奖，获得 ${outcome.result.tickets} 张奖券（每满1元1张）。`),
    ];
  } else {
    body = [el('h2', { class: 'pending', id: 'result-title' }, '已受理，等待核验'), problem({ code: outcome.result.reason || 'AWAITING_REGISTRY_RECORD' })];
  }
  show(
    view,
    el(
      'section',
      { class: 'card result' },
      body,
      invoiceFacts(outcome.fields),
      el('div', { class: 'actions' }, el('a', { class: 'button primary', href: '#/scan', id: 'register-another' }, '再登记一张'), el('a', { class: 'button secondary', href: '#/invoices' }, '查看我的发票')),
    ),
  );
}

// ---- my invoices -------------------------------------------------------------------------------------

const STATUS = { verified: '已核验', pending: '待核验', rejected: '未通过', revoked: '已撤销' };

async function invoicesScreen(view) {
  title('我的发票');
  const page = await consumerApi.invoices(1, 50);
  if (page.items.length === 0) {
    show(view, el('section', { class: 'card empty' }, el('p', {}, '还没有登记发票。'), el('a', { class: 'button primary', href: '#/scan' }, '去扫码登记')));
    return;
  }
  show(
    view,
    el('p', { class: 'summary' }, `共 ${page.total} 张`),
    el(
      'ul',
      { class: 'list', id: 'invoice-list' },
      page.items.map((inv) => {
        const entered = inv.status === 'verified';
        const why = inv.reason ? explain(inv.reason) : null;
        return el(
          'li',
          { class: `item status-${inv.status}`, 'data-number': inv.invoiceNumber },
          el('div', { class: 'item-head' }, el('strong', {}, yuan(inv.amountCents)), el('span', { class: `tag tag-${inv.status}` }, STATUS[inv.status] || inv.status)),
          el('p', { class: 'item-sub' }, `${typeName(inv.invoiceType)} · ${inv.invoiceCode ? `${inv.invoiceCode} / ` : ''}${inv.invoiceNumber}`),
          el('p', { class: 'item-sub' }, `开票 ${inv.issueDate} · 登记 ${day(inv.registeredAt)}${inv.source === 'auto' ? ' · 自动参与' : ''}`),
          el(
            'p',
            { class: 'item-draw' },
            entered
              ? `已参加 ${periodLabel(inv.period)} 抽奖，${inv.tickets} 张奖券`
              : inv.status === 'pending'
                ? `将参加 ${periodLabel(inv.period)} 抽奖（核验通过后）`
                : `未参加 ${periodLabel(inv.period)} 抽奖`,
          ),
          why && inv.status !== 'verified' ? el('p', { class: 'item-why' }, `${why.text}。${why.advice}`) : null,
        );
      }),
    ),
  );
}

// ---- my prizes ----------------------------------------------------------------------------------------

const PRIZE_STATUS = { awaiting_claim: '待领取', claimed: '已申领', forfeited: '已过期', revoked: '已取消' };

function claimForm(prize, onDone) {
  const bank = el('input', { id: `bank-${prize.id}`, autocomplete: 'off', maxlength: '100', placeholder: '例如 中国工商银行郑州分行' });
  const account = el('input', { id: `account-${prize.id}`, inputmode: 'numeric', autocomplete: 'off', maxlength: '23', placeholder: '12至19位数字' });
  const message = el('div', { 'aria-live': 'polite' });
  const submit = el('button', { type: 'submit', class: 'primary' }, '提交领奖');
  const key = idempotencyKey();
  const form = el(
    'form',
    { class: 'claim-form', novalidate: true },
    field('开户银行', bank, '银行名称和开户网点'),
    field('银行卡号或账号', account, '须是您本人（实名认证的姓名）名下的账户；空格会自动去掉'),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const bankName = bank.value.trim();
    const bankAccount = account.value.replace(/[\s\u3000-]/g, '');
    const wrong = [];
    if (bankName.length < 2 || bankName.length > 100) wrong.push('请填写开户银行（2至100个字）');
    if (!/^\d{12,19}$/.test(bankAccount)) wrong.push('银行卡号或账号应为12至19位数字');
    if (wrong.length) return show(message, el('div', { class: 'problem', role: 'alert' }, el('p', { class: 'problem-text' }, '请检查填写的内容'), el('ul', {}, wrong.map((w) => el('li', {}, w)))));
    if (!window.confirm(`确认把奖金转入 ${bankName} 尾号 ${bankAccount.slice(-4)} 的账户？提交后不能更改。`)) return;
    busy(submit, true, '提交中…');
    try {
      await consumerApi.claim(prize.id, { bankName, bankAccount }, key);
      onDone();
    } catch (error) {
      show(message, problem(error));
      busy(submit, false, '提交领奖');
    }
  });
  return form;
}

async function prizesScreen(view) {
  title('我的中奖');
  const { items } = await consumerApi.prizes();
  if (items.length === 0) {
    show(view, el('section', { class: 'card empty' }, el('p', {}, '暂时没有中奖。每月开奖后会在“消息”里通知您。')));
    return;
  }
  const countdowns = [];
  const timer = setInterval(() => countdowns.forEach((f) => f()), 1000);
  onCleanup(() => clearInterval(timer));
  show(
    view,
    el(
      'ul',
      { class: 'list', id: 'prize-list' },
      items.map((p) => {
        const left = el('p', { class: 'deadline' });
        if (p.claimable) {
          const update = () => {
            const ms = Date.parse(p.claimDeadline) - serviceNow();
            left.textContent = ms > 0 ? `领奖截止 ${when(p.claimDeadline)}，还剩 ${duration(ms)}` : '领奖期限已过';
          };
          update();
          countdowns.push(update);
        }
        const ended = p.endReason ? explain(p.endReason) : null;
        return el(
          'li',
          { class: `item prize status-${p.status}` },
          el('div', { class: 'item-head' }, el('strong', {}, `${periodLabel(p.period)} ${p.tierName}`), el('span', { class: `tag tag-${p.status}` }, PRIZE_STATUS[p.status] || p.status)),
          el('p', { class: 'item-sub' }, `奖金 ${yuan(p.grossCents)}${p.taxCents ? `，代扣个人所得税 ${yuan(p.taxCents)}，实发 ${yuan(p.netCents)}` : ''}`),
          el('p', { class: 'item-sub' }, `中奖发票 ${p.invoiceNumber}${p.asAlternate ? ' · 候补递补' : ''}`),
          p.status === 'claimed' ? el('p', { class: 'ok' }, `已申领：${p.bankName} ${p.bankAccount}，${when(p.claimedAt)}`) : null,
          ended ? el('p', { class: 'item-why' }, `${ended.text}。${ended.advice}`) : null,
          p.claimable ? [left, claimForm(p, () => route())] : null,
        );
      }),
    ),
  );
}

// ---- notices -------------------------------------------------------------------------------------------

async function noticesScreen(view) {
  title('消息');
  const page = await consumerApi.notices(1, 50);
  state.unread = page.unread;
  renderNav();
  const readAll = el('button', { type: 'button', class: 'secondary small', id: 'read-all', disabled: page.unread === 0 }, '全部已读');
  readAll.addEventListener('click', async () => {
    try {
      await consumerApi.markAllRead();
      route();
    } catch (error) {
      view.prepend(problem(error));
    }
  });
  if (page.items.length === 0) {
    show(view, el('section', { class: 'card empty' }, el('p', {}, '暂无消息。')));
    return;
  }
  show(
    view,
    el('div', { class: 'toolbar' }, el('span', {}, page.unread ? `${page.unread} 条未读` : '没有未读消息'), readAll),
    el(
      'ul',
      { class: 'list', id: 'notice-list' },
      page.items.map((n) => {
        const item = el(
          'li',
          { class: n.readAt ? 'item notice-item' : 'item notice-item unread' },
          el('button', { type: 'button', class: 'notice-open', 'aria-expanded': 'false' }, el('strong', {}, n.title), el('span', { class: 'item-sub' }, when(n.createdAt))),
          el('p', { class: 'notice-body', hidden: true }, n.body),
        );
        item.querySelector('.notice-open').addEventListener('click', async (event) => {
          const button = event.currentTarget;
          const body = item.querySelector('.notice-body');
          body.hidden = !body.hidden;
          button.setAttribute('aria-expanded', String(!body.hidden));
          if (!n.readAt) {
            n.readAt = new Date().toISOString();
            item.classList.remove('unread');
            try {
              await consumerApi.markRead(n.id);
              state.unread = Math.max(0, state.unread - 1);
              renderNav();
            } catch {
              // Shown as read here; it stays unread on the server and shows again next time.
            }
          }
        });
        return item;
      }),
    ),
  );
}

// ---- me -------------------------------------------------------------------------------------------------

async function meScreen(view) {
  title('我的');
  const profile = await loadProfile();
  const verified = profile.identityStatus === 'verified';
  const toggle = el('input', { type: 'checkbox', id: 'auto-entry', role: 'switch', checked: profile.autoEntry, disabled: !verified });
  const message = el('div', { id: 'me-message', 'aria-live': 'polite' });
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    try {
      state.profile = await consumerApi.setAutoEntry(toggle.checked);
      toggle.checked = state.profile.autoEntry;
      show(message, el('p', { class: 'ok' }, toggle.checked ? '已开启自动参与' : '已关闭自动参与'));
    } catch (error) {
      toggle.checked = !toggle.checked;
      show(message, problem(error));
    } finally {
      toggle.disabled = false;
    }
  });
  const signOutButton = el('button', { type: 'button', class: 'secondary', id: 'sign-out' }, '退出登录');
  signOutButton.addEventListener('click', signOut);
  show(
    view,
    el(
      'section',
      { class: 'card' },
      el('h2', {}, '账户'),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, '手机号'),
        el('dd', { id: 'masked-phone' }, profile.phone),
        el('dt', {}, '实名'),
        el('dd', {}, verified ? `${profile.realName}（已认证）` : el('a', { href: '#/identity' }, '未认证，去认证')),
        verified ? [el('dt', {}, '身份证号'), el('dd', { id: 'masked-id' }, profile.identity.idNumber)] : null,
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, '自动参与'),
      el('label', { class: 'switch', for: 'auto-entry' }, toggle, el('span', {}, '开具给我本人的发票自动参加抽奖')),
      el('p', { class: 'help' }, verified ? '开启后，税务局收到的、购买方为您本人身份证号的合格发票会自动登记，无需扫码。可随时关闭。' : '完成实名认证后才能开启。'),
      message,
    ),
    el('section', { class: 'card' }, signOutButton),
  );
}

// ---- start ----------------------------------------------------------------------------------------------

async function start() {
  setUnauthorizedHandler(() => {
    if (!state.session) return;
    state.session = null;
    setCsrfToken(null);
    go('login');
  });
  window.addEventListener('hashchange', route);
  try {
    adoptSession(await consumerApi.session());
    await loadProfile();
    void refreshUnread();
  } catch {
    state.session = null;
  }
  route();
}

start();
