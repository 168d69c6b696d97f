// Chatbot: tenants and configuration, live chat tester, conversations.
import { api, hasRole } from '../lib/api.js';
import {
  h, clear, table, form, dialog, toast, badge, fmt, tabs, card, kv, stat, load, actionBtn, btn, empty, errorState, localPage, downloadLink, progress,
  confirmDialog, field, readFields, toastError, copyable, matchLocal,
} from '../lib/ui.js';
import { inbox } from './inbox.js';
import { chart } from '../lib/chart.js';

const M = 'chatbot';
const TENANT_KEY = 'frontline.chatbot.tenant';
const tenantHeaders = () => (sessionStorage.getItem(TENANT_KEY) ? { 'X-Tenant-ID': sessionStorage.getItem(TENANT_KEY) } : {});
const listOf = (d, key) => (Array.isArray(d) ? d : d?.[key] || d?.items || d?.data || []);

export async function render(main, route) {
  const [sub, id] = route.rest;
  let tenants = [];
  let tenantErr = null;
  try { tenants = listOf((await api(M, 'GET', '/tenants')).data, 'tenants'); } catch (err) { tenantErr = err; }
  if (!sessionStorage.getItem(TENANT_KEY) && tenants[0]) sessionStorage.setItem(TENANT_KEY, tenants[0].tenant_id || tenants[0].id);
  const current = sessionStorage.getItem(TENANT_KEY) || '';
  const picker = h('select', { id: 'tenant-pick', onchange: (e) => { sessionStorage.setItem(TENANT_KEY, e.target.value); location.reload(); } },
    tenants.length ? tenants.map((t) => { const tid = t.tenant_id || t.id; return h('option', { value: tid, selected: tid === current }, `${t.name} (${tid})`); }) : h('option', { value: '' }, 'No tenants yet'));
  main.append(h('div', { class: 'page-head' },
    h('div', null, h('h1', null, 'Chatbot platform'), h('p', null, 'Tenants, their bot configuration, a live tester and the conversations.')),
    h('div', { class: 'toolbar' }, sub === 't' ? null : [h('label', { for: 'tenant-pick' }, 'Working tenant'), picker], h('a', { href: '/chatbot/api/v2/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))));
  if (sub === 'c' && id) return conversationPage(main, id);
  if (sub === 't' && id) return tenantPage(main, id);
  main.append(tabs([
    { id: 'tester', label: 'Chat tester', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : tester(p, current)) },
    { id: 'inbox', label: 'Inbox', render: (p) => inbox(p, current) },
    { id: 'conversations', label: 'Conversations', render: (p) => (current ? conversations(p) : p.append(empty('Choose or create a tenant first; conversations belong to a tenant.'))) },
    { id: 'tenants', label: 'Tenants', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : tenantsTab(p, tenants)) },
    { id: 'config', label: 'Configuration', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : configTab(p, current)) },
    { id: 'sessions', label: 'Sessions', render: (p) => sessionsTab(p, current, id) },
    { id: 'webhooks', label: 'Channel webhooks', render: (p) => webhooksTab(p, current) },
    { id: 'health', label: 'Health', render: (p) => healthTab(p) },
  ], sub || 'tester', (t) => { location.hash = `#/chatbot/${t}`; }));
}

function tester(p, tenant) {
  if (!tenant) { p.append(empty('Create a tenant first (Tenants tab); the tester talks to that tenant’s bot.')); return; }
  let conversationId = null;
  const log = h('div', { class: 'chat', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const input = h('input', { id: 'chat-input', placeholder: 'Type a customer message…', autocomplete: 'off' });
  const info = h('div');
  const send = async (text) => {
    if (!text.trim()) return;
    log.append(h('div', { class: 'bubble me' }, text));
    input.value = '';
    try {
      const body = { user_id: 'admin_ui_tester', channel: 'web', content: { type: 'text', text, language: 'en' } };
      if (conversationId) body.conversation_id = conversationId;
      const r = (await api(M, 'POST', '/chat/message', { body, headers: tenantHeaders() })).data;
      conversationId = r.conversation_id || conversationId;
      const intent = r.conversation_state?.current_intent;
      const conf = r.processing_metadata?.confidence_score;
      log.append(h('div', { class: 'bubble', 'data-testid': 'bot-reply' }, r.response?.text || '(no text)',
        h('span', { class: 'meta' }, `intent: ${intent ?? '—'} · confidence: ${conf === undefined ? '—' : fmt.num(conf, 2)} · ${r.processing_metadata?.model_used || ''} · ${r.processing_metadata?.processing_time_ms ?? '?'} ms`),
        r.response?.quick_replies?.length ? h('div', { class: 'toolbar', style: 'margin:.4rem 0 0' }, r.response.quick_replies.map((q) => btn(q.title, () => send(q.title), 'btn-small'))) : null));
      clear(info, kv([['Conversation', conversationId ? h('a', { href: `#/chatbot/c/${conversationId}` }, conversationId) : '—'], ['Intent', intent], ['Confidence', conf === undefined ? '—' : fmt.num(conf, 3)],
        ['Stage', r.conversation_state?.conversation_stage], ['Next expected', r.conversation_state?.next_expected_input]]));
    } catch (err) {
      log.append(h('div', { class: 'bubble', role: 'alert' }, errorState(err)));
    }
    log.scrollTop = log.scrollHeight;
  };
  const f = h('form', { class: 'chat-form', onsubmit: (e) => { e.preventDefault(); send(input.value); } },
    h('label', { for: 'chat-input', class: 'sr-only' }, 'Message'), input, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Send'),
    btn('New conversation', () => { conversationId = null; clear(log); clear(info); }, 'btn-ghost'));
  p.append(h('div', { class: 'two' }, h('div', null, log, f), card('Last reply', info)));
}

function conversations(p) {
  const t = table({
    caption: 'Conversations',
    columns: [
      { key: 'conversation_id', label: 'Conversation', render: (c) => h('a', { href: `#/chatbot/c/${c.conversation_id}` }, c.conversation_id) },
      { key: 'user_id', label: 'User' },
      { key: 'channel', label: 'Channel' },
      { key: 'status', label: 'Status', render: (c) => badge(c.status) },
      { key: 'current_intent', label: 'Intent' },
      { key: 'message_count', label: 'Messages', class: 'num' },
      { key: 'started_at', label: 'Started', sortable: true, render: (c) => fmt.date(c.started_at) },
      { key: 'last_activity_at', label: 'Last activity', sortable: true, render: (c) => fmt.date(c.last_activity_at) },
    ],
    filters: [
      { name: 'search', label: 'Text in messages' },
      { name: 'user_id', label: 'User id' },
      { name: 'status', label: 'Status', type: 'select', options: ['active', 'closed', 'transferred'] },
      { name: 'channel', label: 'Channel', type: 'select', options: ['web', 'whatsapp', 'messenger', 'slack', 'teams', 'telegram', 'sms', 'api', 'generic'] },
      { name: 'date_from', label: 'From', type: 'date' },
      { name: 'date_to', label: 'To', type: 'date' },
    ],
    sort: 'last_activity_at',
    fetch: async (st) => {
      const sort = `${st.sort === 'started_at' ? 'started_at' : 'last_activity'}_${st.order === 'asc' ? 'asc' : 'desc'}`;
      const r = await api(M, 'GET', '/conversations', { query: { ...st.filters, page: st.page, limit: st.limit, sort }, headers: tenantHeaders() });
      return { rows: listOf(r.data, 'conversations'), total: r.data.pagination?.total };
    },
    onRow: (c) => { location.hash = `#/chatbot/c/${c.conversation_id}`; },
  });
  p.append(t.el);
}

async function conversationPage(main, id) {
  const box = h('div');
  main.append(h('p', null, h('a', { href: '#/chatbot/conversations' }, '← Conversations')), box);
  load(box, async () => {
    const c = (await api(M, 'GET', `/conversations/${id}`, { query: { include_messages: true, message_limit: 200 }, headers: tenantHeaders() })).data;
    const act = (path, body, msg) => actionBtn(msg, async () => {
      await api(M, 'POST', `/conversations/${id}/${path}`, { body, headers: tenantHeaders() });
      toast(`${msg}: done.`, 'success'); location.reload();
    });
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Conversation'), h('p', null, h('code', null, c.conversation_id), ' ', badge(c.status))),
        h('div', { class: 'toolbar' },
          btn('Transfer to agent', () => transfer(id)),
          btn('Export', () => exportConversation(id)),
          c.status === 'closed' ? act('reopen', {}, 'Reopen') : act('close', { reason: 'resolved' }, 'Close'))),
      h('div', { class: 'two' },
        h('div', { class: 'chat', style: 'max-height:560px', 'aria-label': 'Messages' }, (c.messages || []).length ? (c.messages || []).map((m) => h('div', { class: `bubble ${m.direction === 'inbound' ? 'me' : ''} ${m.direction}` }, m.content?.text || JSON.stringify(m.content),
          h('span', { class: 'meta' }, m.direction === 'outbound'
            ? `bot · ${fmt.date(m.timestamp)} · intent: ${m.intent ?? '—'} · confidence: ${m.confidence_score == null ? '—' : fmt.num(m.confidence_score, 2)}${m.processing_time_ms != null ? ` · ${m.processing_time_ms} ms` : ''}`
            : `customer · ${fmt.date(m.timestamp)}`),
          m.direction === 'outbound' && m.message_id ? rate(m) : null)) : empty('No messages.')),
        h('div', null, card('Details', kv([['User', c.user_id], ['Channel', c.channel], ['Started', fmt.date(c.started_at)], ['Last activity', fmt.date(c.last_activity_at)],
          ['Intent', c.context?.current_intent], ['Entities', h('code', null, JSON.stringify(c.context?.entities || {}))]])),
        card('Summary', kv(Object.entries(c.summary || {}).map(([k, v]) => [k.replace(/_/g, ' '), v && typeof v === 'object' ? JSON.stringify(v) : v]))),
        analytics)));
  });
  const analytics = h('div');
  load(analytics, async () => {
    const a = (await api(M, 'GET', `/conversations/${id}/analytics`, { headers: tenantHeaders() })).data;
    const bp = a.bot_performance || {};
    const dist = a.intent_distribution || {};
    return card('Bot performance', h('div', { class: 'stats' },
      stat('Avg confidence', fmt.num(bp.average_confidence, 2)), stat('Fallbacks', fmt.num(bp.fallback_count), bp.fallback_rate != null ? fmt.pct(bp.fallback_rate) : null),
      stat('Avg reply', `${fmt.num(bp.average_response_time_ms, 0)} ms`), stat('Rating', a.feedback?.average_rating != null ? `${fmt.num(a.feedback.average_rating, 1)} / 5` : '—')),
      Object.keys(dist).length ? chart({ type: 'bar', title: 'Intents answered', labels: Object.keys(dist), series: [{ name: 'replies', values: Object.values(dist) }] }) : null);
  });
  // a 1–5 rating of one bot reply (stored as feedback; the conversation's satisfaction is their average)
  function rate(m) {
    const sel = h('select', { 'aria-label': 'Rate this reply', class: 'rate' }, h('option', { value: '' }, 'Rate…'), [5, 4, 3, 2, 1].map((n) => h('option', { value: n }, `${'★'.repeat(n)} ${n}`)));
    sel.addEventListener('change', async () => {
      if (!sel.value) return;
      sel.disabled = true;
      try {
        const r = (await api(M, 'POST', '/chat/feedback', { body: { message_id: m.message_id, rating: Number(sel.value) }, headers: tenantHeaders() })).data;
        toast(`Thanks. Conversation satisfaction is now ${fmt.num(r.conversation_satisfaction, 2)}.`, 'success');
      } catch (err) { sel.disabled = false; sel.value = ''; toastError(err); }
    });
    return h('div', { class: 'rate-row' }, sel);
  }
}

function exportConversation(id) {
  const out = h('div');
  const d = dialog('Export conversation', [form({
    fields: [
      { name: 'format', label: 'Format', type: 'select', options: ['json', 'csv'], value: 'json', required: true },
      { name: 'include_metadata', label: 'Include metadata', type: 'checkbox', value: true },
      { name: 'include_analytics', label: 'Include analytics', type: 'checkbox' },
    ],
    submitLabel: 'Export',
    onSubmit: async (body) => {
      const pr = progress('Exporting…');
      clear(out, pr.el);
      try { return (await api(M, 'POST', `/conversations/${id}/export`, { body, headers: tenantHeaders() })).data; } catch (e) { clear(out); throw e; }
    },
    onDone: (x) => clear(out, h('p', null, `Ready: ${fmt.num(x.file_size_bytes)} bytes, link valid until ${fmt.date(x.expires_at)}.`), downloadLink(x.download_url)),
  }), out]);
  return d;
}

function transfer(id) {
  const d = dialog('Transfer to a human agent', form({
    fields: [
      { name: 'transfer_reason', label: 'Reason', required: true, value: 'complex_technical_issue' },
      { name: 'department', label: 'Department', value: 'technical_support' },
      { name: 'priority', label: 'Priority', type: 'select', options: ['low', 'normal', 'high', 'urgent'], value: 'normal', required: true },
      { name: 'agent_id', label: 'Agent (optional)', type: 'picker', placeholder: 'Type a member name or e-mail…',
        // the tenant's members, by name or e-mail; fills the member's user_id
        search: async (q, signal) => {
          const tid = tenantHeaders()['X-Tenant-ID'];
          if (!tid) return [];
          const users = (await api(M, 'GET', `/tenants/${encodeURIComponent(tid)}/users`, { query: { limit: 100 }, headers: tenantHeaders(), signal })).data?.users || [];
          const name = (u) => `${u.first_name || ''} ${u.last_name || ''}`.trim();
          return matchLocal(users, q, [name, 'email', 'agent_id'], 20).map((u) => ({ value: u.user_id, label: name(u) || u.email, detail: `${u.role} · ${u.email}` }));
        } },
      { name: 'transfer_note', label: 'Note for the agent', type: 'textarea' },
    ],
    submitLabel: 'Transfer',
    cancel: () => d.close(),
    onSubmit: (body) => api(M, 'POST', `/conversations/${id}/transfer`, { body, headers: tenantHeaders() }),
    onDone: (r) => { d.close(); toast(`Transferred. ${r.data.transfer_message || ''}`, 'success'); setTimeout(() => location.reload(), 600); },
  }));
}

function tenantsTab(p, tenants) {
  const t = table({
    caption: 'Tenants',
    columns: [
      { key: 'name', label: 'Name', sortable: true, render: (x) => h('a', { href: `#/chatbot/t/${x.tenant_id || x.id}` }, x.name) },
      { key: 'tenant_id', label: 'Id', render: (x) => h('code', null, x.tenant_id || x.id) },
      { key: 'domain', label: 'Domain', sortable: true },
      { key: 'plan', label: 'Plan', sortable: true },
      { key: 'status', label: 'Status', render: (x) => badge(x.status) },
    ],
    filters: [{ name: 'status', label: 'Status', type: 'select', options: ['active', 'suspended'] }],
    // the server pages tenants (oldest first); sorting applies within the page
    fetch: async (st) => {
      const r = await api(M, 'GET', '/tenants', { query: { page: st.page, limit: st.limit, status: st.filters.status } });
      const rows = localPage(listOf(r.data, 'tenants'), { ...st, page: 1, limit: st.limit }).rows;
      return { rows, total: r.data.pagination?.total };
    },
    onRow: (x) => { location.hash = `#/chatbot/t/${x.tenant_id || x.id}`; },
    actions: (x) => [btn('Usage', () => usage(x.tenant_id || x.id), 'btn-small'), btn('Use', () => { sessionStorage.setItem(TENANT_KEY, x.tenant_id || x.id); location.hash = '#/chatbot/tester'; location.reload(); }, 'btn-small')],
    emptyText: 'No tenants yet.',
  });
  // only chatbot platform admins create tenants (the server refuses others)
  p.append(h('div', { class: 'toolbar' }, hasRole(M, 'admin') ? btn('New tenant', () => newTenant(), 'btn-primary') : null), t.el);
}

function newTenant() {
  const d = dialog('New tenant', form({
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'domain', label: 'Domain', required: true, placeholder: 'acme.com' },
      { name: 'plan', label: 'Plan', type: 'select', options: ['starter', 'professional', 'enterprise'], value: 'starter', required: true },
      { name: 'admin_user.email', label: 'Admin e-mail', type: 'email', required: true },
      { name: 'admin_user.first_name', label: 'Admin first name', required: true, help: 'The owner gets a Frontline account with this name.' },
      { name: 'admin_user.last_name', label: 'Admin last name' },
      { name: 'configuration.default_language', label: 'Default language', value: 'en' },
      { name: 'configuration.timezone', label: 'Time zone', value: 'UTC' },
    ],
    submitLabel: 'Create tenant',
    cancel: () => d.close(),
    onSubmit: (body) => api(M, 'POST', '/tenants', { body: { ...body, admin_user: { role: 'owner', ...(body.admin_user || {}) } } }),
    onDone: (r) => {
      d.close();
      const x = r.data;
      dialog('Tenant created', [h('p', null, `Tenant ${x.tenant_id} is ready. Copy the API keys now: they are shown only once.`),
        kv(Object.entries(x.api_keys || {}).map(([k, v]) => [k, copyable(v)])),
        h('div', { class: 'actions' }, btn('Done', () => location.reload(), 'btn-primary'))]);
      sessionStorage.setItem(TENANT_KEY, x.tenant_id);
    },
  }), { wide: true });
}

