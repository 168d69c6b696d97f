// Training: scenarios (browse, search, create/edit, publish/archive/restore,
// versions + diff, templates, import/export, analytics).
import { api, hasRole, isAdmin, session, ApiError } from '../lib/api.js';

// The document's permissions, as the server grants them to training roles
// (modules/training/src/service.rs `permissions`): buttons a role cannot use are not shown.
function can(perm) {
  if (hasRole(M, 'admin')) return true;
  const viewer = hasRole(M, 'viewer') || hasRole(M, 'editor') || hasRole(M, 'publisher');
  const editor = hasRole(M, 'editor') || hasRole(M, 'publisher');
  const publisher = hasRole(M, 'publisher');
  return { read: viewer, create: editor, update: editor, publish: publisher, delete: publisher }[perm] || false;
}
import {
  h, clear, table, form, dialog, toast, toastError, confirmDialog, badge, fmt, tabs, card, kv, stat, load,
  actionBtn, btn, highlighted, promptDialog, downloadLink, empty, progress, field, readFields, errorState, matchLocal,
} from '../lib/ui.js';
import { chart } from '../lib/chart.js';

const M = 'training';
const CATEGORIES = ['BILLING_PAYMENTS', 'TECHNICAL_SUPPORT', 'CUSTOMER_SERVICE', 'SALES', 'COMPLAINTS', 'ACCOUNT_MANAGEMENT', 'RETENTION', 'ONBOARDING'];
const DIFFICULTIES = ['BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT'];
const STATUSES = ['DRAFT', 'PENDING_REVIEW', 'APPROVED', 'PUBLISHED', 'ARCHIVED'];
let available = null; // availableFilters from the server, when it sends them

