import { api } from '../../../web-shared/api-client.js';
import { el, show } from '../../../web-shared/dom.js';
import { errorText } from '../../../web-shared/errors.js';
import { when } from '../../../web-shared/formatting.js';
import { dataTable } from '../../../web-shared/table.js';
import { ROLE_NAMES, toast, toastError } from '../main.js';

const ROLES = ['operator', 'auditor', 'admin'];

function roleBoxes(prefix, selected) {
  return ROLES.map((r) => {
    const box = el('input', { type: 'checkbox', id: `${prefix}-${r}`, value: r, checked: selected.includes(r) });
    return { role: r, box, node: el('label', { for: `${prefix}-${r}`, style: 'display:inline-block;margin-right:10px' }, box, ROLE_NAMES[r]) };
  });
}
const checked = (boxes) => boxes.filter((b) => b.box.checked).map((b) => b.role);

/** Admin: staff accounts through the accounts API (list, create, roles, deactivate, password, unlock). */
export function staffView(main) {
  const message = el('p', { class: 'notice', id: 'staff-message' });
  const table = dataTable(
    [
      { key: 'username', label: '用户名' },
      { key: 'roles', label: '角色', sort: (s) => s.roles.join(','), render: (s) => rolesCell(s) },
      { key: 'active', label: '状态', render: (s) => (s.active === false ? el('span', { class: 'badge rejected' }, '已停用') : el('span', { class: 'badge approved' }, '启用')) },
      { key: 'createdAt', label: '创建时间', render: (s) => when(s.createdAt) },
      { key: 'id', label: '操作', render: (s) => actionsCell(s) },
    ],
    { pageSize: 20, label: '工作人员' },
  );

  function rolesCell(s) {
    const boxes = roleBoxes(`roles-${s.id}`, s.roles);
    return el('div', { class: 'actions' }, boxes.map((b) => b.node), el('button', { type: 'button', 'data-save-roles': s.username, onclick: () => patch(s, { roles: checked(boxes) }, '角色已更新') }, '保存角色'));
  }
  function actionsCell(s) {
    const active = s.active !== false;
    return el(
      'div',
      { class: 'actions' },
      el('button', { type: 'button', class: active ? 'danger' : null, 'data-toggle-active': s.username, onclick: () => patch(s, { active: !active }, active ? '已停用' : '已启用') }, active ? '停用' : '启用'),
      el('button', { type: 'button', 'data-reset-password': s.username, onclick: () => resetPassword(s) }, '重置密码'),
      el('button', { type: 'button', onclick: () => post(`/api/v1/admin/staff/${s.id}/unlock`, undefined, '已解除登录锁定') }, '解锁'),
    );
  }

  async function load() {
    try {
      table.setRows(await api('/api/v1/admin/staff'));
      message.textContent = '';
    } catch (error) {
      message.textContent = errorText(error);
    }
  }
  async function patch(s, body, done) {
    try {
      await api(`/api/v1/admin/staff/${s.id}`, { method: 'PATCH', body });
      toast(`${s.username}：${done}`);
      await load();
    } catch (error) {
      toastError(error);
    }
  }
  async function post(path, body, done) {
    try {
      await api(path, { method: 'POST', body });
      toast(done);
      await load();
    } catch (error) {
      toastError(error);
    }
  }
  function resetPassword(s) {
    const password = window.prompt(`为 ${s.username} 设置新密码（至少 12 个字符）`);
    if (password) void post(`/api/v1/admin/staff/${s.id}/password`, { password }, '密码已重置');
  }

  const username = el('input', { id: 'new-username', required: true, maxlength: 64, pattern: '[A-Za-z0-9_.\\-]{3,64}' });
  const password = el('input', { id: 'new-password', type: 'password', required: true, minlength: 12, maxlength: 256, autocomplete: 'new-password' });
  const boxes = roleBoxes('new-role', ['operator']);
  const create = el(
    'form',
    {
      class: 'card',
      id: 'create-staff',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('/api/v1/admin/staff', { method: 'POST', body: { username: username.value, password: password.value, roles: checked(boxes) } });
          toast(`已创建 ${username.value}`);
          username.value = '';
          password.value = '';
          await load();
        } catch (error) {
          toastError(error);
        }
      },
    },
    el('h2', {}, '新建工作人员账号'),
    el('div', { class: 'actions' }, el('label', { for: 'new-username' }, '用户名'), username, el('label', { for: 'new-password' }, '初始密码'), password),
    el('div', { class: 'actions', style: 'margin:10px 0' }, boxes.map((b) => b.node)),
    el('button', { type: 'submit', class: 'primary' }, '创建'),
  );
  show(main, el('h1', {}, '工作人员'), create, el('section', { class: 'card' }, table.node), message);
  void load();
  return null;
}