function usage(id) {
  const box = h('div');
  dialog(`Usage of ${id}`, box, { wide: true });
  load(box, async () => {
    const u = (await api(M, 'GET', `/tenants/${id}/usage`, { headers: { 'X-Tenant-ID': id } })).data;
    const nums = [];
    const walk = (o, pre) => Object.entries(o || {}).forEach(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? walk(v, `${pre}${k}.`) : typeof v === 'number' ? nums.push([pre + k, v]) : null));
    walk(u, '');
    return h('div', null, h('div', { class: 'stats' }, nums.slice(0, 12).map(([k, v]) => stat(k, fmt.num(v, 2)))), h('details', null, h('summary', null, 'Raw'), h('pre', null, fmt.json(u))));
  });
}

function configTab(p, tenant) {
  if (!tenant) { p.append(empty('Choose or create a tenant first.')); return; }
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const d = (await api(M, 'GET', `/tenants/${tenant}/config`, { headers: tenantHeaders() })).data;
    const c = d.configuration || d;
    const bot = c.chatbot || {}; const gen = c.general || {};
    return form({
      sections: [
        { legend: 'Bot', fields: [
          { name: 'chatbot.default_greeting', label: 'Greeting', value: bot.default_greeting, wide: true },
          { name: 'chatbot.fallback_response', label: 'Fallback response', value: bot.fallback_response, wide: true },
          { name: 'chatbot.confidence_threshold', label: 'Confidence threshold (0–1)', type: 'number', step: 0.05, min: 0, max: 1, value: bot.confidence_threshold },
          { name: 'chatbot.escalation_trigger', label: 'Escalation trigger', value: bot.escalation_trigger },
        ] },
        { legend: 'General', fields: [
          { name: 'general.default_language', label: 'Language', value: gen.default_language },
          { name: 'general.timezone', label: 'Time zone', value: gen.timezone },
          { name: 'general.currency', label: 'Currency', value: gen.currency },
          { name: 'general.date_format', label: 'Date format', value: gen.date_format },
        ] },
        { legend: 'Channels, integrations and AI models (JSON)', fields: [
          { name: 'channels', label: 'Channels', type: 'json', value: c.channels || {} },
          { name: 'integrations', label: 'Integrations', type: 'json', value: c.integrations || {} },
          { name: 'ai_models', label: 'AI models', type: 'json', value: c.ai_models || {} },
        ] },
      ],
      submitLabel: 'Save configuration',
      onSubmit: (body) => api(M, 'PUT', `/tenants/${tenant}/config`, { body: { configuration: body }, headers: tenantHeaders() }),
      onDone: (r) => toast(`Configuration saved (${r.data.configuration_version}${r.data.changes_applied?.length ? `: ${r.data.changes_applied.length} change${r.data.changes_applied.length === 1 ? '' : 's'}` : ', nothing changed'}).`, 'success'),
    });
  }).then(() => load(intentsBox, async () => {
    const d = (await api(M, 'GET', `/tenants/${tenant}/config`, { headers: tenantHeaders() })).data;
    const holder = h('div');
    intentsEditor(holder, tenant, d.configuration || d);
    return holder;
  }));
  const intentsBox = h('div');
  p.append(intentsBox);
}