export async function render(main, route) {
  const [sub, id, extra] = route.rest;
  if (sub === 's' && id) return scenarioPage(main, id, extra || 'overview');
  if (sub === 'new') return editPage(main, null);
  const tab = sub || 'scenarios';
  main.append(
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Training scenarios'), h('p', null, 'Role-play scenarios for agent training: author, version, publish and measure.')),
      h('div', { class: 'links' },
        hasRole(M, 'editor') || hasRole(M, 'admin') ? h('a', { class: 'btn btn-primary', href: '#/training/new' }, 'New scenario') : null,
        h('a', { href: '/training/api/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))),
    tabs([
      { id: 'scenarios', label: 'Scenarios', render: listTab },
      { id: 'search', label: 'Search', render: searchTab },
      { id: 'templates', label: 'Templates', render: templatesTab },
      { id: 'import', label: 'Import / export', render: importTab },
      { id: 'dashboard', label: 'Dashboard', render: dashboardTab },
      { id: 'ab', label: 'A/B tests', render: (p) => abTab(p, id) },
    ], tab, (t) => { location.hash = `#/training/${t}`; }));
}

const selected = new Set();

function listTab(panel) {
  const cats = available?.categories || CATEGORIES;
  let pageRows = [];
  const t = table({
    caption: 'Scenarios',
    columns: [
      { key: 'pick', label: 'Select', render: (r) => h('input', { type: 'checkbox', 'aria-label': `Select ${r.name}`, checked: selected.has(r.id), onchange: (e) => { e.target.checked ? selected.add(r.id) : selected.delete(r.id); count.textContent = `${selected.size} selected`; } }) },
      { key: 'name', label: 'Name', sortable: true, render: (r) => h('a', { href: `#/training/s/${r.id}` }, r.name) },
      { key: 'category', label: 'Category' },
      { key: 'difficulty', label: 'Difficulty' },
      { key: 'status', label: 'Status', render: (r) => badge(r.status) },
      { key: 'versionNumber', label: 'Ver.', class: 'num' },
      { key: 'usageCount', label: 'Usage', sortable: true, class: 'num', defaultOrder: 'desc' },
      { key: 'rating', label: 'Rating', sortable: true, class: 'num', render: (r) => fmt.num(r.analytics?.averageRating, 1), defaultOrder: 'desc' },
      { key: 'updatedAt', label: 'Updated', sortable: true, render: (r) => fmt.date(r.updatedAt), defaultOrder: 'desc' },
    ],
    filters: [
      { name: 'search', label: 'Search', placeholder: 'name, description…' },
      { name: 'status', label: 'Status', type: 'select', options: available?.statuses || STATUSES },
      { name: 'category', label: 'Category', type: 'select', options: cats },
      { name: 'difficulty', label: 'Difficulty', type: 'select', options: available?.difficulties || DIFFICULTIES },
    ],
    sort: 'updatedAt',
    fetch: async (st) => {
      const r = await api(M, 'GET', '/admin/scenarios', { query: { ...st.filters, page: st.page, limit: st.limit, sortBy: st.sort, sortOrder: st.order } });
      if (r.data.filters?.availableFilters) available = r.data.filters.availableFilters;
      pageRows = r.data.data || [];
      return { rows: pageRows, total: r.data.pagination?.total };
    },
    onRow: (r) => { location.hash = `#/training/s/${r.id}`; },
    emptyText: 'No scenarios match. Create one or start from a template.',
  });
  const count = h('span', { class: 'muted', 'data-testid': 'selected-count' }, `${selected.size} selected`);
  // after a bulk action: keep only the failures selected, refresh the table
  const done = (failedIds) => { selected.clear(); failedIds.forEach((i) => selected.add(i)); count.textContent = `${selected.size} selected`; t.reload(); };
  panel.append(h('div', { class: 'toolbar' }, count, h('span', { class: 'grow' }),
    btn('Select this page', () => { pageRows.forEach((r) => selected.add(r.id)); count.textContent = `${selected.size} selected`; t.reload(); }, 'btn-small btn-ghost'),
    btn('Export selected', () => exportDialog([...selected]), 'btn-small'),
    hasRole(M, 'editor') || hasRole(M, 'admin') ? btn('Update selected…', () => bulkUpdateDialog([...selected], done), 'btn-small') : null,
    can('delete') ? btn('Archive / delete selected…', () => bulkDeleteDialog([...selected], done), 'btn-small') : null,
    btn('Clear selection', () => { selected.clear(); count.textContent = '0 selected'; t.reload(); }, 'btn-small btn-ghost')), t.el);
}

// ---------- bulk update / delete ----------
function needSelection(ids) {
  if (ids.length) return false;
  toast('Select scenarios in the table first (the checkboxes, or “Select this page”).', 'error');
  return true;
}
function bulkResult(d, verb, r) {
  const ok = r.data[verb] ?? 0;
  const errs = r.data.errors || [];
  clear(d.querySelector('.dialog-body'),
    h('p', { role: 'status', 'data-testid': 'bulk-summary' }, `${ok} scenario${ok === 1 ? '' : 's'} ${verb}, ${errs.length} failed.`),
    errs.length ? h('ul', { class: 'bulk-result' }, errs.map((e) => h('li', null, h('code', null, e.scenarioId), ' — ', e.error?.message || String(e.error)))) : null,
    h('div', { class: 'actions' }, btn('Done', () => d.close(), 'btn-primary')));
  return errs.map((e) => e.scenarioId);
}
function bulkUpdateDialog(ids, done) {
  if (needSelection(ids)) return;
  let d;
  const f = form({
    fields: [
      { name: 'category', label: 'Category', suggest: available?.categories || CATEGORIES, help: 'Leave empty to keep each scenario’s own.' },
      { name: 'difficulty', label: 'Difficulty', type: 'select', options: DIFFICULTIES, placeholder: 'keep' },
      { name: 'status', label: 'Status', type: 'select', options: STATUSES.filter((x) => x !== 'PUBLISHED' && x !== 'ARCHIVED'), placeholder: 'keep', help: 'Publishing and archiving have their own actions.' },
      { name: 'estimatedDuration', label: 'Estimated duration (min)', type: 'number', min: 1 },
      { name: 'tags', label: 'Replace tags with', type: 'tags', help: 'Comma separated; empty keeps the tags.' },
      { name: 'isPrivate', label: 'Visibility', type: 'select', options: [['true', 'Private'], ['false', 'Shared']], placeholder: 'keep' },
    ],
    submitLabel: `Update ${ids.length} scenario${ids.length === 1 ? '' : 's'}`,
    cancel: () => d.close(),
    onSubmit: async (v) => {
      const updates = { ...v };
      if (updates.tags && !updates.tags.length) delete updates.tags;
      if (updates.isPrivate !== undefined) updates.isPrivate = updates.isPrivate === 'true';
      if (!Object.keys(updates).length) throw new ApiError({ status: 0, message: 'Choose at least one field to change.' });
      return api(M, 'PATCH', '/admin/scenarios/bulk/update', { body: { scenarioIds: ids, updates } });
    },
    onDone: (r) => { done(bulkResult(d, 'updated', r)); },
  });
  d = dialog(`Update ${ids.length} selected scenario${ids.length === 1 ? '' : 's'}`, [h('p', { class: 'muted' }, 'Only the fields you fill in change; each scenario is updated whole or not at all.'), f]);
}
function bulkDeleteDialog(ids, done) {
  if (needSelection(ids)) return;
  let d;
  const f = form({
    fields: [
      { name: 'permanent', label: 'Delete permanently instead of archiving (administrators only; cannot be undone)', type: 'checkbox', disabled: !isAdmin() },
    ],
    submitLabel: `Archive ${ids.length} scenario${ids.length === 1 ? '' : 's'}`,
    cancel: () => d.close(),
    onSubmit: (v) => api(M, 'DELETE', '/admin/scenarios/bulk/delete', { body: { scenarioIds: ids, permanent: !!v.permanent } }),
    onDone: (r) => { done(bulkResult(d, 'deleted', r)); },
  });
  const box = f.querySelector('input[type=checkbox]');
  const submit = f.querySelector('button[type=submit]');
  box.addEventListener('change', () => {
    submit.textContent = `${box.checked ? 'Delete' : 'Archive'} ${ids.length} scenario${ids.length === 1 ? '' : 's'}`;
    submit.classList.toggle('btn-danger', box.checked);
  });
  d = dialog(`Archive or delete ${ids.length} scenario${ids.length === 1 ? '' : 's'}`, [h('p', null, 'Archived scenarios leave the catalogue and can be restored later.'), f]);
}

function searchTab(panel) {
  const results = h('div');
  const f = h('form', { class: 'filters', role: 'search' },
    field({ name: 'query', label: 'Search scenarios', placeholder: 'billing dispute angry customer', wide: true }),
    field({ name: 'categories', label: 'Category', type: 'select', options: available?.categories || CATEGORIES }),
    field({ name: 'difficulties', label: 'Difficulty', type: 'select', options: DIFFICULTIES }),
    field({ name: 'status', label: 'Status', type: 'select', options: STATUSES }),
    field({ name: 'minRating', label: 'Min rating', type: 'number', min: 0, max: 5, step: 0.5 }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Search')));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = readFields(f);
    const filters = {};
    ['categories', 'difficulties', 'status'].forEach((k) => { if (v[k]) filters[k] = [v[k]]; });
    if (v.minRating !== undefined) filters.minRating = v.minRating;
    load(results, async () => {
      const r = await api(M, 'POST', '/admin/scenarios/search', { body: { query: v.query || '', filters, sort: { by: 'relevance', order: 'desc' }, page: 1, limit: 20 } });
      const d = r.data;
      if (!d.results?.length) return empty(`No scenarios match “${v.query || ''}”.`);
      return h('div', null,
        h('p', { class: 'muted' }, `${d.searchMeta?.totalResults ?? d.pagination?.total ?? d.results.length} results · ${d.searchMeta?.processingTime ?? '?'} ms`),
        h('ol', { class: 'results', style: 'list-style:none;padding:0' }, d.results.map((x) => h('li', { class: 'card' },
          h('div', { class: 'toolbar' }, h('a', { href: `#/training/s/${x.id}`, style: 'font-weight:600' }, x.highlights?.name ? highlighted(x.highlights.name) : x.name),
            badge(x.category, 'role'), badge(x.difficulty, 'role'), h('span', { class: 'grow' }),
            h('span', { class: 'muted', title: 'Relevance score' }, `relevance ${fmt.num(x.relevanceScore, 2)}`)),
          h('p', { style: 'margin:.25rem 0' }, highlighted(x.highlights?.description || x.description || '')),
          x.highlights?.tags ? h('p', { class: 'muted', style: 'margin:0' }, 'Tags: ', x.highlights.tags.map((t) => [highlighted(t), ' '])) : null,
          x.matchedFields?.length ? h('small', { class: 'muted' }, `Matched: ${x.matchedFields.join(', ')}`) : null))));
    });
  });
  panel.append(f, results);
}

function templatesTab(panel) {
  const box = h('div');
  panel.append(box);
  load(box, async () => {
    const r = await api(M, 'GET', '/admin/templates');
    const list = r.data.templates || [];
    if (!list.length) return empty('No templates on this server.');
    return h('div', { class: 'cards' }, list.map((t) => card(t.name,
      h('p', { class: 'muted' }, t.description),
      h('p', null, badge(t.category, 'role'), ' ', badge(t.difficulty, 'role'), t.isFeatured ? [' ', badge('featured', 'published')] : null),
      h('small', { class: 'muted' }, `${t.industry || ''} · used ${fmt.num(t.usageCount)} times · ${t.variables?.length || 0} variables`),
      h('div', { class: 'actions' }, btn('Use template', () => fromTemplate(t), 'btn-primary btn-small')))));
  });
}

function fromTemplate(t) {
  const d = dialog(`New scenario from “${t.name}”`, form({
    fields: [
      { name: 'name', label: 'Scenario name', required: true, wide: true },
      ...(t.variables || []).map((v) => ({ name: `variables.${v.key}`, label: v.label || v.key, type: v.type === 'number' ? 'number' : 'text', required: v.required })),
    ],
    submitLabel: 'Create scenario',
    cancel: () => d.close(),
    onSubmit: (v) => api(M, 'POST', `/admin/templates/${t.id}/create-scenario`, { body: { name: v.name, variables: v.variables || {} } }),
    onDone: (r) => { d.close(); toast(`Created ${r.data.name}.`, 'success'); location.hash = `#/training/s/${r.data.id}`; },
  }), { wide: true });
}

function importTab(panel) {
  const out = h('div');
  const file = h('input', { type: 'file', id: 'imp-file', accept: '.json,application/json', required: true });
  const f = h('form', { class: 'card' },
    h('h3', null, 'Import scenarios'),
    h('p', { class: 'muted' }, 'A JSON file with an array of scenarios (an export from here imports again), at most 10 MB and 1000 scenarios. Each row is validated; errors are listed by row and field.'),
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'imp-file', class: 'label' }, 'File'), file),
      field({ name: 'validateOnly', label: 'Validate only (dry run)', type: 'checkbox' }),
      field({ name: 'skipErrors', label: 'Skip rows with errors', type: 'checkbox', value: true }),
      field({ name: 'overwriteExisting', label: 'Overwrite existing (same slug)', type: 'checkbox' }),
      field({ name: 'defaultStatus', label: 'Default status', type: 'select', options: ['DRAFT', 'PUBLISHED'], value: 'DRAFT', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Import')), out);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files[0]) { toast('Choose a file first.', 'error'); return; }
    const fd = new FormData();
    fd.append('file', file.files[0]);
    fd.append('options', JSON.stringify(readFields(f)));
    const p = progress(`Importing ${file.files[0].name}…`);
    clear(out, p.el);
    try {
      const r = await api(M, 'POST', '/admin/scenarios/bulk/import', { form: fd });
      const d = r.data;
      p.done(d.validateOnly ? `Checked in ${d.processingTime ?? '?'} s; nothing was written.` : `${d.committed === false ? 'Nothing imported' : 'Done'} in ${d.processingTime ?? '?'} s.`);
      out.append(h('div', { class: 'stats', 'data-testid': 'import-result' }, d.validateOnly ? stat('Valid', d.valid) : stat('Imported', d.imported), stat('Skipped', d.skipped), stat('Failed', d.failed)),
        d.errors?.length ? h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Row', 'Scenario', 'Field', 'Error'].map((x) => h('th', null, x)))),
          h('tbody', null, d.errors.map((x) => h('tr', null, h('td', null, x.row), h('td', null, x.scenarioName), h('td', null, x.field), h('td', null, x.error))))) : null,
        d.downloadErrorReport ? downloadLink(d.downloadErrorReport, 'Download error report', 'btn') : null,
        d.scenarioIds?.length && !d.validateOnly ? h('p', null, `${d.scenarioIds.length} scenario${d.scenarioIds.length === 1 ? '' : 's'} imported: `, d.scenarioIds.slice(0, 10).map((id, i) => [i ? ', ' : '', h('a', { href: `#/training/s/${id}` }, id)])) : null);
    } catch (err) { clear(out, errorState(err)); }
  });
  panel.append(f, card('Export scenarios', h('p', { class: 'muted' }, 'Select scenarios on the Scenarios tab, then “Export selected”, or export every scenario on the current filter:'),
    btn('Export selected', () => exportDialog([...selected]), 'btn-primary')));
}

