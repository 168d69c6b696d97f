// Contact center: campaigns, contacts (+import), teams & agents, queues (live),
// knowledge search, IVR flow graph, routing rules, metrics dashboard, reports.
import { api, hasRole } from '../lib/api.js';
import {
  h, clear, table, form, dialog, toast, toastError, confirmDialog, badge, fmt, tabs, card, kv, stat, load, actionBtn, btn, empty,
  errorState, field, readFields, progress, poll, highlighted, downloadLink, matchLocal,
} from '../lib/ui.js';
import { chart } from '../lib/chart.js';

const M = 'contact-center';
// org changes (teams, agents, queues, companies) are for supervisors and admins: others do not see the buttons
const canSupervise = () => hasRole(M, 'admin') || hasRole(M, 'supervisor');
const sup = (el) => (canSupervise() ? el : null);
const TABS = [
  ['campaigns', 'Campaigns'], ['templates', 'Campaign templates'], ['contacts', 'Contacts'], ['calllists', 'Call lists'], ['teams', 'Teams & agents'], ['queues', 'Queues'], ['knowledge', 'Knowledge'],
  ['ivr', 'IVR flows'], ['routing', 'Routing'], ['voicemail', 'Voicemail & recordings'], ['dashboard', 'Dashboard'], ['reports', 'Reports'],
];