// ---------- tenant detail: settings, members, usage and billing ----------
const PLANS = ['free', 'starter', 'professional', 'enterprise'];
const MEMBER_ROLES = ['owner', 'admin', 'developer', 'agent', 'analyst', 'viewer'];
const cents = (c, cur = 'USD') => `${cur} ${(Number(c || 0) / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
function tenantPage(main, id) {
  const hdr = { 'X-Tenant-ID': id };
  main.append(h('p', null, h('a', { href: '#/chatbot/tenants' }, '← Tenants')));
  const box = h('div');
  main.append(box);
  load(box, async () => {
    const t = (await api(M, 'GET', `/tenants/${id}`, { headers: hdr })).data;
    const members = h('div');
    const money = h('div');
    const loadMembers = () => load(members, async () => {
      const list = listOf((await api(M, 'GET', `/tenants/${id}/users`, { query: { limit: 100 }, headers: hdr })).data, 'users');
      if (!list.length) return empty('No members.');
      return h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Members'),
        h('thead', null, h('tr', null, ['E-mail', 'Name', 'Role', 'Status', 'Invitation expires', 'Added'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', null, list.map((m) => h('tr', null, h('td', null, m.email), h('td', null, [m.first_name, m.last_name].filter(Boolean).join(' ') || '—'),
          h('td', null, badge(m.role, 'role')), h('td', null, badge(m.status)), h('td', null, fmt.date(m.invitation_expires_at)), h('td', null, fmt.date(m.created_at))))));
    });
    load(money, async () => {
      const [u, b] = await Promise.all([api(M, 'GET', `/tenants/${id}/usage`, { headers: hdr }).then((r) => r.data), api(M, 'GET', `/tenants/${id}/billing`, { headers: hdr }).then((r) => r.data)]);
      const us = u.usage || {}; const lim = u.limits || {};
      return h('div', null,
        h('div', { class: 'stats' },
          stat('Conversations', fmt.num(us.conversations?.total), `${fmt.num(lim.conversations_used_percent, 2)}% of ${fmt.num(lim.conversations_limit)}`),
          stat('Messages', fmt.num(us.messages?.total), `${fmt.num(us.messages?.inbound)} in · ${fmt.num(us.messages?.outbound)} out`),
          stat('Escalated', fmt.num(us.conversations?.escalated)),
          stat('API calls', fmt.num(us.integrations?.api_calls), `${fmt.num(lim.api_calls_used_percent, 2)}% of ${fmt.num(lim.api_calls_limit)}`),
          stat('Webhook calls', fmt.num(us.integrations?.webhook_calls)),
          stat('Days left', fmt.num(u.billing_period?.days_remaining), `period ${u.period || ''}`)),
        h('div', { class: 'two' },
          card('Messages by channel', Object.keys(us.messages?.by_channel || {}).length
            ? chart({ type: 'bar', title: 'Messages by channel', labels: Object.keys(us.messages.by_channel), series: [{ name: 'messages', values: Object.values(us.messages.by_channel) }] })
            : empty('No messages this month.')),
          card(`Bill for ${b.period || u.period || 'this month'}`,
            h('table', { class: 'table', 'data-testid': 'bill' }, h('caption', { class: 'sr-only' }, 'Bill'),
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
              h('tbody', null, (b.line_items || []).map((li) => h('tr', null, h('td', null, li.description, li.quantity !== undefined ? h('small', { class: 'muted' }, ` × ${fmt.num(li.quantity)}`) : null), h('td', { class: 'num' }, cents(li.amount_cents, b.currency)))),
                h('tr', null, h('th', { scope: 'row' }, 'Total'), h('td', { class: 'num' }, h('strong', null, cents(b.total_cents, b.currency)))))))));
    });
    loadMembers();
    const editTenant = () => {
      const d = dialog(`Edit ${t.name}`, form({
        fields: [
          { name: 'name', label: 'Name', required: true, value: t.name },
          { name: 'domain', label: 'Domain', value: t.domain },
          { name: 'plan', label: 'Plan', type: 'select', options: PLANS, value: t.plan, required: true, help: 'Platform admins only.' },
          { name: 'status', label: 'Status', type: 'select', options: ['active', 'suspended'], value: t.status, required: true, help: 'Platform admins only.' },
          { name: 'features', label: 'Features (JSON object, merged)', type: 'json', value: t.features || {}, wide: true },
        ],
        submitLabel: 'Save', cancel: () => d.close(),
        onSubmit: (body) => {
          if (body.plan === t.plan) delete body.plan;
          if (body.status === t.status) delete body.status;
          return api(M, 'PUT', `/tenants/${id}`, { body, headers: hdr });
        },
        onDone: () => { d.close(); toast('Tenant saved.', 'success'); location.reload(); },
      }), { wide: true });
    };
    const addMember = () => {
      const d = dialog('Add a member', form({
        fields: [
          { name: 'email', label: 'E-mail', type: 'email', required: true },
          { name: 'first_name', label: 'First name', required: true }, { name: 'last_name', label: 'Last name' },
          { name: 'role', label: 'Role', type: 'select', options: MEMBER_ROLES, value: 'agent', required: true },
          { name: 'permissions', label: 'Permissions (comma separated, like conversations:read)', type: 'tags' },
          { name: 'send_invitation', label: 'Send an invitation (valid 7 days)', type: 'checkbox', value: true },
        ],
        submitLabel: 'Add member', cancel: () => d.close(),
        onSubmit: (body) => api(M, 'POST', `/tenants/${id}/users`, { body, headers: hdr }).catch((err) => {
          if (err.fields?.name && !err.fields.first_name) { err.fields.first_name = err.fields.name; delete err.fields.name; }
          throw err;
        }),
        onDone: () => { d.close(); toast('Member added.', 'success'); loadMembers(); },
      }));
    };
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, t.name), h('p', null, h('code', null, t.tenant_id), ' ', badge(t.status), ' ', badge(t.plan, 'role'))),
        h('div', { class: 'toolbar' },
          btn('Use in tester', () => { sessionStorage.setItem(TENANT_KEY, id); location.hash = '#/chatbot/tester'; location.reload(); }),
          btn('Edit', editTenant),
          actionBtn('Delete tenant', async () => {
            if (!(await confirmDialog(`Delete ${t.name} with all its conversations, sessions and keys? This cannot be undone.`, { ok: 'Delete tenant', danger: true }))) return;
            const r = (await api(M, 'DELETE', `/tenants/${id}`, { headers: hdr })).data;
            if (sessionStorage.getItem(TENANT_KEY) === id) sessionStorage.removeItem(TENANT_KEY);
            toast(`Deleted; ${Object.values(r.records_removed || {}).reduce((a, b) => a + b, 0)} records removed.`, 'success');
            location.hash = '#/chatbot/tenants';
          }, 'btn-danger'))),
      h('div', { class: 'two' },
        card('Tenant', kv([['Domain', t.domain], ['Configuration', t.configuration_version], ['Members', t.user_count], ['Created', fmt.date(t.created_at)], ['Updated', fmt.date(t.updated_at)],
          ['Features', h('code', null, JSON.stringify(t.features || {}))]])),
        card('API keys (only prefixes are stored)', (t.api_keys || []).length ? kv(t.api_keys.map((k) => [k.type, h('span', null, h('code', null, `${k.prefix}…`), h('small', { class: 'muted' }, ` since ${fmt.date(k.created_at)}`))])) : empty('No keys.'))),
      h('h3', null, 'Usage and billing this month'), money,
      h('div', { class: 'toolbar' }, h('h3', null, 'Members'), h('span', { class: 'grow' }), btn('Add member', addMember, 'btn-primary btn-small')), members);
  });
}

// ---------- intents (part of the configuration) ----------
function intentsEditor(p, tenant, config) {
  const list = (config.chatbot?.intents || []).map((i) => ({ ...i }));
  const rows = h('div');
  const draw = () => clear(rows, list.length ? list.map((it, i) => h('fieldset', { class: 'fieldset intent', 'data-testid': 'intent' },
    h('legend', null, it.name || `Intent ${i + 1}`),
    h('div', { class: 'grid' },
      field({ name: `intents.${i}.name`, label: 'Name', value: it.name, required: true }),
      field({ name: `intents.${i}.examples`, label: 'Example phrases (one per line)', type: 'textarea', value: (it.examples || []).join('\n'), rows: 4 }),
      field({ name: `intents.${i}.responses`, label: 'Responses (one per line; one is chosen)', type: 'textarea', value: (it.responses || []).join('\n'), rows: 4 }),
      field({ name: `intents.${i}.quick_replies`, label: 'Quick replies (comma separated)', type: 'tags', value: (it.quick_replies || []).map((q) => (typeof q === 'string' ? q : q.title)) })),
    h('div', { class: 'actions' }, btn('Remove intent', () => { sync(); list.splice(i, 1); draw(); }, 'btn-small btn-ghost', `Remove intent ${it.name || i + 1}`)))) : empty('No custom intents. The built-in ones apply (greeting, store hours, order status, damaged order, goodbye); an intent with the same name replaces a built-in one.'));
  // read the inputs back into `list`
  const sync = () => {
    rows.querySelectorAll('fieldset.intent').forEach((fs, i) => {
      const v = (n) => fs.querySelector(`[name="intents.${i}.${n}"]`)?.value ?? '';
      const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
      list[i] = { ...list[i], name: v('name').trim(), examples: lines(v('examples')), responses: lines(v('responses')), quick_replies: v('quick_replies').split(',').map((x) => x.trim()).filter(Boolean).map((x) => ({ title: x, payload: x })) };
    });
  };
  const alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const save = actionBtn('Save intents', async () => {
    sync();
    alert.hidden = true;
    try {
      const r = await api(M, 'PUT', `/tenants/${tenant}/config`, { body: { configuration: { chatbot: { intents: list } } }, headers: tenantHeaders() });
      toast(`Intents saved (${r.data.configuration_version}).`, 'success');
    } catch (err) {
      alert.hidden = false;
      clear(alert, h('strong', null, err.summary || err.message));
    }
  }, 'btn-primary');
  p.append(card('Intents', h('p', { class: 'muted' }, 'The bot matches a message against each intent’s example phrases; the confidence is the best match. Try them in the Chat tester.'),
    alert, rows, h('div', { class: 'actions' }, btn('Add intent', () => { sync(); list.push({ name: '', examples: [], responses: [] }); draw(); rows.querySelector('fieldset:last-of-type input')?.focus(); }), save)));
  draw();
}

// ---------- sessions ----------
const SESS_KEY = 'frontline.chatbot.sessions';
const CHANNELS = ['web', 'whatsapp', 'messenger', 'slack', 'teams', 'telegram', 'sms', 'api', 'generic'];
function sessionsTab(p, tenant, sid) {
  if (!tenant) { p.append(empty('Choose or create a tenant first.')); return; }
  const known = () => JSON.parse(sessionStorage.getItem(SESS_KEY) || '[]').filter((s) => s.tenant === tenant);
  const remember = (s) => sessionStorage.setItem(SESS_KEY, JSON.stringify([{ id: s.session_id, user: s.user_id, tenant }, ...JSON.parse(sessionStorage.getItem(SESS_KEY) || '[]').filter((x) => x.id !== s.session_id)].slice(0, 20)));
  const detail = h('div');
  const lookup = h('form', { class: 'filters', role: 'search', 'aria-label': 'Open a session' },
    field({ name: 'id', label: 'Session id', value: sid || '', placeholder: 'sess_…', suggest: known().map((s) => s.id) }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn', type: 'submit' }, 'Open')));
  lookup.addEventListener('submit', (e) => { e.preventDefault(); const v = readFields(lookup).id; if (v) location.hash = `#/chatbot/sessions/${encodeURIComponent(v.trim())}`; });
  const create = form({
    fields: [
      { name: 'user_id', label: 'User id', required: true, value: 'visitor_1' },
      { name: 'channel', label: 'Channel', type: 'select', options: CHANNELS, value: 'web', required: true },
      { name: 'session_config.timeout_minutes', label: 'Timeout (minutes, 1–1440)', type: 'number', value: 30 },
      { name: 'initial_context', label: 'Initial context (JSON object)', type: 'json', value: { page_url: 'https://shop.example.com/products/headphones' }, wide: true },
    ],
    submitLabel: 'Start session',
    onSubmit: (body) => api(M, 'POST', '/sessions', { body, headers: tenantHeaders() }),
    onDone: (r) => {
      remember(r.data);
      toast('Session started. Its token is shown once.', 'success');
      location.hash = `#/chatbot/sessions/${r.data.session_id}`;
      sessionStorage.setItem('frontline.chatbot.lastToken', JSON.stringify({ id: r.data.session_id, token: r.data.session_token }));
    },
  });
  p.append(h('div', { class: 'two' }, card('Start a session', create), h('div', null, card('Open a session', lookup,
    known().length ? h('ul', null, known().map((s) => h('li', null, h('a', { href: `#/chatbot/sessions/${s.id}` }, s.id), ` · ${s.user}`))) : h('p', { class: 'muted' }, 'Sessions you start here are listed for this browser tab.')))), detail);
  if (sid) sessionDetail(detail, sid);
}
function sessionDetail(box, sid) {
  const run = () => load(box, async () => {
    const [s, cx] = await Promise.all([api(M, 'GET', `/sessions/${sid}`, { headers: tenantHeaders() }).then((r) => r.data), api(M, 'GET', `/sessions/${sid}/context`, { headers: tenantHeaders() }).then((r) => r.data).catch(() => null)]);
    const last = JSON.parse(sessionStorage.getItem('frontline.chatbot.lastToken') || 'null');
    const token = last?.id === sid ? last.token : null;
    const active = s.status === 'active';
    const ctxForm = form({
      fields: [
        { name: 'context_updates', label: 'Set context fields (JSON object)', type: 'json', value: { cart_value: 149.99 }, wide: true },
        { name: 'append_to_history.page_visits', label: 'Append a page visit (URL)' },
      ],
      submitLabel: 'Update context',
      onSubmit: (body) => api(M, 'PUT', `/sessions/${sid}/context`, { body, headers: tenantHeaders() }),
      onDone: (r) => { toast(`Updated: ${(r.data.updated_fields || []).join(', ') || 'history'}.`, 'success'); run(); },
    });
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, 'Session ', h('code', null, sid)), h('p', null, badge(s.status), ` ${s.user_id} · ${s.channel}`)),
        h('div', { class: 'toolbar' },
          active ? actionBtn('Extend 30 min', async () => { const r = await api(M, 'POST', `/sessions/${sid}/extend`, { body: { extend_by_minutes: 30 }, headers: tenantHeaders() }); toast(`Now expires ${fmt.date(r.data.new_expiry)}.`, 'success'); run(); }) : null,
          active ? actionBtn('End session', async () => { await api(M, 'DELETE', `/sessions/${sid}`, { headers: tenantHeaders() }); toast('Session ended.', 'success'); run(); }, 'btn-danger') : null)),
      token ? card('Session token — shown once, copy it now', copyable(token)) : null,
      h('div', { class: 'two' },
        card('Session', kv([['Created', fmt.date(s.created_at)], ['Last activity', fmt.date(s.last_activity)], ['Expires', h('span', { 'data-testid': 'session-expiry' }, fmt.date(s.expires_at))], ['Status', s.status]])),
        card('Context', h('pre', { 'data-testid': 'session-context' }, fmt.json(cx?.context ?? s.context ?? {})), cx?.history && Object.keys(cx.history).length ? [h('h4', null, 'History'), h('pre', null, fmt.json(cx.history))] : null)),
      active ? card('Update the context', ctxForm) : null);
  });
  run();
}

