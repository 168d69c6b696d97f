// Chatbot: tenants and configuration, live chat tester, conversations.
import { api } from '../lib/api.js';
import {
  h, clear, table, form, dialog, toast, badge, fmt, tabs, card, kv, stat, load, actionBtn, btn, empty, errorState, localPage, downloadLink, progress,
} from '../lib/ui.js';

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
    h('div', { class: 'toolbar' }, h('label', { for: 'tenant-pick' }, 'Tenant'), picker, h('a', { href: '/chatbot/api/v2/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))));
  if (sub === 'c' && id) return conversationPage(main, id);
  main.append(tabs([
    { id: 'tester', label: 'Chat tester', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : tester(p, current)) },
    { id: 'conversations', label: 'Conversations', render: (p) => conversations(p) },
    { id: 'tenants', label: 'Tenants', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : tenantsTab(p, tenants)) },
    { id: 'config', label: 'Configuration', render: (p) => (tenantErr ? p.append(errorState(tenantErr)) : configTab(p, current)) },
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
      { key: 'last_activity_at', label: 'Last activity', render: (c) => fmt.date(c.last_activity_at) },
    ],
    filters: [
      { name: 'status', label: 'Status', type: 'select', options: ['active', 'closed', 'transferred'] },
      { name: 'channel', label: 'Channel', type: 'select', options: ['web', 'whatsapp', 'messenger', 'slack', 'teams', 'telegram'] },
      { name: 'date_from', label: 'From', type: 'date' },
    ],
    fetch: async (st) => {
      const r = await api(M, 'GET', '/conversations', { query: { ...st.filters, page: st.page, limit: st.limit, sort: 'last_activity_desc' }, headers: tenantHeaders() });
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
        h('div', { class: 'chat', style: 'max-height:560px' }, (c.messages || []).map((m) => h('div', { class: `bubble ${m.direction}` }, m.content?.text || JSON.stringify(m.content),
          h('span', { class: 'meta' }, `${m.direction} · ${fmt.date(m.timestamp)}`)))),
        h('div', null, card('Details', kv([['User', c.user_id], ['Channel', c.channel], ['Started', fmt.date(c.started_at)], ['Last activity', fmt.date(c.last_activity_at)],
          ['Intent', c.context?.current_intent], ['Entities', JSON.stringify(c.context?.entities || {})]])),
        card('Summary', kv(Object.entries(c.summary || {}))))));
  });
}

function exportConversation(id) {
  const out = h('div');
  const d = dialog('Export conversation', [form({
    fields: [
      { name: 'format', label: 'Format', type: 'select', options: ['json', 'csv', 'txt', 'pdf'], value: 'json', required: true },
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
      { name: 'agent_id', label: 'Agent id (optional)' },
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
      { key: 'name', label: 'Name', sortable: true },
      { key: 'tenant_id', label: 'Id', render: (x) => h('code', null, x.tenant_id || x.id) },
      { key: 'domain', label: 'Domain', sortable: true },
      { key: 'plan', label: 'Plan', sortable: true },
      { key: 'status', label: 'Status', render: (x) => badge(x.status) },
    ],
    fetch: async (st) => localPage(tenants, st),
    actions: (x) => [btn('Usage', () => usage(x.tenant_id || x.id), 'btn-small'), btn('Use', () => { sessionStorage.setItem(TENANT_KEY, x.tenant_id || x.id); location.hash = '#/chatbot/tester'; location.reload(); }, 'btn-small')],
    emptyText: 'No tenants yet.',
  });
  p.append(h('div', { class: 'toolbar' }, btn('New tenant', () => newTenant(), 'btn-primary')), t.el);
}

function newTenant() {
  const d = dialog('New tenant', form({
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'domain', label: 'Domain', required: true, placeholder: 'acme.com' },
      { name: 'plan', label: 'Plan', type: 'select', options: ['starter', 'professional', 'enterprise'], value: 'starter', required: true },
      { name: 'admin_user.email', label: 'Admin e-mail', type: 'email', required: true },
      { name: 'admin_user.first_name', label: 'Admin first name' },
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
        kv(Object.entries(x.api_keys || {}).map(([k, v]) => [k, h('code', null, v)])),
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
      onDone: () => toast('Configuration saved.', 'success'),
    });
  });
}