export async function render(main, route) {
  const [sub, id] = route.rest;
  main.append(h('div', { class: 'page-head' },
    h('div', null, h('h1', null, 'Contact center'), h('p', null, 'Campaigns, contacts, agents, queues, IVR, routing, live metrics and reports.')),
    h('div', { class: 'links' }, h('a', { href: '/contact-center/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))));
  const renderers = { campaigns, templates: campaignTemplates, contacts, calllists: callLists, teams, queues, knowledge, ivr, routing, voicemail, dashboard, reports };
  const tab = renderers[sub] ? sub : 'campaigns';
  main.append(tabs(TABS.map(([k, label]) => ({ id: k, label, render: (p) => renderers[k](p, id) })), tab, (t) => { location.hash = `#/contact-center/${t}`; }));
}

/** Table over a contact-center list (bare array, limit/offset, X-Total-Count). */
function ccTable(path, columns, extra = {}) {
  return table({
    columns,
    ...extra,
    fetch: async (st) => {
      const r = await api(M, 'GET', path, { query: { ...(extra.query || {}), ...st.filters, limit: st.limit, offset: (st.page - 1) * st.limit } });
      const rows = Array.isArray(r.data) ? r.data : r.data.items || [];
      return { rows, total: isNaN(r.total) ? undefined : r.total };
    },
  });
}
// Search-as-you-type pickers: agents and teams by name (or number), users by
// name or e-mail; each fills the numeric id the API takes.
async function allOf(path, signal) {
  const out = [];
  for (let offset = 0; offset < 1000; offset += 100) {
    const r = await api(M, 'GET', path, { query: { limit: 100, offset }, signal });
    const rows = Array.isArray(r.data) ? r.data : r.data?.items || [];
    out.push(...rows);
    if (rows.length < 100) break;
  }
  return out;
}
const agentField = (spec) => ({ type: 'picker', number: true, placeholder: 'Type an agent name or number…', ...spec,
  search: async (q, signal) => matchLocal(await allOf('/api/v1/agents', signal), q, ['name', 'agent_number', 'email', 'id'], 20)
    .map((a) => ({ value: a.id, label: a.name || a.agent_number, detail: `#${a.agent_number || '—'} · id ${a.id}` })) });
const teamField = (spec) => ({ type: 'picker', number: true, placeholder: 'Type a team name…', ...spec,
  search: async (q, signal) => matchLocal(await allOf('/api/v1/teams', signal), q, ['name', 'team_type', 'id'], 20)
    .map((t) => ({ value: t.id, label: t.name, detail: `${t.team_type || 'team'} · id ${t.id}` })) });
const companyField = (spec) => ({ type: 'picker', number: true, placeholder: 'Type a company name…', ...spec,
  search: async (q, signal) => {
    const r = await api(M, 'GET', '/api/v1/companies', { query: { search: q || undefined, limit: 20 }, signal });
    const rows = Array.isArray(r.data) ? r.data : r.data?.items || [];
    return rows.map((c) => ({ value: c.id, label: c.name, detail: `${c.domain || c.industry || 'company'} · id ${c.id}` }));
  } });
// platform users (administrators can list them); others type the number
const userField = (spec) => ({ type: 'picker', number: true, placeholder: 'Type a user name or e-mail…', ...spec,
  search: async (q, signal) => {
    const users = (await api('platform', 'GET', '/users', { signal })).data || [];
    return matchLocal(users, q, ['name', 'email'], 20).map((u) => ({ value: u.seq, label: u.name || u.email, detail: `${u.email} · no. ${u.seq}` }));
  } });

function createDialog(title, fields, path, done, method = 'POST', prep = (b) => b) {
  const d = dialog(title, form({
    fields, submitLabel: 'Save', cancel: () => d.close(),
    onSubmit: (body) => api(M, method, path, { body: prep(body) }),
    onDone: (r) => { d.close(); toast('Saved.', 'success'); done(r); },
  }), { wide: true });
}

// ---------- campaigns ----------
const CAMPAIGN_FIELDS = (c = {}) => [
  { name: 'name', label: 'Name', required: true, value: c.name },
  { name: 'campaign_type', label: 'Type', type: 'select', options: ['outbound', 'inbound', 'blended'], value: c.campaign_type || 'outbound', required: true },
  { name: 'provider_type', label: 'Provider', value: c.provider_type || 'openai' },
  { name: 'provider_model', label: 'Model', value: c.provider_model },
  { name: 'start_date', label: 'Start', type: 'datetime-local', value: c.start_date?.slice(0, 16) },
  { name: 'end_date', label: 'End', type: 'datetime-local', value: c.end_date?.slice(0, 16) },
  { name: 'max_daily_calls', label: 'Max daily calls', type: 'number', min: 0, value: c.max_daily_calls },
  { name: 'max_retries', label: 'Max retries', type: 'number', min: 0, value: c.max_retries ?? 3 },
  { name: 'retry_failed', label: 'Retry failed calls', type: 'checkbox', value: c.retry_failed ?? true },
  { name: 'description', label: 'Description', type: 'textarea', value: c.description },
  { name: 'system_prompt', label: 'System prompt', type: 'textarea', value: c.system_prompt },
  { name: 'provider_config', label: 'Provider config (JSON)', type: 'json', value: c.provider_config || {} },
];
function campaigns(p, id) {
  if (id) return campaignDetail(p, id);
  const t = ccTable('/api/v1/campaigns', [
    { key: 'name', label: 'Name', render: (c) => h('a', { href: `#/contact-center/campaigns/${c.id}` }, c.name) },
    { key: 'status', label: 'State', render: (c) => badge(c.status) },
    { key: 'campaign_type', label: 'Type' },
    { key: 'total_contacts', label: 'Contacts', class: 'num' },
    { key: 'completed_calls', label: 'Completed', class: 'num' },
    { key: 'success_rate', label: 'Success', class: 'num', render: (c) => fmt.pct(c.success_rate) },
    { key: 'start_date', label: 'Start', render: (c) => fmt.date(c.start_date) },
  ], {
    caption: 'Campaigns',
    filters: [{ name: 'search', label: 'Search' }, { name: 'status', label: 'State', type: 'select', options: ['draft', 'active', 'paused', 'completed', 'archived'] }],
    onRow: (c) => { location.hash = `#/contact-center/campaigns/${c.id}`; },
    actions: (c) => [
      c.status === 'active' ? actionBtn('Pause', async () => { await api(M, 'POST', `/api/v1/campaigns/${c.id}/pause`); toast('Paused.', 'success'); t.reload(); }, 'btn-small')
        : ['draft', 'paused'].includes(c.status) ? actionBtn('Start', async () => { await api(M, 'POST', `/api/v1/campaigns/${c.id}/start`); toast('Started.', 'success'); t.reload(); }, 'btn-small') : null,
    ],
    emptyText: 'No campaigns yet.',
  });
  p.append(h('div', { class: 'toolbar' }, btn('New campaign', () => createDialog('New campaign', CAMPAIGN_FIELDS(), '/api/v1/campaigns', () => t.reload()), 'btn-primary'),
    btn('From a template…', () => fromTemplate())), t.el);
}
function fromTemplate() {
  const box = h('div');
  const d = dialog('Campaign templates', box, { wide: true });
  load(box, async () => {
    const list = (await api(M, 'GET', '/api/v1/campaign-templates', { query: { limit: 100 } })).data;
    if (!list.length) return empty('No templates yet.');
    return h('div', { class: 'cards' }, list.map((tp) => card(tp.name,
      h('p', { class: 'muted' }, tp.description || ''),
      h('p', null, badge(tp.campaign_type, 'role'), ' ', tp.is_system ? badge('system', 'published') : null, ' ', h('small', { class: 'muted' }, `${tp.provider_type} ${tp.provider_model || ''}`)),
      h('div', { class: 'actions' }, btn('Use', () => {
        d.close();
        createDialog(`New campaign from “${tp.name}”`, [...CAMPAIGN_FIELDS({ campaign_type: tp.campaign_type, provider_type: tp.provider_type, provider_model: tp.provider_model, system_prompt: tp.system_prompt, provider_config: tp.default_config }),
          { name: 'template_id', label: 'Template id', type: 'number', value: tp.id }], '/api/v1/campaigns', (r) => { location.hash = `#/contact-center/campaigns/${r.data.id}`; });
      }, 'btn-primary btn-small')))));
  });
}
function campaignDetail(p, id) {
  p.append(h('p', null, h('a', { href: '#/contact-center/campaigns' }, '← Campaigns')));
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const [c, s] = await Promise.all([api(M, 'GET', `/api/v1/campaigns/${id}`).then((r) => r.data), api(M, 'GET', `/api/v1/campaigns/${id}/stats`).then((r) => r.data).catch(() => null)]);
    const act = (verb, label) => actionBtn(label, async () => { await api(M, 'POST', `/api/v1/campaigns/${id}/${verb}`); toast(`${label}: done.`, 'success'); location.reload(); });
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, c.name), h('p', null, badge(c.status), ' ', c.description || '')),
        h('div', { class: 'toolbar' },
          ['draft', 'paused'].includes(c.status) ? act('start', 'Start') : null, c.status === 'active' ? act('pause', 'Pause') : null,
          btn('Edit', () => createDialog('Edit campaign', CAMPAIGN_FIELDS(c), `/api/v1/campaigns/${id}`, () => location.reload(), 'PUT')),
          actionBtn('Clone', async () => { const r = await api(M, 'POST', `/api/v1/campaigns/${id}/clone`, { body: { name: `${c.name} (copy)` } }); toast('Cloned.', 'success'); location.hash = `#/contact-center/campaigns/${r.data.id}`; }),
          actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete ${c.name}?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/v1/campaigns/${id}`); location.hash = '#/contact-center/campaigns'; }, 'btn-danger'))),
      s ? h('div', { class: 'stats' }, stat('Contacts', fmt.num(s.total_contacts)), stat('Completed calls', fmt.num(s.completed_calls)), stat('Success rate', fmt.pct(s.success_rate)),
        stat('Conversion', fmt.pct(s.conversion_rate)), stat('Avg call', `${fmt.num(s.avg_call_duration, 1)} s`), stat('Talk time', `${fmt.num(s.total_call_time)} s`),
        stat('Cost per call', fmt.money(s.cost_per_call)), stat('Total cost', fmt.money(s.total_cost))) : null,
      s ? h('div', { class: 'two' },
        card(null, chart({ type: 'bar', title: 'Contacts by status', labels: Object.keys(s.contacts_by_status || {}), series: [{ name: 'contacts', values: Object.values(s.contacts_by_status || {}) }] })),
        card(null, chart({ type: 'bar', title: 'Calls by outcome', labels: Object.keys(s.calls_by_outcome || {}), series: [{ name: 'calls', values: Object.values(s.calls_by_outcome || {}) }] }))) : null,
      card('Settings', kv([['Type', c.campaign_type], ['Provider', `${c.provider_type} ${c.provider_model || ''}`], ['Start', fmt.date(c.start_date)], ['End', fmt.date(c.end_date)],
        ['Max daily calls', c.max_daily_calls], ['Retries', `${c.retry_failed ? 'yes' : 'no'}, max ${c.max_retries}`], ['System prompt', c.system_prompt]])),
      h('h2', null, 'Contacts in this campaign'), campaignContacts(id));
  });
}
function campaignContacts(campaignId) {
  const t = contactsTable({ campaign_id: campaignId });
  return h('div', null, h('div', { class: 'toolbar' },
    btn('Add contact', () => createDialog('New contact', contactFields([], Number(campaignId)), '/api/v1/contacts', () => t.reload(), 'POST', withCampaignId), 'btn-primary'),
    btn('Add contacts from CSV…', () => importContacts(() => t.reload(), Number(campaignId)))), t.el);
}
/** A picked campaign (a select gives text) as the number the API takes. */
const withCampaignId = (b) => ({ ...b, campaign_id: b.campaign_id ? Number(b.campaign_id) : undefined });
/** Campaigns as [id, name] options, for pickers by name. */
async function campaignOptions() {
  const r = await api(M, 'GET', '/api/v1/campaigns', { query: { limit: 100 } });
  const list = Array.isArray(r.data) ? r.data : r.data?.items || [];
  return list.map((c) => [c.id, c.name]);
}
function contactFields(campaigns, campaignId) {
  return [
    { name: 'first_name', label: 'First name', required: true }, { name: 'last_name', label: 'Last name' },
    { name: 'phone_number', label: 'Phone', required: true, placeholder: '+14155552671', help: 'International format: + and the country code' }, { name: 'email', label: 'E-mail', type: 'email' },
    { name: 'company', label: 'Company' },
    campaignId
      ? { name: 'campaign_id', label: 'Campaign', type: 'select', options: [[campaignId, campaigns.find((c) => c[0] === campaignId)?.[1] || 'this campaign']], value: campaignId, required: true }
      : { name: 'campaign_id', label: 'Campaign', type: 'select', placeholder: 'No campaign', options: campaigns },
    { name: 'priority', label: 'Priority', type: 'number', min: 1, max: 10 },
    { name: 'custom_fields', label: 'Custom fields (JSON)', type: 'json', value: {} }];
}

// ---------- contacts ----------
function contactsTable(query) {
  return ccTable('/api/v1/contacts', [
    { key: 'name', label: 'Name', render: (c) => `${c.first_name} ${c.last_name || ''}` },
    { key: 'phone_number', label: 'Phone' },
    { key: 'email', label: 'E-mail' },
    { key: 'company', label: 'Company' },
    { key: 'status', label: 'Status', render: (c) => badge(c.status) },
    { key: 'priority', label: 'Priority', class: 'num' },
    { key: 'call_attempts', label: 'Attempts', class: 'num' },
  ], { caption: 'Contacts', query, filters: [{ name: 'search', label: 'Search' }, { name: 'status', label: 'Status', type: 'select', options: ['pending', 'called', 'completed', 'failed'] }] });
}
function contacts(p) {
  const t = contactsTable({});
  p.append(h('div', { class: 'toolbar' },
    btn('New contact', async () => createDialog('New contact', contactFields(await campaignOptions().catch(() => [])), '/api/v1/contacts', () => t.reload(), 'POST', withCampaignId), 'btn-primary'),
    btn('Import CSV…', () => importContacts(() => t.reload()))), t.el);
}
function parseCsv(text) {
  const rows = [];
  let row = []; let cur = ''; let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) { if (ch === '"' && text[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch; }
    else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cur); cur = ''; }
    else if (ch === '\n' || ch === '\r') { if (ch === '\r' && text[i + 1] === '\n') i++; row.push(cur); rows.push(row); row = []; cur = ''; }
    else cur += ch;
  }
  if (cur || row.length) { row.push(cur); rows.push(row); }
  const [head, ...body] = rows.filter((r) => r.some((x) => x.trim()));
  return body.map((r) => Object.fromEntries(head.map((k, i) => [k.trim(), r[i]?.trim()]).filter(([, v]) => v !== undefined && v !== '')));
}
async function importContacts(done, campaignId) {
  const file = h('input', { type: 'file', id: 'cc-import', accept: '.csv,text/csv' });
  const out = h('div');
  const campaigns = await campaignOptions().catch(() => []);
  const f = h('form', null, h('p', { class: 'muted' }, 'CSV with a header row: first_name, last_name, phone_number, email, company, priority.'),
    h('div', { class: 'grid' }, h('div', { class: 'field' }, h('label', { class: 'label', for: 'cc-import' }, 'CSV file'), file),
      field({ name: 'campaign_id', label: 'Campaign', type: 'select', placeholder: 'No campaign', options: campaigns, value: campaignId })),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Import')), out);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files[0]) { toast('Choose a CSV file.', 'error'); return; }
    const contactsRows = parseCsv(await file.files[0].text()).map((r) => ({ ...r, priority: r.priority ? Number(r.priority) : undefined }));
    const p = progress(`Importing ${contactsRows.length} contacts…`);
    clear(out, p.el);
    try {
      const r = (await api(M, 'POST', '/api/v1/contacts/import', { body: { ...withCampaignId(readFields(f)), contacts: contactsRows } })).data;
      p.done(`Imported ${r.imported}, failed ${r.failed}.`);
      if (r.errors?.length) {
        out.append(h('table', { class: 'table', 'data-testid': 'import-errors' },
          h('thead', null, h('tr', null, ['Row', 'Field', 'Problem'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, r.errors.map((x) => (typeof x === 'string'
            ? h('tr', null, h('td', null, '—'), h('td', null, '—'), h('td', null, x))
            : h('tr', null, h('td', { class: 'num' }, x.row ?? '—'), h('td', null, x.field ? fmt.label(x.field) : '—'), h('td', null, x.message || x.error || '—')))))));
      }
      done();
    } catch (err) { clear(out, errorState(err)); }
  });
  dialog('Import contacts', f, { wide: true });
}

// ---------- teams & agents ----------
function teams(p) {
  const agentsBox = h('div');
  const t = ccTable('/api/v1/teams', [
    { key: 'name', label: 'Team' }, { key: 'team_type', label: 'Type' },
    { key: 'agent_count', label: 'Agents', class: 'num' }, { key: 'available_agents', label: 'Available', class: 'num' },
    { key: 'is_active', label: 'Active', render: (x) => badge(x.is_active ? 'active' : 'inactive') },
  ], {
    caption: 'Teams',
    onRow: (team) => load(agentsBox, async () => {
      const [a, perf] = await Promise.all([api(M, 'GET', `/api/v1/teams/${team.id}/agents`).then((r) => r.data), api(M, 'GET', `/api/v1/teams/${team.id}/performance`).then((r) => r.data).catch(() => null)]);
      return h('div', null, h('h2', null, `Agents of ${team.name}`),
        perf ? h('div', { class: 'stats' }, stat('Calls', fmt.num(perf.total_calls)), stat('Success rate', fmt.pct(perf.success_rate)), stat('Avg duration', `${fmt.num(perf.avg_duration, 1)} s`), stat('Period', perf.period || '—')) : null,
        perf?.agents?.length ? card(null, chart({ type: 'bar', title: 'Calls per agent', labels: perf.agents.map((x) => x.name), series: [{ name: 'calls', values: perf.agents.map((x) => x.calls) }] })) : null,
        a.length ? agentRows(a) : empty('No agents in this team.'));
    }),
  });
  const all = ccTable('/api/v1/agents', [
    { key: 'name', label: 'Agent' }, { key: 'agent_number', label: 'Number' }, { key: 'status', label: 'Status', render: (a) => badge(a.status) },
    { key: 'team_id', label: 'Team' }, { key: 'skill_level', label: 'Level', class: 'num' }, { key: 'current_calls', label: 'Calls', class: 'num' },
    { key: 'skills', label: 'Skills', render: (a) => (a.skills || []).map((s) => (typeof s === 'string' ? s : s.skill_name || s.name)).join(', ') },
  ], {
    caption: 'Agents',
    filters: [{ name: 'status', label: 'Status', type: 'select', options: ['available', 'busy', 'away', 'offline'] }],
    actions: (a) => [
      h('label', { class: 'sr-only', for: `ag-st-${a.id}` }, `Status of ${a.name}`),
      h('select', { id: `ag-st-${a.id}`, class: 'inline-select', onchange: async (e) => {
        try { await api(M, 'PUT', `/api/v1/agents/${a.id}`, { body: { status: e.target.value } }); toast(`${a.name} is now ${e.target.value}.`, 'success'); all.reload(); } catch (err) { toastError(err); all.reload(); }
      } }, ['available', 'busy', 'away', 'offline'].map((x) => h('option', { value: x, selected: x === a.status }, x))),
      btn('Performance', () => agentPerformance(a), 'btn-small'),
      btn('Skills', () => createDialog(`Add skills to ${a.name}`, [{ name: 'skills', label: 'Skills (JSON array of {skill_name, proficiency})', type: 'json', value: [{ skill_name: 'billing', proficiency: 4 }] }], `/api/v1/agents/${a.id}/skills`, () => all.reload()), 'btn-small'),
    ],
  });
  p.append(h('div', { class: 'toolbar' },
    sup(btn('New team', () => createDialog('New team', [{ name: 'name', label: 'Name', required: true }, { name: 'team_type', label: 'Type', value: 'support' }, { name: 'max_agents', label: 'Max agents', type: 'number' }, { name: 'description', label: 'Description', type: 'textarea' }], '/api/v1/teams', () => t.reload()), 'btn-primary')),
    sup(btn('New agent', () => createDialog('New agent', [userField({ name: 'user_id', label: 'User', required: true, help: 'The person who works as this agent' }), { name: 'agent_number', label: 'Agent number', required: true }, teamField({ name: 'team_id', label: 'Team' }),
      { name: 'skill_level', label: 'Skill level', type: 'number', min: 1, max: 10 }, { name: 'languages', label: 'Languages', type: 'tags' }, { name: 'specialties', label: 'Specialties', type: 'tags' }], '/api/v1/agents', () => all.reload())))),
  h('h2', null, 'Teams'), t.el, agentsBox, h('h2', null, 'All agents'), all.el);
}
function agentPerformance(a) {
  const box = h('div');
  const period = h('select', { id: 'ap-period', onchange: () => run() }, [['1d', 'today'], ['7d', '7 days'], ['30d', '30 days']].map(([v, l]) => h('option', { value: v, selected: v === '7d' }, l)));
  dialog(`Performance of ${a.name}`, [h('div', { class: 'toolbar' }, h('label', { for: 'ap-period' }, 'Period'), period), box], { wide: true });
  const run = () => load(box, async () => {
    const p = (await api(M, 'GET', `/api/v1/agents/${a.id}/performance`, { query: { period: period.value } })).data;
    return h('div', null, h('div', { class: 'stats' }, stat('Calls', fmt.num(p.total_calls)), stat('Successful', fmt.num(p.successful_calls)), stat('Success rate', fmt.pct(p.success_rate)),
      stat('Conversion', fmt.pct(p.conversion_rate)), stat('Avg duration', `${fmt.num(p.avg_duration, 1)} s`), stat('Talk time', `${fmt.num(p.total_talk_time)} s`), stat('Avg wait', `${fmt.num(p.avg_wait_time, 1)} s`)),
    chart({ type: 'bar', title: 'Calls by outcome', labels: Object.keys(p.calls_by_outcome || {}), series: [{ name: 'calls', values: Object.values(p.calls_by_outcome || {}) }] }));
  });
  run();
}
function agentRows(list) {
  return h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Agent', 'Number', 'Status', 'Calls', 'Languages'].map((x) => h('th', null, x)))),
    h('tbody', null, list.map((a) => h('tr', null, h('td', null, a.name), h('td', null, a.agent_number), h('td', null, badge(a.status)), h('td', null, a.current_calls), h('td', null, (a.languages || []).join(', '))))));
}

// ---------- queues (live) ----------
function queues(p) {
  const box = h('div');
  const calls = h('div');
  const live = h('input', { type: 'checkbox', id: 'q-live', checked: true });
  const stamp = h('span', { class: 'muted' });
  let timer = null;
  const refresh = async (first) => {
    if (!document.body.contains(box) && !first) { clearInterval(timer); return; }
    try {
      const r = await api(M, 'GET', '/api/v1/queues');
      const list = Array.isArray(r.data) ? r.data : [];
      stamp.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      clear(box, list.length ? h('table', { class: 'table' },
        h('thead', null, h('tr', null, ['Queue', 'Type', 'Status', 'In call', 'Waiting', 'Longest wait', 'Avg wait', 'Agents free', 'Capacity'].map((x) => h('th', null, x)))),
        h('tbody', null, list.map((q) => {
          const tr = h('tr', { class: 'clickable', tabindex: '0' }, h('td', null, q.name), h('td', null, q.queue_type), h('td', null, badge(q.status)),
            h('td', { class: 'num' }, q.current_calls), h('td', { class: 'num' }, h('strong', null, q.waiting_calls)), h('td', { class: 'num' }, `${fmt.num(q.longest_wait_time)} s`),
            h('td', { class: 'num' }, `${fmt.num(q.avg_wait_time, 1)} s`), h('td', { class: 'num' }, q.available_agents ?? '—'),
            h('td', null, h('progress', { max: q.max_size || 1, value: q.waiting_calls, 'aria-label': `${q.name} fill` })));
          const open = () => load(calls, async () => {
            const c = (await api(M, 'GET', `/api/v1/queues/${q.id}/calls`)).data;
            return h('div', null, h('div', { class: 'toolbar' }, h('h2', { class: 'grow' }, `Calls waiting in ${q.name}`),
              btn('Add a call', () => createDialog(`A call enters ${q.name}`, [
                { name: 'caller_number', label: 'Caller number', required: true, value: '+15551234567' }, { name: 'priority', label: 'Priority', type: 'number', value: 5 },
                { name: 'language', label: 'Language', value: 'en' }, { name: 'required_skills', label: 'Required skills', type: 'tags', value: q.required_skills }],
              `/api/v1/queues/${q.id}/calls`, () => { refresh(); open(); }), 'btn-small'),
              actionBtn('Assign next call', async () => {
                const r = (await api(M, 'POST', `/api/v1/queues/${q.id}/assign`, { body: {} })).data;
                toast(r.agent_id || r.agent ? `Assigned to agent ${r.agent?.name || r.agent_id}.` : 'Assigned.', 'success'); refresh(); open();
              }, 'btn-small')),
              c.length ? h('table', { class: 'table' },
              h('thead', null, h('tr', null, ['#', 'Call', 'Caller', 'Waiting', 'Priority', 'Skills'].map((x) => h('th', null, x)))),
              h('tbody', null, c.map((x) => h('tr', null, h('td', null, x.position), h('td', null, h('code', null, x.call_id)), h('td', null, x.caller_number), h('td', null, `${x.wait_time} s`), h('td', null, x.priority), h('td', null, (x.required_skills || []).join(', ')))))) : empty('No calls waiting.'));
          });
          tr.addEventListener('click', open); tr.addEventListener('keydown', (e) => e.key === 'Enter' && open());
          return tr;
        }))) : empty('No queues configured.'));
    } catch (err) { clear(box, errorState(err)); clearInterval(timer); }
  };
  p.append(h('div', { class: 'toolbar' },
    sup(btn('New queue', () => createDialog('New queue', [
      { name: 'name', label: 'Name', required: true }, { name: 'queue_type', label: 'Type', type: 'select', options: ['inbound', 'outbound', 'callback'], value: 'inbound', required: true },
      teamField({ name: 'team_id', label: 'Team' }), { name: 'max_size', label: 'Max waiting calls', type: 'number', value: 50 },
      { name: 'timeout_seconds', label: 'Timeout (s)', type: 'number', value: 180 }, { name: 'required_skills', label: 'Required skills', type: 'tags' },
      { name: 'description', label: 'Description', type: 'textarea' }], '/api/v1/queues', () => refresh()), 'btn-primary')),
    h('span', { class: 'grow' }), h('label', { class: 'check', for: 'q-live' }, live, 'Live (every 5 s)'), stamp), box, calls);
  refresh(true);
  timer = setInterval(() => { if (live.checked) refresh(); }, 5000);
  window.addEventListener('hashchange', () => clearInterval(timer), { once: true });
}

// ---------- knowledge ----------
function knowledge(p) {
  const results = h('div');
  const f = h('form', { class: 'filters', role: 'search' }, field({ name: 'query', label: 'Ask the knowledge base', placeholder: 'how to reset my password', required: true, wide: true }),
    field({ name: 'limit', label: 'Results', type: 'number', value: 5, min: 1, max: 50 }), field({ name: 'min_score', label: 'Min score', type: 'number', step: 0.05, min: 0, max: 1, value: 0 }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Search')));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = readFields(f);
    load(results, async () => {
      const r = (await api(M, 'POST', '/api/v1/knowledge/search', { body })).data;
      if (!r.length) return empty('No article matches.');
      return h('ol', { style: 'padding-left:1.2rem' }, r.map((a) => h('li', { class: 'card' }, h('strong', null, highlighted(a.title)), ' ', badge(a.category || 'general', 'role'), h('span', { class: 'muted' }, ` score ${fmt.num(a.score, 2)}`),
        h('p', null, highlighted(String(a.highlight || a.content || '').slice(0, 400))))));
    });
  });
  const t = ccTable('/api/v1/knowledge', [{ key: 'title', label: 'Title' }, { key: 'category', label: 'Category' }, { key: 'updated_at', label: 'Updated', render: (a) => fmt.date(a.updated_at) }], {
    caption: 'Articles',
    onRow: (a) => dialog(a.title, [kv([['Category', a.category], ['Language', a.language], ['Tags', (a.tags || []).join(', ')], ['Public', a.is_public], ['Updated', fmt.date(a.updated_at)]]), h('p', { style: 'white-space:pre-wrap' }, a.content)], { wide: true }),
    actions: (a) => [actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete “${a.title}”?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/v1/knowledge/${a.id}`); t.reload(); }, 'btn-small btn-danger')],
  });
  const companies = ccTable('/api/v1/companies', [
    { key: 'id', label: 'Id', class: 'num' }, { key: 'name', label: 'Company' }, { key: 'industry', label: 'Industry' }, { key: 'domain', label: 'Domain' },
    { key: 'contact_email', label: 'Contact' }, { key: 'is_active', label: 'Active', render: (c) => badge(c.is_active ? 'active' : 'inactive') },
  ], { caption: 'Companies', limit: 10, emptyText: 'No companies yet.' });
  p.append(f, results, h('div', { class: 'toolbar' }, h('h2', { class: 'grow' }, 'Articles'),
    btn('New article', () => createDialog('New article', [{ name: 'title', label: 'Title', required: true }, { name: 'category', label: 'Category' }, companyField({ name: 'company_id', label: 'Company' }), { name: 'tags', label: 'Tags', type: 'tags' }, { name: 'content', label: 'Content', type: 'textarea', rows: 8, required: true }], '/api/v1/knowledge', () => t.reload()), 'btn-primary')), t.el,
  h('div', { class: 'toolbar', style: 'margin-top:1rem' }, h('h2', { class: 'grow' }, 'Companies'),
    sup(btn('New company', () => createDialog('New company', [{ name: 'name', label: 'Name', required: true }, { name: 'industry', label: 'Industry' }, { name: 'domain', label: 'Domain' },
      { name: 'size', label: 'Size' }, { name: 'contact_email', label: 'Contact e-mail', type: 'email' }, { name: 'contact_phone', label: 'Contact phone' },
      { name: 'address', label: 'Address (JSON)', type: 'json', value: {} }, { name: 'description', label: 'Description', type: 'textarea' }], '/api/v1/companies', () => companies.reload())))), companies.el);
}