function exportDialog(ids) {
  if (!ids.length) { toast('Select one or more scenarios on the Scenarios tab first.', 'error'); return; }
  const out = h('div');
  const d = dialog(`Export ${ids.length} scenario(s)`, [form({
    fields: [
      { name: 'format', label: 'Format', type: 'select', options: [['json', 'JSON (imports again)']], value: 'json', required: true },
      { name: 'compression', label: 'Compression', type: 'select', options: ['none', 'zip'], value: 'none', required: true },
      { name: 'includeAnalytics', label: 'Include analytics', type: 'checkbox' },
      { name: 'includeVersions', label: 'Include versions', type: 'checkbox' },
    ],
    submitLabel: 'Export',
    onSubmit: async (v) => {
      const p = progress('Preparing export…');
      clear(out, p.el);
      const r = await api(M, 'POST', '/admin/scenarios/bulk/export', { body: { ...v, scenarioIds: ids } });
      p.done('Export ready');
      return r.data;
    },
    onDone: (x) => out.append(kv([['Scenarios', x.scenarioCount], ['Size', `${fmt.num(x.fileSize)} bytes`], ['Expires', fmt.date(x.expiresAt)]]),
      h('p', null, downloadLink(x.downloadUrl))),
  }), out]);
  return d;
}

async function dashboardTab(panel) {
  const box = h('div');
  panel.append(box);
  load(box, async () => {
    const d = (await api(M, 'GET', '/admin/analytics/dashboard')).data;
    const a = d.attempts || {};
    const sc = d.scenarios || {};
    const daily = d.dailyAttempts || [];
    const minutes = (secs) => (secs === null || secs === undefined ? '—' : `${Math.floor(secs / 60)} min ${Math.round(secs % 60)} s`);
    const byChart = (title, obj) => chart({ type: 'bar', title, labels: Object.keys(obj || {}).map((k) => fmt.label(k)), series: [{ name: 'scenarios', values: Object.values(obj || {}) }] });
    const ranking = (rows, cols) => (rows || []).length
      ? h('table', { class: 'table' }, h('thead', null, h('tr', null, cols.map(([label]) => h('th', { scope: 'col', class: label === 'Scenario' ? null : 'num' }, label)))),
        h('tbody', null, rows.map((r) => h('tr', null, cols.map(([label, f]) => (label === 'Scenario'
          ? h('td', null, h('a', { href: `#/training/s/${r.scenarioId}` }, r.name))
          : h('td', { class: 'num' }, f(r))))))))
      : empty('No attempts in this period yet.');
    const period = d.period ? `${fmt.date(d.period.start).split(',')[0]} – ${fmt.date(d.period.end).split(',')[0]}` : '';
    return h('div', { 'data-testid': 'training-dashboard' },
      h('p', { class: 'muted' }, `Last ${d.period?.days ?? 30} days${period ? ` (${period})` : ''}.`),
      h('div', { class: 'stats' },
        stat('Attempts', fmt.num(a.totalAttempts)), stat('Learners', fmt.num(a.uniqueUsers)),
        stat('Average score', fmt.num(a.averageScore, 1)), stat('Pass rate', fmt.pct(a.passRate)),
        stat('Completion rate', fmt.pct(a.completionRate)), stat('Average rating', a.averageRating === null || a.averageRating === undefined ? '—' : `★ ${fmt.num(a.averageRating, 2)}`),
        stat('Average duration', minutes(a.averageDuration)), stat('Scenarios', fmt.num(sc.total))),
      card(null, chart({ type: 'line', title: 'Attempts per day', labels: daily.map((x) => x.date.slice(5)), series: [{ name: 'attempts', values: daily.map((x) => x.attempts) }] })),
      h('div', { class: 'two' },
        card('Most attempted', ranking(d.topScenarios, [['Scenario'], ['Attempts', (r) => fmt.num(r.attempts)], ['Avg score', (r) => fmt.num(r.averageScore, 1)], ['Rating', (r) => fmt.num(r.averageRating, 2)]])),
        card('Best rated', ranking(d.bestRatedScenarios, [['Scenario'], ['Rating', (r) => fmt.num(r.averageRating, 2)], ['Ratings', (r) => fmt.num(r.ratings)], ['Avg score', (r) => fmt.num(r.averageScore, 1)]]))),
      h('div', { class: 'two' },
        card(null, byChart('Scenarios by category', sc.byCategory)),
        card(null, byChart('Scenarios by status', sc.byStatus))));
  });
}

