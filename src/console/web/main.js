// The console's shell: session, navigation by role, hash routing to one view module per screen.
import { api, setCsrfToken, setUnauthorizedHandler } from '../../web-shared/api-client.js';
import { el, show } from '../../web-shared/dom.js';
import { errorText } from '../../web-shared/errors.js';
import { dashboardView } from './views/dashboard.js';
import { drawView } from './views/draw.js';
import { drawsView } from './views/draws.js';
import { importView } from './views/import.js';
import { loginView } from './views/login.js';
import { staffView } from './views/staff.js';

export const ROLE_NAMES = { admin: '管理员', operator: '操作员', auditor: '审核员' };

/** Screens: who sees them in the menu (the API checks the roles again on every call). */
const SCREENS = [
  { path: 'dashboard', label: '活动概况', roles: ['operator', 'auditor', 'admin'], view: dashboardView },
  { path: 'draws', label: '开奖管理', roles: ['operator', 'auditor'], view: drawsView },
  { path: 'import', label: '数据导入', roles: ['operator'], view: importView },
  { path: 'staff', label: '工作人员', roles: ['admin'], view: staffView },
];

const state = { session: null, cleanup: null };
const $ = (id) => document.getElementById(id);

export const can = (...roles) => !!state.session && roles.some((r) => state.session.roles.includes(r));
export const me = () => state.session;

let toastTimer = null;
/** A short message at the bottom right; errors stay longer. */
export function toast(message, isError = false) {
  const t = $('toast');
  t.textContent = message;
  t.className = isError ? 'toast error' : 'toast';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), isError ? 8000 : 4000);
}
export const toastError = (error) => toast(errorText(error), true);

function renderChrome() {
  const s = state.session;
  const current = location.hash.slice(2).split('/')[0];
  show(
    $('nav'),
    s ? SCREENS.filter((x) => x.roles.some((r) => s.roles.includes(r))).map((x) => el('a', { href: `#/${x.path}`, 'aria-current': x.path === current ? 'page' : null }, x.label)) : [],
  );
  show(
    $('who'),
    s
      ? [
          el('span', { id: 'who-name' }, `${s.username}（${s.roles.map((r) => ROLE_NAMES[r] || r).join('、')}）`),
          el('button', { type: 'button', id: 'sign-out', onclick: signOut }, '退出登录'),
        ]
      : [],
  );
}

export function signedIn(session) {
  state.session = session;
  setCsrfToken(session.csrfToken);
  const first = SCREENS.find((x) => x.roles.some((r) => session.roles.includes(r)));
  location.hash = `#/${first ? first.path : 'dashboard'}`;
  route();
}

async function signOut() {
  try {
    await api('/api/v1/admin/auth/session', { method: 'DELETE' });
  } catch {
    // Signed out either way: the cookie is cleared or already gone.
  }
  state.session = null;
  setCsrfToken(null);
  location.hash = '#/login';
  route();
}

function route() {
  if (state.cleanup) state.cleanup();
  state.cleanup = null;
  const main = $('main');
  const [path, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  renderChrome();
  if (!state.session || path === 'login') {
    show(main, loginView());
    return;
  }
  const screen = path === 'draws' && rest[0] ? { view: (m) => drawView(m, decodeURIComponent(rest[0])) } : SCREENS.find((x) => x.path === path) || SCREENS[0];
  show(main);
  state.cleanup = screen.view(main) || null;
  main.focus();
}

setUnauthorizedHandler(() => {
  if (!state.session) return;
  state.session = null;
  toast('登录已过期，请重新登录', true);
  location.hash = '#/login';
  route();
});

window.addEventListener('hashchange', route);

(async function start() {
  try {
    const session = await api('/api/v1/admin/auth/session');
    state.session = session;
    setCsrfToken(session.csrfToken);
  } catch {
    state.session = null;
  }
  if (state.session && (!location.hash || location.hash === '#/login')) signedIn(state.session);
  else route();
})();
