import { api } from '../../../web-shared/api-client.js';
import { el } from '../../../web-shared/dom.js';
import { errorText } from '../../../web-shared/errors.js';
import { signedIn } from '../main.js';

export function loginView() {
  const message = el('p', { class: 'error', role: 'alert' });
  const username = el('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 256 });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'login-submit' }, '登录');
  const form = el(
    'form',
    {
      class: 'card login',
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        try {
          signedIn(await api('/api/v1/admin/auth/session', { method: 'POST', body: { username: username.value, password: password.value } }));
        } catch (error) {
          message.textContent = errorText(error);
        } finally {
          submit.disabled = false;
        }
      },
    },
    el('h1', {}, '工作人员登录'),
    el('label', { for: 'login-username' }, '用户名'),
    username,
    el('label', { for: 'login-password' }, '密码'),
    password,
    submit,
    message,
  );
  return form;
}