// ---------- one scenario ----------
async function scenarioPage(main, id, tab) {
  const head = h('div');
  main.append(h('p', null, h('a', { href: '#/training' }, '← All scenarios')), head);
  let s;
  try { s = (await api(M, 'GET', `/admin/scenarios/${id}`)).data; } catch (err) { head.append(errorState(err)); return; }
  if (tab === 'edit') return editPage(main, s, head);
  const actions = h('div', { class: 'toolbar' },
    can('update') ? h('a', { class: 'btn', href: `#/training/s/${id}/edit` }, 'Edit') : null,
    can('publish') && s.status !== 'PUBLISHED' && s.status !== 'ARCHIVED' ? actionBtn('Publish', async () => {
      const notes = await promptDialog(`Publish “${s.name}”`, 'Publication notes (optional)', { ok: 'Publish' });
      if (notes === null) return;
      await api(M, 'POST', `/admin/scenarios/${id}/publish`, { body: { notes, notifyUsers: false } });
      toast('Published.', 'success'); location.reload();
    }, 'btn-primary') : null,
    !can('update') ? null : s.status !== 'ARCHIVED' ? actionBtn('Archive', async () => {
      const reason = await promptDialog(`Archive “${s.name}”`, 'Why archive it?', { ok: 'Archive' });
      if (reason === null) return;
      await api(M, 'POST', `/admin/scenarios/${id}/archive`, { body: { reason } });
      toast('Archived.', 'success'); location.reload();
    }) : actionBtn('Restore', async () => {
      await api(M, 'POST', `/admin/scenarios/${id}/restore`, { body: {} });
      toast('Restored.', 'success'); location.reload();
    }, 'btn-primary'),
    can('create') ? actionBtn('Duplicate', async () => {
      const r = await api(M, 'POST', `/admin/scenarios/${id}/duplicate`, { body: { name: `${s.name} (copy)` } });
      toast('Duplicated.', 'success'); location.hash = `#/training/s/${r.data.id}`;
    }) : null,
    can('delete') ? actionBtn('Delete', async () => {
      if (!(await confirmDialog(`Delete “${s.name}”? It is archived (soft delete).`, { ok: 'Delete', danger: true }))) return;
      await api(M, 'DELETE', `/admin/scenarios/${id}`);
      toast('Deleted.', 'success'); location.hash = '#/training';
    }, 'btn-danger') : null);
  head.append(h('div', { class: 'page-head' },
    h('div', null, h('h1', null, s.name), h('p', null, badge(s.status), ' ', `v${s.versionNumber ?? '?'} · ${s.category || ''} · ${s.difficulty || ''} · `, h('code', null, s.id))), actions));
  main.append(tabs([
    { id: 'overview', label: 'Overview', render: (p) => overview(p, s) },
    { id: 'versions', label: 'Versions', render: (p) => versionsTab(p, s) },
    { id: 'analytics', label: 'Analytics', render: (p) => analyticsTab(p, s) },
    { id: 'comments', label: 'Comments', render: (p) => commentsTab(p, s) },
  ], tab, (t) => { location.hash = `#/training/s/${id}/${t}`; }));
}

function overview(p, s) {
  p.append(h('div', { class: 'two' },
    card('Basics', kv([['Description', s.description], ['Category', s.category], ['Difficulty', s.difficulty], ['Estimated duration', s.estimatedDuration ? `${s.estimatedDuration} min` : null],
      ['Tags', (s.tags || []).join(', ')], ['Private', s.isPrivate], ['Created', fmt.date(s.metadata?.createdAt ?? s.createdAt)], ['Updated', fmt.date(s.metadata?.updatedAt ?? s.updatedAt)], ['Published', fmt.date(s.metadata?.publishedAt ?? s.publishedAt)]])),
    card('Customer profile', kv(Object.entries(s.customerProfile || {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]))),
    card('Context', kv(Object.entries(s.context || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]))),
    card('AI configuration', kv(Object.entries(s.aiConfig || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]))),
    card('Success criteria', kv(Object.entries(s.successCriteria || {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]))),
    card('Evaluation weights', kv(Object.entries(s.evaluationWeights || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v])))));
}

function versionsTab(p, s) {
  const diffBox = h('div');
  const box = h('div');
  p.append(box, diffBox);
  load(box, async () => {
    const r = await api(M, 'GET', `/admin/scenarios/${s.id}/versions`);
    const versions = r.data.versions || [];
    if (!versions.length) return empty('No versions recorded yet.');
    const nums = versions.map((v) => v.versionNumber);
    const fromSel = field({ name: 'from', label: 'From version', type: 'select', options: nums, value: nums[1] ?? nums[0], required: true });
    const toSel = field({ name: 'to', label: 'To version', type: 'select', options: nums, value: nums[0], required: true });
    const cmp = h('form', { class: 'filters' }, fromSel, toSel, h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Compare')));
    cmp.addEventListener('submit', (e) => { e.preventDefault(); const v = readFields(cmp); showDiff(diffBox, s.id, v.from, v.to); });
    return h('div', null, h('h2', null, `Version history (current v${r.data.currentVersion})`), cmp,
      h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Version', 'Changelog', 'By', 'Created', 'Published', ''].map((x) => h('th', null, x)))),
        h('tbody', null, versions.map((v) => h('tr', null,
          h('td', null, `v${v.versionNumber}`, v.isActive ? [' ', badge('current', 'active')] : null),
          h('td', null, v.changelog || '—'), h('td', null, v.creator?.name || v.createdBy), h('td', null, fmt.date(v.createdAt)), h('td', null, fmt.date(v.publishedAt)),
          h('td', { class: 'row-actions' },
            btn('View', async () => {
              try { const x = (await api(M, 'GET', `/admin/scenarios/${s.id}/versions/${v.versionNumber}`)).data; dialog(`Version ${v.versionNumber}`, h('pre', null, fmt.json(x.snapshot)), { wide: true }); } catch (err) { toastError(err); }
            }, 'btn-small'),
            v.isActive ? null : actionBtn('Restore', async () => {
              if (!(await confirmDialog(`Restore version ${v.versionNumber}? A new version is created from it.`, { ok: 'Restore' }))) return;
              const x = await api(M, 'POST', `/admin/scenarios/${s.id}/versions/${v.versionNumber}/restore`, { body: { createNewVersion: true, changelog: `Restored version ${v.versionNumber}` } });
              toast(`Restored as v${x.data.versionNumber}.`, 'success'); location.reload();
            }, 'btn-small')))))));
  });
}