// ---------- IVR ----------
function ivr(p, id) {
  if (id) return ivrDetail(p, id);
  const t = ccTable('/api/ivr/flows', [
    { key: 'name', label: 'Flow', render: (f) => h('a', { href: `#/contact-center/ivr/${f.id}` }, f.name) },
    { key: 'is_active', label: 'Active', render: (f) => badge(f.is_active ? 'active' : 'inactive') },
    { key: 'version', label: 'Version', class: 'num' }, { key: 'node_count', label: 'Nodes', class: 'num' }, { key: 'language', label: 'Language' },
    { key: 'updated_at', label: 'Updated', render: (f) => fmt.date(f.updated_at) },
  ], { caption: 'IVR flows', onRow: (f) => { location.hash = `#/contact-center/ivr/${f.id}`; }, emptyText: 'No IVR flows yet.' });
  p.append(h('div', { class: 'toolbar' }, btn('New flow', () => createDialog('New IVR flow', [
    { name: 'name', label: 'Name', required: true }, { name: 'language', label: 'Language', value: 'en' }, { name: 'timeout_seconds', label: 'Timeout (s)', type: 'number', value: 30 },
    { name: 'max_retries', label: 'Max retries', type: 'number', value: 3 }, { name: 'description', label: 'Description', type: 'textarea' },
    { name: 'is_active', label: 'Active (takes calls)', type: 'checkbox', value: true },
    { name: 'nodes', label: 'Nodes (JSON array)', type: 'json', value: [{ id: 1, node_type: 'menu', name: 'Main menu', prompt_text: 'Press 1 for sales, 2 for support', menu_options: [{ dtmf_key: '1', description: 'Sales', target_node_id: 2 }, { dtmf_key: '2', description: 'Support', target_node_id: 3 }] }, { id: 2, node_type: 'transfer', name: 'Sales', transfer_to: 'sales' }, { id: 3, node_type: 'transfer', name: 'Support', transfer_to: 'support' }] },
    { name: 'start_node_id', label: 'Start node id', type: 'number', value: 1 },
  ], '/api/ivr/flows', () => t.reload()), 'btn-primary')), t.el);
}
function ivrDetail(p, id) {
  p.append(h('p', null, h('a', { href: '#/contact-center/ivr' }, '← IVR flows')));
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const f = (await api(M, 'GET', `/api/ivr/flows/${id}`)).data;
    const an = await api(M, 'GET', `/api/ivr/flows/${id}/analytics`).then((r) => r.data).catch(() => null);
    const graph = ivrGraph(f);
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, f.name), h('p', null, badge(f.is_active ? 'active' : 'inactive'), ` version ${f.version} · ${f.node_count} nodes · ${f.language}`)),
        h('div', { class: 'toolbar' },
          btn('Edit nodes', () => editNodes(f)),
          actionBtn(f.is_active ? 'Deactivate' : 'Activate', async () => { await api(M, 'PUT', `/api/ivr/flows/${id}`, { body: { is_active: !f.is_active } }); toast(f.is_active ? 'Deactivated.' : 'Activated.', 'success'); location.reload(); }),
          actionBtn('Publish version', async () => { const r = await api(M, 'POST', `/api/ivr/flows/${id}/publish`, { body: { version_notes: 'Published from the admin UI' } }); toast(`Published version ${r.data.version ?? ''}.`, 'success'); location.reload(); }, 'btn-primary'),
          actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete ${f.name}?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/ivr/flows/${id}`); location.hash = '#/contact-center/ivr'; }, 'btn-danger'))),
      h('div', { class: 'two' }, card('Flow graph', graph), card('Try the flow (as a caller)', ivrTester(f, graph))),
      an ? card('Analytics', h('div', { class: 'stats' }, Object.entries(an).filter(([k, v]) => typeof v === 'number' && !k.endsWith('_id')).map(([k, v]) => stat(k.replace(/_/g, ' '), fmt.num(v, 2)))),
        h('details', null, h('summary', null, 'All figures'), h('pre', null, fmt.json(an)))) : null);
  });
}
/** JSON editor for a flow's nodes with a live graph preview. */
function editNodes(f) {
  const preview = h('div', { class: 'graph-preview', 'aria-live': 'polite' }, ivrGraph(f));
  const fm = form({
    fields: [{ name: 'nodes', label: 'Nodes (JSON array of {id, node_type, name, prompt_text, menu_options:[{dtmf_key, description, target_node_id}], next_node_id, queue_id, transfer_to})', type: 'json', rows: 18, value: f.nodes, keepEmpty: true },
      { name: 'start_node_id', label: 'Start node id', type: 'number', value: f.start_node_id }],
    submitLabel: 'Save graph', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'PUT', `/api/ivr/flows/${f.id}`, { body }),
    onDone: () => { d.close(); toast('Graph saved. Publish a version to use it.', 'success'); location.reload(); },
  });
  const ta = fm.querySelector('textarea');
  const start = fm.querySelector('input[type=number]');
  const redraw = () => {
    try {
      const nodes = JSON.parse(ta.value);
      clear(preview, ivrGraph({ ...f, nodes: Array.isArray(nodes) ? nodes : [], start_node_id: Number(start.value) || f.start_node_id }));
    } catch { /* keep the last good preview while typing */ }
  };
  ta.addEventListener('input', redraw);
  start.addEventListener('input', redraw);
  const d = dialog(`Edit ${f.name}`, h('div', { class: 'two' }, fm, h('div', null, h('h3', null, 'Preview'), preview)), { wide: true });
}

/** Lays the IVR nodes out in layers (breadth-first from the start node) and draws edges. */
export function ivrGraph(flow) {
  const NS = 'http://www.w3.org/2000/svg';
  const nodes = flow.nodes || [];
  if (!nodes.length) return empty('This flow has no nodes yet.');
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = [];
  nodes.forEach((n) => {
    (n.menu_options || []).forEach((o) => edges.push([n.id, o.target_node_id, `${o.dtmf_key}${o.description ? ` ${o.description}` : ''}`]));
    if (n.next_node_id) edges.push([n.id, n.next_node_id, '']);
  });
  const depth = new Map();
  const start = flow.start_node_id && byId.has(flow.start_node_id) ? flow.start_node_id : nodes[0].id;
  const queue = [start]; depth.set(start, 0);
  while (queue.length) {
    const cur = queue.shift();
    edges.filter((e) => e[0] === cur).forEach(([, to]) => { if (byId.has(to) && !depth.has(to)) { depth.set(to, depth.get(cur) + 1); queue.push(to); } });
  }
  let maxD = Math.max(...depth.values());
  nodes.forEach((n) => { if (!depth.has(n.id)) depth.set(n.id, ++maxD); });
  const layers = [];
  nodes.forEach((n) => { const d = depth.get(n.id); (layers[d] ||= []).push(n); });
  const W = 170; const H = 46; const GX = 40; const GY = 70;
  const widest = Math.max(...layers.map((l) => l?.length || 0));
  const width = widest * (W + GX) + GX; const height = layers.length * (H + GY) + 20;
  const pos = new Map();
  layers.forEach((l, d) => (l || []).forEach((n, i) => {
    const offset = (width - l.length * (W + GX) + GX) / 2;
    pos.set(n.id, { x: offset + i * (W + GX), y: 20 + d * (H + GY) });
  }));
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'graph');
  svg.setAttribute('width', String(Math.max(width, 480)));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `IVR flow graph of ${flow.name}: ${nodes.length} nodes, ${edges.length} connections`);
  const el = (tag, attrs, text) => { const e = document.createElementNS(NS, tag); Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v)); if (text !== undefined) e.textContent = text; return e; };
  const defs = el('defs', {});
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#94a3b8' }));
  defs.append(marker); svg.append(defs);
  edges.forEach(([from, to, label]) => {
    const a = pos.get(from); const b = pos.get(to);
    if (!a || !b) return;
    const x1 = a.x + W / 2; const y1 = a.y + H; const x2 = b.x + W / 2; const y2 = b.y;
    const back = y2 <= y1;
    const d = back ? `M ${x1} ${y1} C ${x1 + 120} ${y1 + 60}, ${x2 + 120} ${y2 - 60}, ${x2 + W / 2} ${y2 + H / 2}` : `M ${x1} ${y1} C ${x1} ${y1 + 35}, ${x2} ${y2 - 35}, ${x2} ${y2}`;
    svg.append(el('path', { d, class: 'edge' }));
    if (label) svg.append(el('text', { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2, class: 'edge-label' }, label.slice(0, 24)));
  });
  nodes.forEach((n) => {
    const { x, y } = pos.get(n.id);
    const g = el('g', { class: 'node', transform: `translate(${x},${y})`, 'data-node-id': String(n.id) });
    g.append(el('rect', { width: W, height: H, rx: 6, ...(n.id === start ? { style: 'stroke:#1d4ed8;stroke-width:2' } : {}) }));
    g.append(el('text', { x: 8, y: 18 }, `${n.name}`.slice(0, 24)));
    g.append(el('text', { x: 8, y: 35, class: 'type' }, `#${n.id} · ${n.node_type}${n.transfer_to ? ` → ${n.transfer_to}` : ''}${n.queue_id ? ` → queue ${n.queue_id}` : ''}`.slice(0, 30)));
    g.append(el('title', {}, n.prompt_text || n.name));
    svg.append(g);
  });
  return svg;
}