// ---------- channel webhooks ----------
function webhooksTab(p, tenant) {
  if (!tenant) { p.append(empty('Choose or create a tenant first.')); return; }
  const base = `${location.origin}/chatbot/api/v2`;
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const c = (await api(M, 'GET', `/tenants/${tenant}/config`, { headers: tenantHeaders() })).data.configuration || {};
    const channels = c.channels || {};
    const integrations = Object.entries(c.integrations || {}).filter(([, v]) => v && typeof v === 'object' && 'webhook_token' in v);
    const rows = [
      ['whatsapp', 'WhatsApp Business', '/webhooks/whatsapp', 'X-Hub-Signature-256 with channels.whatsapp.app_secret'],
      ['messenger', 'Facebook Messenger', '/webhooks/messenger', 'X-Hub-Signature-256 with channels.messenger.app_secret'],
      ['slack', 'Slack', '/webhooks/slack', 'X-Slack-Signature with channels.slack.signing_secret'],
      ['teams', 'Microsoft Teams', '/webhooks/teams', 'Bearer channels.teams.token'],
      ['telegram', 'Telegram', '/webhooks/telegram', 'X-Telegram-Bot-Api-Secret-Token = channels.telegram.secret_token'],
    ];
    const test = h('div', { role: 'status', 'aria-live': 'polite' });
    const verify = form({
      fields: [
        { name: 'channel', label: 'Channel', type: 'select', options: ['whatsapp', 'messenger'], value: 'whatsapp', required: true },
        { name: 'token', label: 'Verify token to try', required: true },
      ],
      submitLabel: 'Try verification',
      onSubmit: async (v) => {
        const challenge = String(Math.floor(Math.random() * 1e9));
        const q = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': v.token });
        const r = await fetch(`/chatbot/api/v2/webhooks/verify/${v.channel}?${q}`, { headers: { 'X-Tenant-ID': tenant } });
        const text = await r.text();
        clear(test, r.ok && text === challenge
          ? h('p', { class: 'ok' }, `✓ Verified: the server echoed the challenge ${challenge}.`)
          : h('p', { class: 'field-error' }, `✗ Refused (HTTP ${r.status}): ${(() => { try { const j = JSON.parse(text); return j.error?.message || text; } catch { return text; } })()}`));
      },
    });
    return h('div', null,
      h('p', { class: 'muted' }, 'Point each channel at these addresses. Every request names the tenant with the X-Tenant-ID header (', h('code', null, tenant), ') and is checked against the secret in the tenant’s configuration.'),
      h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Channel webhooks'),
        h('thead', null, h('tr', null, ['Channel', 'Address', 'Checked with', 'Configured'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', null, rows.map(([k, label, path, check]) => h('tr', null, h('td', null, label), h('td', null, h('code', null, base + path)), h('td', null, h('small', null, check)),
          h('td', null, channels[k] ? (channels[k].enabled === false ? badge('disabled', 'draft') : badge('configured', 'active')) : badge('not set', 'draft')))),
        integrations.map(([k]) => h('tr', null, h('td', null, `Integration “${k}”`), h('td', null, h('code', null, `${base}/webhooks/generic/${k}`)), h('td', null, h('small', null, `Bearer integrations.${k}.webhook_token`)), h('td', null, badge('configured', 'active')))))),
      h('p', { class: 'muted' }, 'Secrets are set in the Configuration tab (Channels and Integrations JSON); they are stored and shown masked.'),
      card('Subscription verification', h('p', { class: 'muted' }, 'Meta platforms call the verify address with a challenge; try the tenant’s verify token here.'), verify, test));
  });
}