async function showDiff(box, id, from, to) {
  await load(box, async () => {
    const [d, a, b] = await Promise.all([
      api(M, 'GET', `/admin/scenarios/${id}/versions/compare`, { query: { from, to } }).then((r) => r.data),
      api(M, 'GET', `/admin/scenarios/${id}/versions/${from}`).then((r) => r.data).catch(() => null),
      api(M, 'GET', `/admin/scenarios/${id}/versions/${to}`).then((r) => r.data).catch(() => null),
    ]);
    const show = (v) => h('pre', null, v === undefined ? '—' : typeof v === 'string' ? v : fmt.json(v));
    // "nothing" written two ways (null, [], {}, '') is not a change anybody made
    const blank = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(blank));
    const changes = (d.differences || []).filter((x) => !(blank(x.oldValue) && blank(x.newValue)));
    return h('div', null, h('h2', null, `Changes v${from} → v${to} (${changes.length})`),
      changes.length ? h('table', { class: 'diff' },
        h('thead', null, h('tr', null, h('th', null, 'Field'), h('th', null, `v${from}`), h('th', null, `v${to}`))),
        h('tbody', null, changes.map((x) => h('tr', null, h('th', { scope: 'row' }, x.path, ' ', badge(x.changeType, 'role')), h('td', { class: 'old' }, show(x.oldValue)), h('td', { class: 'new' }, show(x.newValue))))))
        : empty('These versions are identical.'),
      a && b ? h('details', null, h('summary', null, 'Full snapshots side by side'), h('div', { class: 'two' }, h('pre', null, fmt.json(a.snapshot)), h('pre', null, fmt.json(b.snapshot)))) : null);
  });
}

function analyticsTab(p, s) {
  const box = h('div');
  const periodSel = h('select', { id: 'an-period', onchange: () => run() }, ['7d', '30d', '90d', '1y'].map((x) => h('option', { value: x, selected: x === '30d' }, x)));
  p.append(h('div', { class: 'toolbar' }, h('label', { for: 'an-period' }, 'Period '), periodSel), box);
  const run = () => load(box, async () => {
    const a = (await api(M, 'GET', `/admin/scenarios/${s.id}/analytics`, { query: { period: periodSel.value } })).data;
    const m = a.metrics || {};
    const trends = a.trends || [];
    return h('div', null,
      h('div', { class: 'stats' }, stat('Attempts', fmt.num(m.totalAttempts)), stat('Unique users', fmt.num(m.uniqueUsers)), stat('Completion', fmt.pct(m.completionRate)),
        stat('Average score', fmt.num(m.averageScore, 1)), stat('Pass rate', fmt.pct(m.passRate)), stat('Avg duration', `${fmt.num(m.averageDuration)} s`),
        stat('Rating', fmt.num(a.userFeedback?.averageRating, 2), `${fmt.num(a.userFeedback?.feedbackCount)} ratings`)),
      h('div', { class: 'two' },
        card(null, trends.length ? chart({ type: 'line', title: 'Attempts per day', labels: trends.map((t) => t.date), series: [{ name: 'attempts', values: trends.map((t) => t.attempts) }] }) : empty('No attempts in this period.')),
        card(null, trends.length ? chart({ type: 'line', title: 'Average score per day', labels: trends.map((t) => t.date), series: [{ name: 'avg score', values: trends.map((t) => t.avgScore) }] }) : empty('No scores in this period.')),
        card(null, chart({ type: 'bar', title: 'Score breakdown', labels: Object.keys(a.scoreBreakdown || {}), series: [{ name: 'attempts', values: Object.values(a.scoreBreakdown || {}) }] })),
        card(null, chart({ type: 'bar', title: 'Score by criterion', labels: Object.keys(a.scoreDistribution || {}), series: [{ name: 'average', values: Object.values(a.scoreDistribution || {}) }] })),
        card(null, chart({ type: 'bar', title: 'Ratings', labels: Object.keys(a.userFeedback?.ratings || {}), series: [{ name: 'ratings', values: Object.values(a.userFeedback?.ratings || {}) }] })),
        card('Model performance', kv(Object.entries(a.performance || {})))));
  });
  run();
}

