// Users & roles (admins): list, create with roles, change roles, deactivate, delete.
import { api, session } from '../lib/api.js';
import { h, table, localPage, form, dialog, toast, confirmDialog, badge, fmt, actionBtn, btn } from '../lib/ui.js';

let rolesCache = null;
async function allRoles() {
  if (!rolesCache) rolesCache = (await api('platform', 'GET', '/roles')).data;
  return rolesCache;
}
function roleOptions(roles) {
  return [['admin', 'admin (everything everywhere)', 'Platform'], ...roles.flatMap((m) => m.roles.map((r) => [r, r.split(':')[1] || r, m.module]))];
}

export async function render(main) {
  const roles = await allRoles();
  let cache = null;
  const t = table({
    caption: 'Users',
    columns: [
      { key: 'name', label: 'Name', sortable: true },
      { key: 'email', label: 'E-mail', sortable: true },
      { key: 'roles', label: 'Roles', render: (u) => (u.roles.length ? u.roles.map((r) => [badge(r, r === 'admin' ? 'admin' : 'role'), ' ']) : h('span', { class: 'muted' }, 'none')) },
      { key: 'is_active', label: 'Status', sortable: true, render: (u) => badge(u.is_active ? 'active' : 'inactive') },
      { key: 'last_login_at', label: 'Last sign-in', sortable: true, render: (u) => fmt.date(u.last_login_at) },
    ],
    filters: [
      { name: 'q', label: 'Search', placeholder: 'name or e-mail' },
      { name: 'role', label: 'Role', type: 'select', options: roleOptions(roles).map(([v]) => v) },
      { name: 'status', label: 'Status', type: 'select', options: ['active', 'inactive'] },
    ],
    sort: 'email', order: 'asc',
    fetch: async (st) => {
      if (!cache || st.page === 1) cache = (await api('platform', 'GET', '/users')).data;
      return localPage(cache, st, (u, f) => (!f.q || `${u.name} ${u.email}`.toLowerCase().includes(f.q.toLowerCase()))
        && (!f.role || u.roles.includes(f.role))
        && (!f.status || (f.status === 'active') === u.is_active));
    },
    actions: (u) => [
      btn('Roles', () => editRoles(u, roles, t.reload), 'btn-small'),
      u.id === session.user.id ? null : actionBtn(u.is_active ? 'Deactivate' : 'Activate', async () => {
        await api('platform', 'PATCH', `/users/${u.id}`, { body: { is_active: !u.is_active } });
        toast(`${u.email} ${u.is_active ? 'deactivated' : 'activated'}.`, 'success');
        t.reload();
      }, 'btn-small'),
      u.id === session.user.id ? null : actionBtn('Delete', async () => {
        if (!(await confirmDialog(`Delete ${u.email}? This cannot be undone.`, { ok: 'Delete', danger: true }))) return;
        await api('platform', 'DELETE', `/users/${u.id}`);
        toast(`${u.email} deleted.`, 'success');
        t.reload();
      }, 'btn-small btn-danger'),
    ],
  });
  main.append(
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Users & roles'), h('p', null, 'One account works in every module it has a role in. “admin” can do everything.')),
      btn('New user', () => createUser(roles, t.reload), 'btn-primary')),
    t.el);
}

function createUser(roles, done) {
  const d = dialog('New user', form({
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'email', label: 'E-mail', type: 'email', required: true },
      { name: 'password', label: 'Password', type: 'password', required: true, help: '8 to 128 characters.', autocomplete: 'new-password' },
      { name: 'organization', label: 'Organization' },
      { name: 'roles', label: 'Roles', type: 'multiselect', options: roleOptions(roles) },
    ],
    submitLabel: 'Create user',
    cancel: () => d.close(),
    onSubmit: (v) => api('platform', 'POST', '/users', { body: { ...v, roles: v.roles || [] } }),
    onDone: (r) => { d.close(); toast(`Created ${r.data.email}.`, 'success'); done(); },
  }), { wide: true });
}

function editRoles(u, roles, done) {
  const d = dialog(`Roles of ${u.email}`, form({
    fields: [
      { name: 'name', label: 'Name', value: u.name, required: true },
      { name: 'roles', label: 'Roles', type: 'multiselect', options: roleOptions(roles), value: u.roles, keepEmpty: true },
      { name: 'password', label: 'New password (optional)', type: 'password', autocomplete: 'new-password' },
    ],
    submitLabel: 'Save',
    cancel: () => d.close(),
    onSubmit: (v) => api('platform', 'PATCH', `/users/${u.id}`, { body: v }),
    onDone: () => { d.close(); toast(`Updated ${u.email}.`, 'success'); done(); },
  }), { wide: true });
}