/** Runs a caller through the flow's published version, key by key, highlighting the current node. */
function ivrTester(flow, graph) {
  const out = h('div', { 'aria-live': 'polite' });
  let session = null;
  const mark = (nodeId) => graph.querySelectorAll?.('g.node').forEach((g) => g.classList.toggle('current', g.dataset.nodeId === String(nodeId)));
  const show = (sx) => {
    session = sx;
    mark(sx.status === 'in_progress' ? sx.current_node_id : null);
    graph.querySelectorAll?.('g.node').forEach((g) => g.classList.toggle('visited', (sx.path || []).map(String).includes(g.dataset.nodeId)));
    clear(out, kv([['Status', badge(sx.status)], ['Prompt', sx.current_prompt || '—'], ['Path', sx.path_names || (sx.path || []).join(' → ')],
      ['Outcome', sx.outcome], ['Retries', sx.retries]]),
    sx.status === 'in_progress' ? h('div', { class: 'keypad', role: 'group', 'aria-label': 'Keypad' },
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'].map((k) => actionBtn(k, async () => show((await api(M, 'POST', `/api/ivr/sessions/${session.id}/input`, { body: { dtmf: k } })).data))),
      actionBtn('Hang up', async () => show((await api(M, 'POST', `/api/ivr/sessions/${session.id}/hangup`, { body: {} })).data), 'btn-danger')) : null);
  };
  const start = actionBtn('Call the flow', async () => {
    show((await api(M, 'POST', `/api/ivr/flows/${flow.id}/sessions`, { body: { caller_number: '+15550001111', inputs: [] } })).data);
  }, 'btn-primary');
  const hint = !flow.is_active ? 'The flow is inactive: it takes no calls until it is made active.'
    : flow.version ? `Runs published version ${flow.version}. Press keys as the caller would.` : 'Publish the flow first: calls run a published version.';
  return h('div', null, h('p', { class: 'muted' }, hint), start, out);
}