function commentsTab(p, s) {
  const box = h('div', { class: 'comments' });
  const me = session.user || {};
  const mayEdit = (c) => c.author?.id === me.id || isAdmin() || hasRole(M, 'admin');
  const reload = () => load(box, async () => {
    const r = await api(M, 'GET', `/admin/scenarios/${s.id}/comments`);
    const list = r.data.comments || r.data.data || (Array.isArray(r.data) ? r.data : []);
    if (!list.length) return empty('No comments yet. Start the discussion above.');
    return h('div', null,
      h('p', { class: 'muted' }, `${r.data.total ?? list.length} comment${(r.data.total ?? list.length) === 1 ? '' : 's'} in ${list.length} thread${list.length === 1 ? '' : 's'}`),
      h('ul', { class: 'comment-list', 'aria-label': 'Comments' }, list.map((c) => commentItem(c, true))));
  });
  function commentItem(c, top) {
    const body = h('p', { class: 'comment-text' }, c.content);
    const li = h('li', { class: `comment card${top ? '' : ' comment-reply'}`, 'data-testid': 'comment' },
      h('div', { class: 'comment-head' },
        h('strong', null, c.author?.name || c.author?.email || 'someone'), ' ',
        h('small', { class: 'muted' }, fmt.date(c.createdAt)),
        c.edited ? h('small', { class: 'muted' }, ` · edited ${fmt.date(c.updatedAt)}`) : null),
      body);
    const actions = h('div', { class: 'comment-actions' },
      top ? btn('Reply', () => inline(li, actions, 'Reply', '', (content) => api(M, 'POST', `/admin/scenarios/${s.id}/comments`, { body: { content, parentId: c.id } }), 'Reply added.'), 'btn-small btn-ghost') : null,
      mayEdit(c) ? btn('Edit', () => inline(li, actions, 'Save', c.content, (content) => api(M, 'PATCH', `/admin/scenarios/${s.id}/comments/${c.id}`, { body: { content } }), 'Comment updated.'), 'btn-small btn-ghost') : null,
      mayEdit(c) ? actionBtn('Delete', async () => {
        const n = (c.replies || []).length;
        if (!(await confirmDialog(n ? `Delete this comment and its ${n} repl${n === 1 ? 'y' : 'ies'}?` : 'Delete this comment?', { ok: 'Delete', danger: true }))) return;
        await api(M, 'DELETE', `/admin/scenarios/${s.id}/comments/${c.id}`);
        toast('Comment deleted.', 'success');
        reload();
      }, 'btn-small btn-ghost') : null);
    li.append(actions);
    if (top && c.replies?.length) li.append(h('ul', { class: 'comment-list', 'aria-label': 'Replies' }, c.replies.map((r) => commentItem(r, false))));
    return li;
  }
  // an inline form under the comment (reply or edit); the server's message shows beside the field
  function inline(li, actions, label, value, send, done) {
    li.querySelector(':scope > form')?.remove();
    const f = form({
      fields: [{ name: 'content', label: label === 'Reply' ? 'Your reply' : 'Comment', type: 'textarea', value, required: true }],
      submitLabel: label,
      cancel: () => { f.remove(); actions.hidden = false; },
      onSubmit: (v) => send(v.content ?? ''),
      onDone: () => { toast(done, 'success'); reload(); },
    });
    actions.hidden = true;
    actions.after(f);
    f.querySelector('textarea').focus();
  }
  p.append(form({
    fields: [{ name: 'content', label: 'Add a comment', type: 'textarea', required: true }],
    submitLabel: 'Comment',
    onSubmit: (v) => api(M, 'POST', `/admin/scenarios/${s.id}/comments`, { body: { content: v.content ?? '' } }),
    onDone: () => { toast('Comment added.', 'success'); p.querySelector('textarea').value = ''; reload(); },
  }), box);
  reload();
}

// ---------- create / edit ----------
function editPage(main, s, head) {
  const v = s || {};
  const cp = v.customerProfile || {}; const cx = v.context || {}; const ai = v.aiConfig || {}; const sc = v.successCriteria || {}; const ew = v.evaluationWeights || {};
  const sections = [
    { legend: 'Scenario', fields: [
      { name: 'name', label: 'Name', required: true, value: v.name, help: 'At least 3 characters.' },
      { name: 'category', label: 'Category', required: true, value: v.category, suggest: available?.categories || CATEGORIES },
      { name: 'difficulty', label: 'Difficulty', type: 'select', required: true, options: DIFFICULTIES, value: v.difficulty || 'INTERMEDIATE' },
      { name: 'estimatedDuration', label: 'Estimated duration (min)', type: 'number', min: 1, value: v.estimatedDuration },
      { name: 'tags', label: 'Tags', type: 'tags', value: v.tags, help: 'Comma separated.' },
      { name: 'isPrivate', label: 'Private', type: 'checkbox', value: v.isPrivate },
      { name: 'description', label: 'Description', type: 'textarea', value: v.description },
    ] },
    { legend: 'Customer profile', fields: [
      { name: 'customerProfile.name', label: 'Customer name', value: cp.name },
      { name: 'customerProfile.age', label: 'Age', type: 'number', value: cp.age },
      { name: 'customerProfile.personality', label: 'Personality', type: 'tags', value: cp.personality },
      { name: 'customerProfile.initialMood', label: 'Initial mood (0–100)', type: 'number', min: 0, max: 100, value: cp.initialMood },
      { name: 'customerProfile.speakingStyle', label: 'Speaking style', value: cp.speakingStyle },
      { name: 'customerProfile.voiceProfileId', label: 'Voice profile', value: cp.voiceProfileId },
      { name: 'customerProfile.backgroundStory', label: 'Background story', type: 'textarea', value: cp.backgroundStory },
    ] },
    { legend: 'Context', fields: [
      { name: 'context.companyName', label: 'Company', value: cx.companyName },
      { name: 'context.industry', label: 'Industry', value: cx.industry },
      { name: 'context.productService', label: 'Product / service', value: cx.productService },
      { name: 'context.priorInteractions', label: 'Prior interactions', type: 'number', min: 0, value: cx.priorInteractions },
      { name: 'context.issue', label: 'Issue', type: 'textarea', value: cx.issue },
      { name: 'context.contextDetails', label: 'Context details (JSON object)', type: 'json', value: cx.contextDetails || {} },
    ] },
    { legend: 'AI configuration', fields: [
      { name: 'aiConfig.temperature', label: 'Temperature (0–2)', type: 'number', step: 0.05, min: 0, max: 2, value: ai.temperature },
      { name: 'aiConfig.interruptionRate', label: 'Interruption rate (0–1)', type: 'number', step: 0.05, min: 0, max: 1, value: ai.interruptionRate },
      { name: 'aiConfig.escalationThreshold', label: 'Escalation threshold', type: 'number', value: ai.escalationThreshold },
      { name: 'aiConfig.systemPrompt', label: 'System prompt', type: 'textarea', value: ai.systemPrompt },
      { name: 'aiConfig.emotionalTriggers', label: 'Emotional triggers (JSON array of {trigger, moodChange})', type: 'json', value: ai.emotionalTriggers || [] },
    ] },
    { legend: 'Success criteria', fields: [
      { name: 'successCriteria.targetOutcome', label: 'Target outcome', value: sc.targetOutcome },
      { name: 'successCriteria.timeLimit', label: 'Time limit (s)', type: 'number', value: sc.timeLimit },
      { name: 'successCriteria.acceptableSolutions', label: 'Acceptable solutions', type: 'tags', value: sc.acceptableSolutions },
      { name: 'successCriteria.mustUseKeywords', label: 'Must-use keywords', type: 'tags', value: sc.mustUseKeywords },
      { name: 'successCriteria.avoidKeywords', label: 'Avoid keywords', type: 'tags', value: sc.avoidKeywords },
    ] },
    { legend: 'Evaluation weights', fields: [
      ...['greeting', 'listening', 'solution', 'empathy', 'closing'].map((k) => ({ name: `evaluationWeights.${k}`, label: k[0].toUpperCase() + k.slice(1), type: 'number', min: 0, max: 100, value: ew[k] })),
      { name: 'evaluationWeights.customMetrics', label: 'Custom metrics (JSON array of {name, weight, description})', type: 'json', value: ew.customMetrics || [] },
    ] },
  ];
  if (s) sections[0].fields.push({ name: 'changelog', label: 'Changelog for this version', wide: true, help: 'Saving creates a new version.' });
  const target = head || main;
  if (!head) main.append(h('p', null, h('a', { href: '#/training' }, '← All scenarios')));
  target.append(h('div', { class: 'page-head' }, h('div', null, h('h1', null, s ? `Edit “${s.name}”` : 'New scenario'),
    h('p', null, 'The form follows the scenario document: profile, context, AI configuration, success criteria and weights.'))),
  form({
    sections,
    submitLabel: s ? 'Save new version' : 'Create scenario',
    cancel: () => { location.hash = s ? `#/training/s/${s.id}` : '#/training'; },
    onSubmit: (body) => (s ? api(M, 'PUT', `/admin/scenarios/${s.id}`, { body }) : api(M, 'POST', '/admin/scenarios', { body: { status: 'DRAFT', ...body } })),
    onDone: (r) => { toast(s ? `Saved as v${r.data.versionNumber}.` : 'Scenario created.', 'success'); location.hash = `#/training/s/${r.data.id}`; },
  }));
}