// ---------- health ----------
function healthTab(p) {
  const box = h('div');
  p.append(box);
  const run = () => load(box, async () => {
    const get = (path) => api(M, 'GET', path).then((r) => r.data).catch((e) => ({ status: 'unavailable', error: e.message }));
    const [d, deps, m] = await Promise.all([get('/health/detailed'), get('/health/dependencies'), get('/health/metrics')]);
    const comps = d.components || d.checks || {};
    return h('div', null,
      h('div', { class: 'toolbar' }, h('strong', null, 'Overall: '), badge(d.status || '—'), h('span', { class: 'muted' }, `version ${d.version || '—'} · up ${fmt.num((d.uptime_seconds || 0) / 60, 0)} min`), h('span', { class: 'grow' }), btn('Refresh', run, 'btn-small')),
      h('div', { class: 'two' },
        card('Components', Object.keys(comps).length ? kv(Object.entries(comps).map(([k, v]) => [k, h('span', null, badge(v?.status || String(v)), v?.response_time_ms !== undefined ? ` ${fmt.num(v.response_time_ms, 1)} ms` : '')])) : h('pre', null, fmt.json(d))),
        card('Dependencies', h('pre', null, fmt.json(deps)))),
      card('Metrics', h('pre', null, fmt.json(m))));
  });
  run();
}