// ---------- routing ----------
function routing(p) {
  const t = ccTable('/api/routing/rules', [
    { key: 'priority', label: 'Priority', class: 'num' }, { key: 'name', label: 'Rule' }, { key: 'strategy', label: 'Strategy' },
    { key: 'conditions', label: 'When', render: (r) => (r.conditions || []).map((c) => `${c.field} ${c.operator} ${JSON.stringify(c.value)}`).join(' · ') || 'always' },
    { key: 'targets', label: 'Route to', render: (r) => (r.targets || []).map((x) => `${x.target_type} ${x.target_id}${x.weight ? ` (${x.weight})` : ''}`).join(', ') },
    { key: 'is_active', label: 'Active', render: (r) => badge(r.is_active ? 'active' : 'inactive') },
  ], {
    caption: 'Routing rules',
    actions: (r) => [
      btn('Edit', () => createDialog(`Edit ${r.name}`, ruleFields(r), `/api/routing/rules/${r.id}`, () => t.reload(), 'PUT'), 'btn-small'),
      actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete rule ${r.name}?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/routing/rules/${r.id}`); t.reload(); }, 'btn-small btn-danger'),
    ],
    emptyText: 'No routing rules yet.',
  });
  const out = h('div');
  const test = form({
    fields: [{ name: 'attributes', label: 'Call attributes (JSON) to test the rules against', type: 'json', value: { caller_number: '+15551234567', language: 'en', required_skills: ['billing'] } }],
    submitLabel: 'Evaluate',
    onSubmit: async (v) => (await api(M, 'POST', '/api/routing/evaluate', { body: { attributes: v.attributes || {} } })).data,
    onDone: (d) => clear(out, kv([['Matched', d.matched], ['Rule', d.rule_name ? `${d.rule_name} (#${d.rule_id})` : '—'], ['Strategy', d.strategy], ['Target', d.target ? `${d.target.target_type} ${d.target.target_id}` : '—'],
      ['Used fallback', d.used_fallback], ['Fallback', d.fallback_action ? JSON.stringify(d.fallback_action) : '—'], ['Rules evaluated', d.rules_evaluated]])),
  });
  p.append(h('div', { class: 'toolbar' }, btn('New rule', () => createDialog('New routing rule', ruleFields({}), '/api/routing/rules', () => t.reload()), 'btn-primary')), t.el, card('Try the rules', test, out));
}
function ruleFields(r) {
  return [
    { name: 'name', label: 'Name', required: true, value: r.name }, { name: 'priority', label: 'Priority', type: 'number', value: r.priority ?? 10 },
    { name: 'strategy', label: 'Strategy', type: 'select', options: ['skill_based', 'round_robin', 'weighted', 'least_busy', 'longest_idle', 'priority', 'direct'], value: r.strategy || 'skill_based', required: true },
    { name: 'is_active', label: 'Active', type: 'checkbox', value: r.is_active ?? true }, { name: 'description', label: 'Description', type: 'textarea', value: r.description },
    { name: 'conditions', label: 'Conditions (JSON array of {field, operator, value})', type: 'json', value: r.conditions || [{ field: 'language', operator: 'equals', value: 'en' }] },
    { name: 'targets', label: 'Targets (JSON array of {target_type, target_id, weight})', type: 'json', value: r.targets || [{ target_type: 'queue', target_id: 1 }] },
    { name: 'fallback_action', label: 'Fallback action (JSON)', type: 'json', value: r.fallback_action || { action_type: 'voicemail' } },
  ];
}