// ---------- A/B tests ----------
const AB_KEY = 'frontline.training.abtests';
const recentTests = () => JSON.parse(localStorage.getItem(AB_KEY) || '[]');
function rememberTest(t) {
  localStorage.setItem(AB_KEY, JSON.stringify([{ id: t.id, name: t.name }, ...recentTests().filter((x) => x.id !== t.id)].slice(0, 20)));
}
const METRICS = [['passRate', 'Pass rate'], ['averageScore', 'Average score'], ['completionRate', 'Completion rate']];
function abTab(panel, id) {
  if (id) return abDetail(panel, id);
  const open = h('form', { class: 'filters', role: 'search', 'aria-label': 'Open an A/B test' },
    field({ name: 'id', label: 'Test id', placeholder: 'abt_…', suggest: recentTests().map((x) => x.id) }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn', type: 'submit' }, 'Open')));
  open.addEventListener('submit', (e) => { e.preventDefault(); const v = readFields(open).id; if (v) location.hash = `#/training/ab/${encodeURIComponent(v.trim())}`; });
  const canRun = hasRole(M, 'publisher') || hasRole(M, 'admin');
  const t = table({
    caption: 'A/B tests',
    columns: [
      { key: 'name', label: 'Test', render: (x) => h('a', { href: `#/training/ab/${x.id}` }, x.name) },
      { key: 'status', label: 'Status', render: (x) => badge(x.status) },
      { key: 'metric', label: 'Metric', render: (x) => METRICS.find(([k]) => k === x.metric)?.[1] || x.metric },
      { key: 'variants', label: 'Variants', render: (x) => (x.variants || []).map((v) => `${v.name} ${v.trafficPercentage}%`).join(' · ') },
      { key: 'confidenceLevel', label: 'Confidence', class: 'num', render: (x) => `${Math.round((x.confidenceLevel || 0) * 100)}%` },
      { key: 'startedAt', label: 'Started', render: (x) => fmt.date(x.startedAt) },
      { key: 'endedAt', label: 'Ended', render: (x) => fmt.date(x.endedAt) },
    ],
    filters: [{ name: 'status', label: 'Status', type: 'select', options: ['RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED'] }],
    fetch: async (st) => {
      const r = await api(M, 'GET', '/admin/scenarios/tests', { query: { ...st.filters, page: st.page, limit: st.limit } });
      return { rows: r.data.data || [], total: r.data.pagination?.total };
    },
    onRow: (x) => { location.hash = `#/training/ab/${x.id}`; },
    emptyText: 'No A/B tests yet. Start one to compare scenario variants on pass rate, score or completion.',
  });
  panel.append(h('div', { class: 'toolbar' }, canRun ? actionBtn('New A/B test', () => newAbTest(), 'btn-primary') : h('span', { class: 'muted' }, 'Publishers start A/B tests.'),
    h('span', { class: 'grow' }), open), t.el);
}
async function newAbTest() {
  const r = await api(M, 'GET', '/admin/scenarios', { query: { limit: 100, sortBy: 'updatedAt', sortOrder: 'desc' } });
  const scenarios = (r.data.data || []).filter((s) => s.status !== 'ARCHIVED').map((s) => [s.id, `${s.name} (${s.status})`]);
  let n = 2;
  const variantFields = (i) => [
    { name: `variants.${i}.name`, label: `Variant ${i + 1} name`, value: i === 0 ? 'Control' : `Variant ${String.fromCharCode(65 + i - 1)}`, required: true },
    { name: `variants.${i}.scenarioId`, label: `Variant ${i + 1} scenario`, type: 'select', options: scenarios, required: true, value: scenarios[i]?.[0] },
    { name: `variants.${i}.trafficPercentage`, label: `Variant ${i + 1} traffic %`, type: 'number', min: 1, max: 100, value: i < 2 ? 50 : 0, required: true },
  ];
  let d;
  const build = () => form({
    sections: [
      { legend: 'Test', fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'metric', label: 'Metric', type: 'select', options: METRICS, value: 'passRate', required: true },
        { name: 'confidenceLevel', label: 'Confidence level', type: 'select', options: [['0.9', '90%'], ['0.95', '95%'], ['0.99', '99%']], value: '0.95', required: true },
        { name: 'minSampleSize', label: 'Minimum attempts per variant', type: 'number', min: 1, value: 30 },
        { name: 'description', label: 'Hypothesis / description', type: 'textarea', wide: true },
      ] },
      { legend: 'Variants (the first is the control; traffic adds up to 100)', fields: Array.from({ length: n }, (_, i) => variantFields(i)).flat() },
    ],
    submitLabel: 'Start test', cancel: () => d.close(),
    onSubmit: (v) => {
      const body = { ...v, confidenceLevel: Number(v.confidenceLevel), variants: Object.values(v.variants || {}) };
      return api(M, 'POST', '/admin/scenarios/tests', { body });
    },
    onDone: (x) => { d.close(); rememberTest(x.data); toast('A/B test started.', 'success'); location.hash = `#/training/ab/${x.data.id}`; },
  });
  const holder = h('div');
  const redraw = () => { clear(holder, build()); };
  const more = h('div', { class: 'toolbar' },
    btn('Add variant', () => { if (n < 5) { n++; redraw(); } else toast('At most 5 variants.', 'error'); }, 'btn-small'),
    btn('Remove last variant', () => { if (n > 2) { n--; redraw(); } }, 'btn-small btn-ghost'));
  redraw();
  d = dialog('New A/B test', [scenarios.length < 2 ? h('p', { class: 'form-alert', role: 'alert' }, 'An A/B test needs at least two scenarios that are not archived.') : null, more, holder], { wide: true });
}
function ci(x, digits = 1, pct = true) {
  if (!x) return '—';
  const f = (v) => (pct ? `${(v * 100).toFixed(digits)}%` : fmt.num(v, digits));
  return `${f(x.lower)} – ${f(x.upper)}`;
}
function abDetail(panel, id) {
  panel.append(h('p', null, h('a', { href: '#/training/ab' }, '← A/B tests')));
  const box = h('div');
  panel.append(box);
  const run = () => load(box, async () => {
    const t = (await api(M, 'GET', `/admin/scenarios/tests/${id}`)).data;
    rememberTest(t);
    const res = t.results || {};
    const isRate = t.metric !== 'averageScore';
    const metricLabel = METRICS.find(([k]) => k === t.metric)?.[1] || t.metric;
    const live = ['RUNNING', 'PAUSED'].includes(t.status);
    const canRun = hasRole(M, 'publisher') || hasRole(M, 'admin');
    const setStatus = (status, msg) => actionBtn(msg, async () => { await api(M, 'PATCH', `/admin/scenarios/tests/${id}`, { body: { status } }); toast(`${msg}: done.`, 'success'); run(); });
    const verdict = res.winner
      ? h('div', { class: 'state state-ok', role: 'status', 'data-testid': 'ab-verdict' }, h('strong', null, `Winner: ${res.winner.name}`), h('p', null, `p = ${res.pValue} < ${res.significanceLevel} (${res.test}), every variant reached ${t.minSampleSize} attempts.`))
      : h('div', { class: 'state', role: 'status', 'data-testid': 'ab-verdict' }, h('strong', null, res.leader ? `Leading: ${res.leader} — not significant yet` : 'No results yet'),
        h('p', null, `p = ${res.pValue ?? '—'} (needs < ${res.significanceLevel}); ${res.sampleSizeReached ? 'sample size reached' : `each variant needs ${t.minSampleSize} attempts`}.`));
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, t.name), h('p', null, badge(t.status), ` ${metricLabel} · confidence ${Math.round(t.confidenceLevel * 100)}% · started ${fmt.date(t.startedAt)}${t.endedAt ? ` · ended ${fmt.date(t.endedAt)}` : ''}`), t.description ? h('p', null, t.description) : null),
        canRun && live ? h('div', { class: 'toolbar' },
          t.status === 'RUNNING' ? setStatus('PAUSED', 'Pause') : setStatus('RUNNING', 'Resume'),
          btn('Traffic split…', () => trafficDialog(t, run)),
          setStatus('COMPLETED', 'Complete'),
          actionBtn('Cancel test', async () => {
            const reason = await promptDialog('Cancel the A/B test', 'Reason (optional)', { ok: 'Cancel test' });
            if (reason === null) return;
            await api(M, 'DELETE', `/admin/scenarios/tests/${id}`, { body: reason ? { reason } : {} });
            toast('Test cancelled.', 'success'); run();
          }, 'btn-danger')) : null),
      verdict,
      h('table', { class: 'table', 'data-testid': 'ab-results' }, h('caption', { class: 'sr-only' }, 'Results per variant'),
        h('thead', null, h('tr', null, ['Variant', 'Scenario', 'Traffic', 'Attempts', 'Pass rate (CI)', 'Completion (CI)', 'Avg score (CI)', 'Lift vs control', 'p vs control'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', null, t.variants.map((v, i) => {
          const r = v.results || {};
          return h('tr', null,
            h('th', { scope: 'row' }, v.name, i === 0 ? h('small', { class: 'muted' }, ' (control)') : null, res.winner?.name === v.name ? [' ', badge('winner', 'published')] : null),
            h('td', null, h('a', { href: `#/training/s/${v.scenarioId}` }, v.scenario?.name || v.scenarioId)),
            h('td', { class: 'num' }, `${v.trafficPercentage}%`),
            h('td', { class: 'num' }, fmt.num(r.attempts)),
            h('td', { class: 'num' }, r.passRate == null ? '—' : `${fmt.pct(r.passRate)} (${ci(r.passRateConfidenceInterval)})`),
            h('td', { class: 'num' }, r.completionRate == null ? '—' : `${fmt.pct(r.completionRate)} (${ci(r.completionRateConfidenceInterval)})`),
            h('td', { class: 'num' }, r.averageScore == null ? '—' : `${fmt.num(r.averageScore, 1)} (${ci(r.averageScoreConfidenceInterval, 1, false)})`),
            h('td', { class: 'num' }, r.liftOverControl == null ? '—' : `${r.liftOverControl >= 0 ? '+' : ''}${(r.liftOverControl * 100).toFixed(1)}%`),
            h('td', { class: 'num' }, r.pValueVsControl == null ? '—' : String(r.pValueVsControl)));
        }))),
      h('div', { class: 'two' },
        card(null, chart({ type: 'bar', title: `${metricLabel} per variant`, labels: t.variants.map((v) => v.name), series: [{ name: metricLabel, values: t.variants.map((v) => (v.results?.metricValue == null ? 0 : (isRate ? v.results.metricValue * 100 : v.results.metricValue))) }] })),
        card('Which variant does a trainee get?', assignForm(t))));
  });
  run();
}
function assignForm(t) {
  const out = h('p', { role: 'status', 'aria-live': 'polite' });
  return h('div', null, form({
    fields: [{ name: 'userId', label: 'Trainee', type: 'picker', required: true, placeholder: 'Type a name or e-mail (or paste a user id)…',
      // platform users (administrators can list them); others paste the id
      search: async (q, signal) => matchLocal((await api('platform', 'GET', '/users', { signal })).data || [], q, ['name', 'email'], 20)
        .map((u) => ({ value: u.id, label: u.name || u.email, detail: u.email })) }],
    submitLabel: 'Assign',
    onSubmit: (v) => api(M, 'POST', `/admin/scenarios/tests/${t.id}/assignments`, { body: v }),
    onDone: (r) => { const x = r.data; clear(out, 'Variant ', h('strong', { 'data-testid': 'ab-assigned' }, x.variant), ` (bucket ${x.bucket} of 100) → `, h('a', { href: `#/training/s/${x.scenarioId}` }, 'its scenario')); },
  }), out, h('small', { class: 'muted' }, 'The same trainee always gets the same variant while the split stays the same.'));
}
function trafficDialog(t, done) {
  const d = dialog('Traffic split', form({
    fields: t.variants.map((v, i) => ({ name: `v.${i}`, label: `${v.name} %`, type: 'number', min: 0, max: 100, value: v.trafficPercentage, required: true })),
    submitLabel: 'Save split', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'PATCH', `/admin/scenarios/tests/${t.id}`, { body: { variants: t.variants.map((v, i) => ({ name: v.name, scenarioId: v.scenarioId, trafficPercentage: body.v?.[i] })) } }),
    onDone: () => { d.close(); toast('Traffic split saved.', 'success'); done(); },
  }));
}
