// My profile: who I am, and changing my own password.
import { api, session, ApiError } from '../lib/api.js';
import { h, form, card, kv, badge, fmt, toast } from '../lib/ui.js';

export async function render(main) {
  const user = session.user;
  main.append(
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'My profile'), h('p', null, 'Your account, and your password.'))),
    h('div', { class: 'two' },
      card('Account', kv([['Name', user.name], ['E-mail', user.email], ['Organization', user.organization], ['Last sign-in', fmt.date(user.last_login_at)],
        ['Roles', user.roles.length ? user.roles.map((r) => badge(r, r === 'admin' ? 'admin' : 'role')) : 'No roles yet']])),
      card('Change password',
        h('p', { class: 'muted' }, 'Changing it signs you out everywhere else; this browser stays signed in.'),
        form({
          fields: [
            { name: 'current_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' },
            { name: 'new_password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', help: '8 to 128 characters.' },
            { name: 'repeat', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' },
          ],
          submitLabel: 'Change password',
          onSubmit: async (v) => {
            const fields = {};
            if (!v.current_password) fields.current_password = 'Required';
            if (!v.new_password) fields.new_password = 'Required';
            if (v.new_password && v.repeat !== v.new_password) fields.repeat = 'Does not match the new password';
            if (Object.keys(fields).length) throw new ApiError({ status: 0, message: 'Please check the highlighted fields', fields });
            const r = await api('platform', 'POST', '/me/password', { body: { current_password: v.current_password, new_password: v.new_password } });
            session.token = r.data.access_token;
            return r;
          },
          onDone: () => {
            main.querySelectorAll('input[type=password]').forEach((i) => { i.value = ''; });
            toast('Password changed. Your other sessions are signed out.', 'success');
          },
        }))));
}
