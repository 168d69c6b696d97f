// Audit log (admins): who did what, when, from where — with filters.
import { api } from '../lib/api.js';
import { h, table, fmt, dialog, kv, badge, matchLocal } from '../lib/ui.js';

export async function render(main) {
  const t = table({
    caption: 'Audit log',
    limit: 25,
    columns: [
      { key: 'at', label: 'When', render: (e) => fmt.date(e.at) },
      { key: 'module', label: 'Module', render: (e) => badge(e.module, 'role') },
      { key: 'action', label: 'Action' },
      { key: 'entity', label: 'Entity', render: (e) => [e.entity_type, e.entity_id ? h('code', null, ` ${e.entity_id}`) : null] },
      { key: 'actor_email', label: 'Actor', render: (e) => e.actor_email || h('span', { class: 'muted' }, 'system') },
      { key: 'ip', label: 'IP' },
    ],
    filters: [
      { name: 'module', label: 'Module', type: 'select', options: ['platform', 'training', 'chatbot', 'contact-center', 'marketplace', 'planning'] },
      { name: 'action', label: 'Action' },
      { name: 'entity_type', label: 'Entity type' },
      { name: 'entity_id', label: 'Entity id' },
      { name: 'actor_id', label: 'Actor', type: 'picker', placeholder: 'Type a name or e-mail…',
        search: async (q, signal) => matchLocal((await api('platform', 'GET', '/users', { signal })).data || [], q, ['name', 'email'], 20)
          .map((u) => ({ value: u.id, label: u.name || u.email, detail: u.email })) },
      { name: 'from', label: 'From', type: 'datetime-local' },
      { name: 'to', label: 'To', type: 'datetime-local' },
    ],
    fetch: async (st) => {
      const r = await api('platform', 'GET', '/audit', { query: { ...st.filters, page: st.page, limit: st.limit } });
      return { rows: r.data.data, total: r.data.total };
    },
    onRow: (e) => dialog(`${e.action} · ${e.entity_type}`, [
      kv([['When', fmt.date(e.at)], ['Module', e.module], ['Actor', e.actor_email || 'system'], ['Actor id', e.actor_id], ['Entity', `${e.entity_type} ${e.entity_id || ''}`],
        ['IP', e.ip], ['User agent', e.user_agent], ['Request id', e.request_id]]),
      h('h3', { style: 'margin-top:1rem' }, 'Details'), h('pre', null, fmt.json(e.details)),
    ], { wide: true }),
  });
  main.append(h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Audit log'), h('p', null, 'Every change in every module, newest first. Select a row for details.'))), t.el);
}