// ---------- voicemail & recordings ----------
const VM_STATUSES = ['new', 'listened', 'in_progress', 'completed', 'archived'];
function voicemail(p) {
  const vm = ccTable('/api/voicemail', [
    { key: 'received_at', label: 'Received', render: (v) => fmt.date(v.received_at) },
    { key: 'from_number', label: 'From' },
    { key: 'duration', label: 'Length', class: 'num', render: (v) => `${fmt.num(v.duration)} s` },
    { key: 'priority', label: 'Priority' },
    { key: 'transcription', label: 'Transcription', render: (v) => (v.transcription ? String(v.transcription).slice(0, 120) : '—') },
    { key: 'status', label: 'Status', render: (v) => badge(v.status) },
  ], {
    caption: 'Voicemail',
    filters: [{ name: 'status', label: 'Status', type: 'select', options: VM_STATUSES }, { name: 'from_number', label: 'From number' }],
    actions: (v) => [
      h('label', { class: 'sr-only', for: `vm-${v.id}` }, `Status of the voicemail from ${v.from_number}`),
      h('select', { id: `vm-${v.id}`, class: 'inline-select', onchange: async (e) => {
        try { await api(M, 'PUT', `/api/voicemail/${v.id}`, { body: { status: e.target.value } }); toast('Voicemail updated.', 'success'); } catch (err) { toastError(err); }
        vm.reload();
      } }, VM_STATUSES.map((x) => h('option', { value: x, selected: x === v.status }, x))),
      actionBtn('Delete', async () => { if (!(await confirmDialog('Delete this voicemail?', { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/voicemail/${v.id}`); vm.reload(); }, 'btn-small btn-danger'),
    ],
    emptyText: 'No voicemail.',
  });
  const rec = ccTable('/api/recordings', [
    { key: 'recorded_at', label: 'Recorded', render: (r) => fmt.date(r.recorded_at || r.created_at) },
    { key: 'call_id', label: 'Call', render: (r) => (r.call_id ? h('code', null, r.call_id) : '—') },
    { key: 'agent_id', label: 'Agent' },
    { key: 'duration', label: 'Length', class: 'num', render: (r) => `${fmt.num(r.duration)} s` },
    { key: 'sentiment_score', label: 'Sentiment', class: 'num', render: (r) => fmt.num(r.sentiment_score, 2) },
    { key: 'has_transcription', label: 'Transcript', render: (r) => badge(r.has_transcription ? 'yes' : 'no', r.has_transcription ? 'active' : 'inactive') },
  ], {
    caption: 'Recordings',
    filters: [{ name: 'has_transcription', label: 'Transcript', type: 'select', options: [['true', 'with transcript'], ['false', 'without']] }, agentField({ name: 'agent_id', label: 'Agent' })],
    onRow: (r) => recording(r),
    emptyText: 'No recordings.',
  });
  p.append(h('h2', null, 'Voicemail'), vm.el, h('h2', null, 'Call recordings'), rec.el);
}
function recording(r) {
  const box = h('div');
  dialog(`Recording ${r.id}`, box, { wide: true });
  load(box, async () => {
    const t = r.has_transcription ? await api(M, 'GET', `/api/recordings/${r.id}/transcription`).then((x) => x.data).catch(() => null) : null;
    const out = h('div');
    return h('div', null,
      kv([['Call', r.call_id], ['Agent', r.agent_id], ['Length', `${fmt.num(r.duration)} s`], ['Recorded', fmt.date(r.recorded_at)], ['Audio', r.file_url ? h('a', { href: r.file_url, target: '_blank', rel: 'noopener' }, 'open') : '—']]),
      h('h3', { style: 'margin-top:1rem' }, 'Transcript'),
      t ? (t.segments?.length ? h('div', { class: 'chat' }, t.segments.map((sg) => h('div', { class: `bubble ${/agent/i.test(sg.speaker || '') ? '' : 'inbound'}` }, sg.text, h('span', { class: 'meta' }, `${sg.speaker || ''} ${sg.start !== undefined ? `· ${fmt.num(sg.start, 1)} s` : ''}`)))) : h('p', null, t.text))
        : empty('No transcript for this recording.'),
      t ? h('div', { class: 'actions' }, actionBtn('Analyze', async () => {
        const a = (await api(M, 'POST', `/api/recordings/${r.id}/analyze`, { body: { analysis_types: ['sentiment', 'keywords', 'compliance', 'summary'] } })).data;
        clear(out,
          a.sentiment ? h('div', { class: 'stats' }, stat('Overall sentiment', fmt.num(a.sentiment.overall, 2)), stat('Positive', fmt.pct(a.sentiment.positive)), stat('Neutral', fmt.pct(a.sentiment.neutral)), stat('Negative', fmt.pct(a.sentiment.negative))) : null,
          a.summary ? h('p', null, h('strong', null, 'Summary: '), a.summary) : null,
          a.keywords?.length ? h('p', null, h('strong', null, 'Keywords: '), a.keywords.map((k) => `${k.word} (${k.count})`).join(', ')) : null,
          a.compliance ? h('p', null, h('strong', null, 'Compliance: '), badge(a.compliance.passed ? 'passed' : 'failed', a.compliance.passed ? 'active' : 'failed'),
            a.compliance.issues?.length ? h('ul', null, a.compliance.issues.map((i) => h('li', null, typeof i === 'string' ? i : i.message || JSON.stringify(i)))) : null) : null);
      }, 'btn-primary')) : null, out);
  });
}

// ---------- dashboard ----------
function dashboard(p) {
  const box = h('div');
  const hours = h('select', { id: 'dash-hours', onchange: () => run() }, [1, 24, 168, 720].map((x) => h('option', { value: x, selected: x === 24 }, x === 1 ? 'last hour' : x === 24 ? 'last 24 hours' : x === 168 ? 'last 7 days' : 'last 30 days')));
  const metric = h('input', { id: 'dash-metric', value: 'call_duration', list: 'dash-metrics' });
  p.append(h('div', { class: 'toolbar' }, h('label', { for: 'dash-hours' }, 'Period'), hours, h('label', { for: 'dash-metric' }, 'Metric'), metric,
    h('datalist', { id: 'dash-metrics' }, ['call_duration', 'wait_time', 'failure_rate', 'success_rate', 'calls_handled'].map((m) => h('option', { value: m }))),
    btn('Refresh', () => run())), box);
  const run = () => load(box, async () => {
    const ph = Number(hours.value);
    const start = new Date(Date.now() - ph * 3600e3).toISOString();
    const [o, alerts, agg] = await Promise.all([
      api(M, 'GET', '/api/analytics/dashboard/overview', { query: { period_hours: ph } }).then((r) => r.data),
      api(M, 'GET', '/api/analytics/alerts', { query: { status: 'active' } }).then((r) => r.data).catch(() => []),
      api(M, 'GET', '/api/analytics/aggregations', { query: { metric_name: metric.value, granularity: ph <= 24 ? 'hour' : 'day', start_date: start, limit: 200, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone } }).then((r) => r.data).catch(() => []),
    ]);
    const series = Array.isArray(agg) ? agg : agg.items || agg.aggregations || [];
    const c = o.call_metrics || {}; const q = o.queue_metrics || {}; const a = o.alerts || {};
    return h('div', null,
      h('div', { class: 'stats' }, stat('Calls', fmt.num(c.total_calls)), stat('Avg duration', `${fmt.num(c.avg_duration, 1)} s`), stat('Max duration', `${fmt.num(c.max_duration)} s`),
        stat('Avg wait', `${fmt.num(q.avg_wait_time, 1)} s`), stat('Max wait', `${fmt.num(q.max_wait_time)} s`), stat('Waiting now', fmt.num(q.calls_waiting)),
        stat('Active alerts', fmt.num(a.active_count), `${fmt.num(a.critical_count)} critical`), stat('New voicemails', fmt.num(o.new_voicemails))),
      h('div', { class: 'two' },
        card(null, series.length ? chart({ type: 'line', title: `${metric.value}: average per ${ph <= 24 ? 'hour' : 'day'}`, labels: series.map((x) => new Date(x.window_start).toLocaleString(undefined, ph <= 24 ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' })), series: [{ name: 'average', values: series.map((x) => x.value ?? (x.count ? x.sum / x.count : null)) }, { name: 'max', values: series.map((x) => x.max) }] }) : empty(`No ${metric.value} recorded in this period.`)),
        card(null, series.length ? chart({ type: 'bar', title: `${metric.value}: samples`, labels: series.map((x) => new Date(x.window_start).toLocaleString(undefined, ph <= 24 ? { hour: '2-digit' } : { month: 'short', day: 'numeric' })), series: [{ name: 'count', values: series.map((x) => x.count) }] }) : empty('No samples.'))),
      h('h2', null, 'Active alerts'),
      alerts.length ? h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Severity', 'Alert', 'Message', 'Value', 'Threshold', 'Triggered', ''].map((x) => h('th', null, x)))),
        h('tbody', null, alerts.map((al) => h('tr', null, h('td', null, badge(al.severity)), h('td', null, al.alert_name), h('td', null, al.message), h('td', { class: 'num' }, fmt.num(al.actual_value, 2)), h('td', { class: 'num' }, fmt.num(al.threshold_value, 2)),
          h('td', null, fmt.date(al.triggered_at)), h('td', { class: 'row-actions' }, actionBtn('Acknowledge', async () => { await api(M, 'PUT', `/api/analytics/alerts/${al.id}/acknowledge`, { body: { notes: 'Acknowledged in the admin UI' } }); toast('Acknowledged.', 'success'); run(); }, 'btn-small'))))))
        : empty('No active alerts.'),
      h('div', { class: 'two' }, card('Alert thresholds', thresholds(run)), card('Record a metric', recordMetric(run))));
  });
  run();
}
function thresholds(refresh) {
  const t = ccTable('/api/analytics/thresholds', [
    { key: 'name', label: 'Threshold', render: (x) => x.name || x.metric_name },
    { key: 'rule', label: 'Rule', render: (x) => `${x.metric_type}/${x.metric_name} ${x.comparison_operator} ${x.threshold_value} (mean over ${x.window_minutes} min)` },
    { key: 'severity', label: 'Severity', render: (x) => badge(x.severity) },
    { key: 'is_active', label: 'Active', render: (x) => badge(x.is_active ? 'active' : 'inactive') },
  ], {
    caption: 'Alert thresholds', limit: 10,
    actions: (x) => [actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete threshold ${x.name || x.metric_name}?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/analytics/thresholds/${x.id}`); t.reload(); }, 'btn-small btn-danger')],
    emptyText: 'No thresholds: alerts fire when a metric crosses one.',
  });
  return h('div', null, h('div', { class: 'toolbar' }, btn('New threshold', () => createDialog('New alert threshold', [
    { name: 'name', label: 'Name', value: 'Long calls' }, { name: 'metric_type', label: 'Metric type', required: true, value: 'call' },
    { name: 'metric_name', label: 'Metric name', required: true, value: 'call_duration' },
    { name: 'comparison_operator', label: 'Operator', type: 'select', required: true, value: 'greater_than', options: ['greater_than', 'less_than', 'equals', 'not_equals', 'greater_or_equal', 'less_or_equal'] },
    { name: 'threshold_value', label: 'Threshold value', type: 'number', required: true, value: 300 },
    { name: 'window_minutes', label: 'Window (minutes)', type: 'number', value: 60, min: 1, max: 10080 },
    { name: 'severity', label: 'Severity', type: 'select', options: ['info', 'warning', 'critical'], value: 'warning', required: true },
    { name: 'alert_message', label: 'Alert message', wide: true },
  ], '/api/analytics/thresholds', () => { t.reload(); refresh(); }), 'btn-small')), t.el);
}
function recordMetric(refresh) {
  return form({
    fields: [
      { name: 'metric_type', label: 'Metric type', required: true, value: 'call' },
      { name: 'metric_name', label: 'Metric name', required: true, value: 'call_duration' },
      { name: 'value', label: 'Value', type: 'number', required: true, step: 'any' },
      teamField({ name: 'team_id', label: 'Team' }),
      agentField({ name: 'agent_id', label: 'Agent' }),
    ],
    submitLabel: 'Record',
    onSubmit: (body) => api(M, 'POST', '/api/analytics/metrics', { body }),
    onDone: () => { toast('Metric recorded.', 'success'); refresh(); },
  });
}

// ---------- reports ----------
function reports(p, section) {
  const parts = [['generate', 'Generate & download'], ['templates', 'Templates'], ['schedules', 'Schedules'], ['outbox', 'E-mails']];
  const cur = parts.some(([k]) => k === section) ? section : 'generate';
  p.append(h('nav', { class: 'subnav', 'aria-label': 'Reports sections' }, parts.map(([k, label]) =>
    h('a', { href: `#/contact-center/reports/${k}`, class: 'btn btn-small', 'aria-current': k === cur ? 'page' : null }, label))));
  const box = h('div');
  p.append(box);
  const run = { generate: generateReports, templates: reportTemplates, schedules: reportSchedules, outbox: reportOutbox }[cur];
  Promise.resolve(run(box)).catch((err) => clear(box, errorState(err)));
}
async function generateReports(p) {
  const out = h('div');
  const templates = await api(M, 'GET', '/api/reports/templates').then((r) => (Array.isArray(r.data) ? r.data : [])).catch(() => []);
  const t = ccTable('/api/reports', [
    { key: 'name', label: 'Report' }, { key: 'report_type', label: 'Type' }, { key: 'format', label: 'Format' }, { key: 'status', label: 'Status', render: (r) => badge(r.status) },
    { key: 'requested_at', label: 'Requested', render: (r) => fmt.date(r.requested_at) },
    { key: 'file_url', label: 'File', render: (r) => (r.status === 'completed' && r.file_url ? downloadLink(r.file_url, `Download (${fmt.num((r.file_size_bytes || 0) / 1024, 1)} KB)`, 'btn btn-small') : r.status === 'failed' ? h('span', { class: 'muted' }, r.error || 'failed') : '—') },
  ], { caption: 'Reports', emptyText: 'No reports generated yet.' });
  const gen = form({
    fields: [
      { name: 'name', label: 'Report name', required: true, value: `Performance report ${new Date().toISOString().slice(0, 10)}` },
      { name: 'template_id', label: 'Template', type: 'select', placeholder: 'No template: choose a type', options: templates.map((t) => [t.id, `${t.name} (${t.report_type})`]) },
      { name: 'report_type', label: 'Type (without a template)', type: 'select', options: ['agent_performance', 'team_performance', 'queue_performance', 'campaign_performance', 'call_summary', 'metric_summary'], value: 'agent_performance' },
      { name: 'format', label: 'Format', type: 'select', options: ['pdf', 'xlsx', 'csv'], value: 'pdf', required: true },
      { name: 'filters.start_date', label: 'From', type: 'date' }, { name: 'filters.end_date', label: 'To', type: 'date' },
    ],
    submitLabel: 'Generate',
    onSubmit: async (body) => {
      if (body.template_id) { body.template_id = Number(body.template_id); delete body.report_type; }
      const pr = progress('Generating report…');
      clear(out, pr.el);
      const r = (await api(M, 'POST', '/api/reports/generate', { body })).data;
      const done = await poll(() => api(M, 'GET', `/api/reports/${r.id}`).then((x) => x.data), (x) => ['completed', 'failed'].includes(x.status),
        { ms: 1000, tries: 120, onTick: (x, i) => pr.set(Math.min(95, (i + 1) * 10), 100, `Generating report… (${x.status})`) });
      if (done.status === 'failed') throw new Error(done.error || done.error_message || 'Report generation failed');
      pr.done('Report ready.');
      out.append(downloadLink(done.file_url, 'Download report'));
      t.reload();
      return done;
    },
  });
  p.append(card('Generate a report', gen, out), t.el);
}

// ---------- campaign templates ----------
const TEMPLATE_FIELDS = (t = {}) => [
  { name: 'name', label: 'Name', required: true, value: t.name },
  { name: 'campaign_type', label: 'Type', type: 'select', options: ['outbound', 'inbound', 'blended'], value: t.campaign_type || 'outbound', required: true },
  { name: 'provider_type', label: 'Provider', value: t.provider_type || 'openai' },
  { name: 'provider_model', label: 'Model', value: t.provider_model },
  { name: 'is_public', label: 'Public (everyone in the contact center can use it; supervisors and admins)', type: 'checkbox', value: t.is_public },
  { name: 'description', label: 'Description', type: 'textarea', value: t.description, wide: true },
  { name: 'system_prompt', label: 'System prompt', type: 'textarea', value: t.system_prompt, wide: true },
  { name: 'default_config', label: 'Default provider config (JSON object)', type: 'json', value: t.default_config || {}, wide: true },
];
function campaignTemplates(p) {
  const t = ccTable('/api/v1/campaign-templates', [
    { key: 'name', label: 'Template' },
    { key: 'campaign_type', label: 'Type', render: (x) => badge(x.campaign_type, 'role') },
    { key: 'provider_type', label: 'Provider', render: (x) => `${x.provider_type || ''} ${x.provider_model || ''}` },
    { key: 'is_public', label: 'Visibility', render: (x) => (x.is_system ? badge('system', 'published') : x.is_public ? badge('public', 'active') : badge('private', 'draft')) },
    { key: 'updated_at', label: 'Updated', render: (x) => fmt.date(x.updated_at) },
  ], {
    caption: 'Campaign templates',
    filters: [{ name: 'campaign_type', label: 'Type', type: 'select', options: ['outbound', 'inbound', 'blended'] },
      { name: 'is_public', label: 'Visibility', type: 'select', options: [['true', 'Public'], ['false', 'Private']] }],
    emptyText: 'No campaign templates yet.',
    actions: (x) => (x.is_system ? h('span', { class: 'muted' }, 'built in') : [
      btn('Edit', () => createDialog(`Edit template “${x.name}”`, TEMPLATE_FIELDS(x), `/api/v1/campaign-templates/${x.id}`, () => t.reload(), 'PUT'), 'btn-small', `Edit ${x.name}`),
      actionBtn('Delete', async () => {
        if (!(await confirmDialog(`Delete the template “${x.name}”? Campaigns made from it keep their configuration.`, { ok: 'Delete', danger: true }))) return;
        await api(M, 'DELETE', `/api/v1/campaign-templates/${x.id}`); toast('Template deleted.', 'success'); t.reload();
      }, 'btn-small btn-ghost', `Delete ${x.name}`),
    ]),
  });
  p.append(h('div', { class: 'toolbar' }, btn('New template', () => createDialog('New campaign template', TEMPLATE_FIELDS(), '/api/v1/campaign-templates', () => t.reload()), 'btn-primary'),
    h('span', { class: 'muted' }, 'Templates prefill new campaigns (Campaigns → From a template…).')), t.el);
}

// ---------- call lists ----------
const SORTS = ['priority', 'created_at', 'last_name', 'first_name', 'last_called_at', 'call_attempts'];
function callLists(p, id) {
  if (id) return callListDetail(p, id);
  let campaigns = [];
  const t = ccTable('/api/v1/call-lists', [
    { key: 'name', label: 'Call list', render: (l) => h('a', { href: `#/contact-center/calllists/${l.id}` }, l.name) },
    { key: 'campaign_id', label: 'Campaign', render: (l) => (l.campaign_id ? (campaigns.find((c) => c.id === l.campaign_id)?.name || `#${l.campaign_id}`) : 'all contacts') },
    { key: 'filters', label: 'Filter', render: (l) => filterText(l.filters) },
    { key: 'sort_by', label: 'Order', render: (l) => `${l.sort_by} ${l.sort_order}` },
    { key: 'contact_count', label: 'Contacts now', class: 'num' },
    { key: 'created_at', label: 'Created', render: (l) => fmt.date(l.created_at) },
  ], {
    caption: 'Call lists',
    emptyText: 'No call lists yet. A call list is a saved filter over a campaign’s contacts.',
    onRow: (l) => { location.hash = `#/contact-center/calllists/${l.id}`; },
    actions: (l) => actionBtn('Delete', async () => {
      if (!(await confirmDialog(`Delete the call list “${l.name}”? Its contacts stay.`, { ok: 'Delete', danger: true }))) return;
      await api(M, 'DELETE', `/api/v1/call-lists/${l.id}`); toast('Call list deleted.', 'success'); t.reload();
    }, 'btn-small btn-ghost', `Delete ${l.name}`),
  });
  const newList = async () => {
    campaigns = (await api(M, 'GET', '/api/v1/campaigns', { query: { limit: 100 } }).catch(() => ({ data: [] }))).data || [];
    createDialog('New call list', [
      { name: 'name', label: 'Name', required: true },
      { name: 'campaign_id', label: 'Campaign', type: 'select', placeholder: 'All contacts', options: campaigns.map((c) => [c.id, c.name]) },
      { name: 'filters.status', label: 'Contact status', type: 'select', options: ['pending', 'called', 'completed', 'failed'], placeholder: 'any' },
      { name: 'filters.priority_min', label: 'Priority from (1–10)', type: 'number', min: 1, max: 10 },
      { name: 'filters.priority_max', label: 'Priority to (1–10)', type: 'number', min: 1, max: 10 },
      { name: 'filters.max_attempts', label: 'At most this many attempts', type: 'number', min: 0 },
      { name: 'filters.search', label: 'Text in name, e-mail, phone or company' },
      { name: 'sort_by', label: 'Order by', type: 'select', options: SORTS, value: 'priority', required: true },
      { name: 'sort_order', label: 'Direction', type: 'select', options: [['desc', 'descending'], ['asc', 'ascending']], value: 'desc', required: true },
    ], '/api/v1/call-lists', (r) => { location.hash = `#/contact-center/calllists/${r.data.id}`; }, 'POST', numberIds);
  };
  api(M, 'GET', '/api/v1/campaigns', { query: { limit: 100 } }).then((r) => { campaigns = r.data || []; }).catch(() => {});
  p.append(h('div', { class: 'toolbar' }, actionBtn('New call list', newList, 'btn-primary')), t.el);
}
function filterText(f = {}) {
  const parts = [];
  if (f.status) parts.push(`status ${f.status}`);
  if (f.priority_min != null || f.priority_max != null) parts.push(`priority ${f.priority_min ?? 1}–${f.priority_max ?? 10}`);
  if (f.max_attempts != null) parts.push(`≤ ${f.max_attempts} attempts`);
  if (f.search) parts.push(`“${f.search}”`);
  return parts.length ? parts.join(', ') : 'everyone';
}
function callListDetail(p, id) {
  p.append(h('p', null, h('a', { href: '#/contact-center/calllists' }, '← Call lists')));
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const l = (await api(M, 'GET', `/api/v1/call-lists/${id}`)).data;
    const t = table({
      caption: `Contacts of ${l.name}`,
      emptyText: 'No contacts match this list now.',
      columns: [
        { key: 'n', label: '#', class: 'num' },
        { key: 'name', label: 'Name', render: (c) => `${c.first_name} ${c.last_name || ''}` },
        { key: 'phone_number', label: 'Phone' },
        { key: 'company', label: 'Company' },
        { key: 'status', label: 'Status', render: (c) => badge(c.status) },
        { key: 'priority', label: 'Priority', class: 'num' },
        { key: 'call_attempts', label: 'Attempts', class: 'num' },
        { key: 'last_called_at', label: 'Last called', render: (c) => fmt.date(c.last_called_at) },
      ],
      fetch: async (st) => {
        const offset = (st.page - 1) * st.limit;
        const r = await api(M, 'GET', `/api/v1/call-lists/${id}/contacts`, { query: { limit: st.limit, offset } });
        const rows = (Array.isArray(r.data) ? r.data : []).map((c, i) => ({ ...c, n: offset + i + 1 }));
        return { rows, total: isNaN(r.total) ? undefined : r.total };
      },
    });
    return h('div', null,
      h('h2', null, l.name),
      kv([['Campaign', l.campaign_id ? h('a', { href: `#/contact-center/campaigns/${l.campaign_id}` }, `#${l.campaign_id}`) : 'all contacts'], ['Filter', filterText(l.filters)],
        ['Order', `${l.sort_by} ${l.sort_order}`], ['Contacts now', fmt.num(l.contact_count)], ['Created', fmt.date(l.created_at)]]),
      h('h3', null, 'Contacts, in calling order'), t.el);
  });
}

// ---------- report templates, schedules, outbox ----------
const REPORT_TYPES = ['agent_performance', 'team_performance', 'queue_performance', 'campaign_performance', 'call_summary', 'metric_summary'];
const CALL_METRICS = ['total_calls', 'completed_calls', 'successful_calls', 'success_rate', 'abandoned_calls', 'abandon_rate', 'avg_duration', 'total_duration', 'avg_wait_time', 'max_wait_time'];
const SUMMARY_METRICS = ['count', 'avg', 'min', 'max', 'sum'];
const GROUPINGS = ['agent_id', 'team_id', 'queue_id', 'campaign_id', 'metric_name', 'day', 'week', 'month'];
const REPORT_TEMPLATE_FIELDS = (t = {}) => {
  const q = t.query_definition || {};
  return [
    { name: 'name', label: 'Name', required: true, value: t.name },
    { name: 'report_type', label: 'Report type', type: 'select', options: REPORT_TYPES, value: t.report_type || 'agent_performance', required: true },
    { name: 'default_format', label: 'Default format', type: 'select', options: ['pdf', 'xlsx', 'csv'], value: t.default_format || 'pdf', required: true },
    { name: 'is_public', label: 'Public (everyone in the contact center sees it)', type: 'checkbox', value: t.is_public },
    { name: 'description', label: 'Description', type: 'textarea', value: t.description, wide: true },
    { name: 'query_definition.metrics', label: 'Metrics', type: 'multiselect', wide: true, keepEmpty: true,
      options: [...CALL_METRICS.map((m) => [m, m, 'Call reports']), ...SUMMARY_METRICS.map((m) => [m, m, 'Metric summary'])], value: q.metrics || [] },
    { name: 'query_definition.grouping', label: 'Group by', type: 'multiselect', wide: true, keepEmpty: true, options: GROUPINGS, value: q.grouping || [] },
    { name: 'query_definition.filters', label: 'Filters (JSON object: team_id, agent_id, queue_id, campaign_id, team_type, direction, status, outcome, metric_type, metric_name)', type: 'json', value: q.filters || {}, wide: true },
  ];
};
const SCHEDULE_FIELDS = (templates, s) => {
  s = s || {};
  const c = s.schedule_config || {};
  return [
    { name: 'name', label: 'Name', required: true, value: s.name },
    { name: 'template_id', label: 'Report template', type: 'select', required: true, options: templates.map((t) => [t.id, `${t.name} (${t.report_type})`]), value: s.template_id },
    { name: 'schedule_type', label: 'Repeats', type: 'select', required: true, options: [['daily', 'daily (previous day)'], ['weekly', 'weekly (previous week)'], ['monthly', 'monthly (previous month)']], value: s.schedule_type || 'weekly' },
    { name: 'schedule_config.day_of_week', label: 'Day of week (weekly)', type: 'select', options: [[1, 'Monday'], [2, 'Tuesday'], [3, 'Wednesday'], [4, 'Thursday'], [5, 'Friday'], [6, 'Saturday'], [0, 'Sunday']], value: c.day_of_week ?? 1 },
    { name: 'schedule_config.day_of_month', label: 'Day of month (monthly, 1–31)', type: 'number', min: 1, max: 31, value: c.day_of_month },
    { name: 'schedule_config.hour', label: 'Hour (0–23)', type: 'number', min: 0, max: 23, required: true, value: c.hour ?? 8 },
    { name: 'schedule_config.minute', label: 'Minute', type: 'number', min: 0, max: 59, value: c.minute ?? 0 },
    { name: 'schedule_config.timezone', label: 'Time zone (IANA)', value: c.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' },
    { name: 'format', label: 'Format', type: 'select', options: ['pdf', 'xlsx', 'csv'], value: s.format || 'pdf', required: true },
    { name: 'recipients', label: 'Recipients (e-mail addresses, comma separated)', type: 'tags', value: s.recipients, wide: true },
    { name: 'is_active', label: 'Active', type: 'checkbox', value: s.is_active ?? true },
  ];
};
function numberIds(body) {
  for (const k of ['template_id', 'campaign_id', 'schedule_config.day_of_week']) {
    const parts = k.split('.');
    const o = parts.length > 1 ? body[parts[0]] : body;
    const key = parts.at(-1);
    if (o && o[key] !== undefined && o[key] !== '') o[key] = Number(o[key]);
  }
  if (body.schedule_type && body.schedule_config) {
    if (body.schedule_type !== 'weekly') delete body.schedule_config.day_of_week;
    if (body.schedule_type !== 'monthly') delete body.schedule_config.day_of_month;
  }
  return body;
}
function reportTemplates(p) {
  const t = ccTable('/api/reports/templates', [
    { key: 'name', label: 'Template' },
    { key: 'report_type', label: 'Type' },
    { key: 'default_format', label: 'Format' },
    { key: 'query_definition', label: 'Metrics', render: (x) => (x.query_definition?.metrics || []).join(', ') || '—' },
    { key: 'is_public', label: 'Visibility', render: (x) => (x.is_public ? badge('public', 'active') : badge('private', 'draft')) },
    { key: 'version', label: 'Ver.', class: 'num' },
    { key: 'updated_at', label: 'Updated', render: (x) => fmt.date(x.updated_at) },
  ], {
    caption: 'Report templates',
    filters: [{ name: 'report_type', label: 'Type', type: 'select', options: REPORT_TYPES }],
    emptyText: 'No report templates yet.',
    actions: (x) => [
      btn('Edit', () => createDialog(`Edit “${x.name}” (saves version ${x.version + 1})`, REPORT_TEMPLATE_FIELDS(x), `/api/reports/templates/${x.id}`, () => t.reload(), 'PUT'), 'btn-small', `Edit ${x.name}`),
      actionBtn('Delete', async () => {
        if (!(await confirmDialog(`Delete the report template “${x.name}”?`, { ok: 'Delete', danger: true }))) return;
        await api(M, 'DELETE', `/api/reports/templates/${x.id}`); toast('Template deleted.', 'success'); t.reload();
      }, 'btn-small btn-ghost', `Delete ${x.name}`),
    ],
  });
  p.append(h('div', { class: 'toolbar' }, btn('New report template', () => createDialog('New report template', REPORT_TEMPLATE_FIELDS(), '/api/reports/templates', () => t.reload()), 'btn-primary')), t.el);
}
function scheduleDialog(title, templates, s, done) {
  const d = dialog(title, form({
    fields: SCHEDULE_FIELDS(templates, s), submitLabel: 'Save', cancel: () => d.close(),
    onSubmit: (body) => api(M, s ? 'PUT' : 'POST', s ? `/api/reports/schedules/${s.id}` : '/api/reports/schedules', { body: numberIds(body) }),
    onDone: () => { d.close(); toast('Schedule saved.', 'success'); done(); },
  }), { wide: true });
}
function when(s) {
  const c = s.schedule_config || {};
  const at = `${String(c.hour ?? 0).padStart(2, '0')}:${String(c.minute ?? 0).padStart(2, '0')} ${c.timezone || 'UTC'}`;
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  if (s.schedule_type === 'weekly') return `every ${days[(c.day_of_week ?? 1) % 7]} at ${at}`;
  if (s.schedule_type === 'monthly') return `monthly on day ${c.day_of_month ?? 1} at ${at}`;
  return `daily at ${at}`;
}
async function reportSchedules(p) {
  const templates = await api(M, 'GET', '/api/reports/templates', { query: { limit: 100 } }).then((r) => (Array.isArray(r.data) ? r.data : [])).catch(() => []);
  const t = ccTable('/api/reports/schedules', [
    { key: 'name', label: 'Schedule' },
    { key: 'template_id', label: 'Template', render: (s) => templates.find((x) => x.id === s.template_id)?.name || `#${s.template_id}` },
    { key: 'schedule_type', label: 'When', render: when },
    { key: 'format', label: 'Format' },
    { key: 'recipients', label: 'Recipients', render: (s) => (s.recipients || []).join(', ') || '—' },
    { key: 'is_active', label: 'Active', render: (s) => (s.is_active ? badge('active') : badge('paused')) },
    { key: 'next_run_at', label: 'Next run', render: (s) => (s.is_active ? fmt.date(s.next_run_at) : '—') },
    { key: 'last_run_at', label: 'Last run', render: (s) => fmt.date(s.last_run_at) },
  ], {
    caption: 'Report schedules',
    filters: [{ name: 'is_active', label: 'Active', type: 'select', options: [['true', 'Active'], ['false', 'Paused']] }],
    emptyText: 'No schedules yet. A schedule generates a template’s report every day, week or month and e-mails it.',
    actions: (s) => [
      actionBtn(s.is_active ? 'Pause' : 'Resume', async () => { await api(M, 'PUT', `/api/reports/schedules/${s.id}`, { body: { is_active: !s.is_active } }); toast(s.is_active ? 'Schedule paused.' : 'Schedule resumed.', 'success'); t.reload(); }, 'btn-small', `${s.is_active ? 'Pause' : 'Resume'} ${s.name}`),
      btn('Edit', () => scheduleDialog(`Edit schedule “${s.name}”`, templates, s, () => t.reload()), 'btn-small', `Edit ${s.name}`),
      actionBtn('Delete', async () => {
        if (!(await confirmDialog(`Delete the schedule “${s.name}”? Its past reports are kept.`, { ok: 'Delete', danger: true }))) return;
        await api(M, 'DELETE', `/api/reports/schedules/${s.id}`); toast('Schedule deleted.', 'success'); t.reload();
      }, 'btn-small btn-ghost', `Delete ${s.name}`),
    ],
  });
  p.append(h('div', { class: 'toolbar' },
    templates.length ? btn('New schedule', () => scheduleDialog('New report schedule', templates, null, () => t.reload()), 'btn-primary')
      : h('span', { class: 'muted' }, 'Create a report template first; schedules run templates.')), t.el);
}
function reportOutbox(p) {
  const t = ccTable('/api/reports/outbox', [
    { key: 'created_at', label: 'Queued', render: (m) => fmt.date(m.created_at) },
    { key: 'subject', label: 'Subject' },
    { key: 'recipients', label: 'To', render: (m) => (m.recipients || []).join(', ') },
    { key: 'status', label: 'Status', render: (m) => badge(m.status) },
    { key: 'sent_at', label: 'Sent', render: (m) => fmt.date(m.sent_at) },
    { key: 'error', label: 'Error', render: (m) => m.error || '—' },
  ], {
    caption: 'Report e-mails',
    emptyText: 'No report e-mails yet. Scheduled runs put their e-mails here (sent over SMTP when the server has FRONTLINE_SMTP_URL).',
    onRow: (m) => dialog(m.subject, [kv([['To', (m.recipients || []).join(', ')], ['Status', m.status], ['Queued', fmt.date(m.created_at)], ['Sent', fmt.date(m.sent_at)]]), h('pre', null, m.body)], { wide: true }),
  });
  p.append(t.el);
}
