// Planning: versions, a version's 30-year projection (table + charts),
// compare 2–4 versions, lock, duplicate, reports.
import { api, hasRole } from '../lib/api.js';
import {
  h, clear, table, form, dialog, toast, confirmDialog, badge, fmt, tabs, card, kv, stat, load, actionBtn, btn, empty, progress, downloadLink, toastError,
} from '../lib/ui.js';
import { chart } from '../lib/chart.js';

const M = 'planning';
const canEdit = () => hasRole(M, 'ADMIN') || hasRole(M, 'PLANNER');
// the versions picked for comparison survive reloads within this browser tab
const PICK_KEY = 'frontline.planning.compare';
class PickSet extends Set {
  constructor() { super(JSON.parse(sessionStorage.getItem(PICK_KEY) || '[]')); }
  save() { sessionStorage.setItem(PICK_KEY, JSON.stringify([...this])); return this; }
  add(x) { super.add(x); return this.save?.() ?? this; }
  delete(x) { const r = super.delete(x); this.save(); return r; }
  clear() { super.clear(); this.save(); }
}
const picked = new PickSet();

export async function render(main, route) {
  const [sub, id] = route.rest;
  main.append(h('div', { class: 'page-head' },
    h('div', null, h('h1', null, 'School financial planning'), h('p', null, '30-year projections per version: enrolment, tuition, rent, staff, opex, capex, EBITDA and cash flow.')),
    h('div', { class: 'links' }, h('a', { href: '/planning/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))));
  if (sub === 'v' && id) return versionPage(main, id);
  const R = { versions: versionsTab, compare: compareTab, reports: reportsTab, admin: adminTab };
  const tab = R[sub] ? sub : 'versions';
  main.append(tabs([{ id: 'versions', label: 'Versions' }, { id: 'compare', label: `Compare (${picked.size})` }, { id: 'reports', label: 'Reports' },
    hasRole(M, 'ADMIN') ? { id: 'admin', label: 'Settings & users' } : null].filter(Boolean)
    .map((t) => ({ ...t, render: (p) => R[t.id](p) })), tab, (t) => { location.hash = `#/planning/${t}`; }));
}

function versionsTab(p) {
  const count = h('span', { class: 'muted' }, `${picked.size} picked for comparison`);
  const t = table({
    caption: 'Versions',
    columns: [
      { key: 'pick', label: 'Compare', render: (v) => h('input', { type: 'checkbox', 'aria-label': `Compare ${v.name}`, checked: picked.has(v.id), onchange: (e) => {
        if (e.target.checked && picked.size >= 4) { e.target.checked = false; toast('Compare at most 4 versions.', 'error'); return; }
        e.target.checked ? picked.add(v.id) : picked.delete(v.id);
        count.textContent = `${picked.size} picked for comparison`;
        const tab = document.getElementById('tab-compare');
        if (tab) tab.textContent = `Compare (${picked.size})`;
      } }) },
      { key: 'name', label: 'Name', sortable: true, render: (v) => h('a', { href: `#/planning/v/${v.id}` }, v.name) },
      { key: 'mode', label: 'Mode' },
      { key: 'status', label: 'Status', render: (v) => badge(v.status) },
      { key: 'rentModel', label: 'Rent model' },
      { key: 'npvRent', label: 'NPV rent', class: 'num', render: (v) => fmt.num(v.npvRent) },
      { key: 'avgEBITDAMargin', label: 'Avg EBITDA %', class: 'num', render: (v) => fmt.num(v.avgEBITDAMargin, 1) },
      { key: 'avgRentLoad', label: 'Avg rent load %', class: 'num', render: (v) => fmt.num(v.avgRentLoad, 1) },
      { key: 'updatedAt', label: 'Updated', sortable: true, render: (v) => fmt.date(v.updatedAt) },
    ],
    filters: [
      { name: 'search', label: 'Search' },
      { name: 'status', label: 'Status', type: 'select', options: ['DRAFT', 'READY', 'APPROVED', 'LOCKED'] },
      { name: 'mode', label: 'Mode', type: 'select', options: ['RELOCATION_2028', 'HISTORICAL_BASELINE'] },
    ],
    sort: 'createdAt',
    fetch: async (st) => {
      const r = await api(M, 'GET', '/api/versions', { query: { ...st.filters, page: st.page, limit: st.limit, sortBy: st.sort, sortOrder: st.order } });
      return { rows: r.data.versions || [], total: r.data.pagination?.total };
    },
    onRow: (v) => { location.hash = `#/planning/v/${v.id}`; },
    emptyText: 'No versions yet.',
  });
  p.append(h('div', { class: 'toolbar' }, canEdit() ? btn('New version', () => newVersion(), 'btn-primary') : null, h('span', { class: 'grow' }), count,
    btn('Compare picked', () => { location.hash = '#/planning/compare'; })), t.el);
}

const YEARS = Array.from({ length: 30 }, (_, i) => 2023 + i);
const CURRICULA = ['FR', 'IB'];
const RENT_MODELS = ['FIXED_ESCALATION', 'REVENUE_SHARE', 'PARTNER_MODEL'];
// Each rent model's parameters, as the document names them.
const RENT_PARAMS = {
  FIXED_ESCALATION: [['baseRent', 'Base rent', 5000000], ['escalationRate', 'Escalation rate (0–1)', 0.04], ['frequency', 'Escalate every (years)', 1]],
  REVENUE_SHARE: [['revenueSharePercent', 'Revenue share', 0.2], ['minimumRent', 'Minimum rent', 0]],
  PARTNER_MODEL: [['landSize', 'Land size (m²)', 10000], ['landPricePerSqm', 'Land price per m²', 2000], ['buaSize', 'Built-up area (m²)', 8000], ['constructionCostPerSqm', 'Construction cost per m²', 3000], ['yieldBase', 'Yield (0–1)', 0.08]],
};
const CAPEX_CATEGORIES = ['BUILDING', 'TECHNOLOGY', 'EQUIPMENT', 'FURNITURE', 'MAINTENANCE', 'OTHER'];

/** Rent model, its parameters (only the chosen model's are shown and sent). */
function rentFields(model, params = {}) {
  return [
    { name: 'rentModel', label: 'Rent model', type: 'select', options: RENT_MODELS, value: model, required: true },
    ...Object.entries(RENT_PARAMS).flatMap(([m, list]) => list.map(([k, label, dflt]) => (
      { name: `rp.${m}.${k}`, label, type: 'number', step: 'any', value: m === model ? (params[k] ?? dflt) : dflt, rentModel: m }))),
  ];
}
/** Shows the parameter fields of the selected rent model only. */
function wireRentModel(formEl) {
  const select = formEl.querySelector('[name="rentModel"]');
  const sync = () => formEl.querySelectorAll('.field').forEach((w) => {
    if (w._spec?.rentModel) w.hidden = w._spec.rentModel !== select.value;
  });
  select.addEventListener('change', sync);
  sync();
  return formEl;
}
function rentPlanOf(values, id) {
  const model = values.rentModel;
  return { ...(id ? { id } : {}), rentModel: model, parameters: values.rp?.[model] || {} };
}
const curriculumColumns = [
  { name: 'curriculumType', label: 'Curriculum', readonly: true },
  { name: 'capacity', label: 'Capacity (students)', type: 'number', min: 0 },
  { name: 'tuitionBase', label: 'Tuition base', type: 'number', step: 'any', min: 0 },
  { name: 'cpiFrequency', label: 'CPI every (years)', type: 'number', min: 1 },
];
const enrolmentColumns = [{ name: 'year', label: 'Year', readonly: true, type: 'number' },
  ...CURRICULA.map((c) => ({ name: c, label: `${c} students`, type: 'number', min: 0 }))];
const capexColumns = [
  { name: 'year', label: 'Year', type: 'number', min: 2023, max: 2052 },
  { name: 'category', label: 'Category', options: CAPEX_CATEGORIES },
  { name: 'amount', label: 'Amount', type: 'number', step: 'any', min: 0 },
  { name: 'description', label: 'Description' },
];
const opexColumns = [
  { name: 'subAccountName', label: 'Sub-account' },
  { name: 'isFixed', label: 'Fixed amount?', type: 'checkbox' },
  { name: 'percentOfRevenue', label: '% of revenue', type: 'number', step: 'any', min: 0 },
  { name: 'fixedAmount', label: 'Fixed amount', type: 'number', step: 'any', min: 0 },
];
/** Enrolment rows (one per year, a column per curriculum) from curriculum plans. */
function enrolmentRows(plans) {
  return YEARS.map((year) => ({ year, ...Object.fromEntries(CURRICULA.map((c) => {
    const plan = plans.find((p) => p.curriculumType === c);
    return [c, plan?.studentsProjection?.find((y) => y.year === year)?.students ?? 0];
  })) }));
}
/** Curriculum plans with their enrolment per year, as the document shapes them. */
function plansWithEnrolment(plans, enrolment) {
  return plans.map((p) => ({ ...p, studentsProjection: enrolment.map((r) => ({ year: r.year, students: r[p.curriculumType] ?? 0 })) }));
}
function planSections(plans, capex, opex) {
  return [
    { legend: 'Curriculum plans', fields: [{ name: 'curriculumPlans', label: 'Curricula', type: 'rows', fixedRows: true, columns: curriculumColumns, value: plans }] },
    { legend: 'Enrolment per year', fields: [{ name: 'enrolment', label: 'Students per year and curriculum', type: 'rows', fixedRows: true, columns: enrolmentColumns, value: enrolmentRows(plans) }] },
    { legend: 'Capex', fields: [{ name: 'capexItems', label: 'Capital expenditure items', type: 'rows', columns: capexColumns, value: capex, addLabel: 'Add capex item', newRow: () => ({ year: 2028, category: 'OTHER', amount: 0 }) }] },
    { legend: 'Opex', fields: [{ name: 'opexSubAccounts', label: 'Operating expense sub-accounts', type: 'rows', columns: opexColumns, value: opex, addLabel: 'Add sub-account', newRow: () => ({ isFixed: false, percentOfRevenue: 1 }) }] },
  ];
}

function newVersion() {
  const ramp = (cap, start) => YEARS.map((year) => ({ year, students: year < 2028 ? 0 : Math.min(cap, Math.round(start + (year - 2028) * cap * 0.12)) }));
  const plans = [
    { curriculumType: 'FR', capacity: 400, tuitionBase: 50000, cpiFrequency: 2, studentsProjection: ramp(400, 300) },
    { curriculumType: 'IB', capacity: 200, tuitionBase: 60000, cpiFrequency: 2, studentsProjection: ramp(200, 30) }];
  const d = dialog('New version', wireRentModel(form({
    sections: [
      { legend: 'Version', fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'mode', label: 'Mode', type: 'select', options: ['RELOCATION_2028', 'HISTORICAL_BASELINE'], value: 'RELOCATION_2028', required: true },
        { name: 'description', label: 'Description', type: 'textarea' },
      ] },
      { legend: 'Rent plan', fields: rentFields('FIXED_ESCALATION') },
      { legend: 'Staffing and settings', fields: [
        { name: 'staffing.baseCost', label: 'Staff base cost', type: 'number', value: 8000000 },
        { name: 'staffing.cpiFrequency', label: 'Staff CPI every (years)', type: 'number', value: 2 },
        { name: 'adminSettings.cpiRate', label: 'CPI rate', type: 'number', step: 0.005, value: 0.03 },
        { name: 'adminSettings.discountRate', label: 'Discount rate', type: 'number', step: 0.005, value: 0.08 },
        { name: 'adminSettings.taxRate', label: 'Tax rate', type: 'number', step: 0.01, value: 0.15 },
      ] },
      ...planSections(plans,
        [{ year: 2028, category: 'BUILDING', amount: 10000000, description: 'New campus construction' }],
        [{ subAccountName: 'Marketing', percentOfRevenue: 3, isFixed: false }, { subAccountName: 'Utilities', percentOfRevenue: null, isFixed: true, fixedAmount: 200000 }]),
    ],
    submitLabel: 'Create version', cancel: () => d.close(),
    onSubmit: ({ rentModel, rp, enrolment, curriculumPlans, ...body }) => api(M, 'POST', '/api/versions', { body: {
      ...body, rentPlan: rentPlanOf({ rentModel, rp }), curriculumPlans: plansWithEnrolment(curriculumPlans, enrolment) } }),
    onDone: (r) => { d.close(); toast('Version created.', 'success'); location.hash = `#/planning/v/${r.data.id}`; },
  })), { wide: true });
}

async function versionPage(main, id) {
  main.append(h('p', null, h('a', { href: '#/planning' }, '← Versions')));
  const box = h('div');
  main.append(box);
  load(box, async () => {
    const v = (await api(M, 'GET', `/api/versions/${id}`, { query: { includeCalculations: true } })).data;
    const c = v.calculations || {};
    const years = c.projectionYears || [];
    const locked = v.status === 'LOCKED';
    return h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h2', null, v.name), h('p', null, badge(v.status), ` ${v.mode} · ${v.rentPlan?.rentModel || ''} · by ${v.createdByName || v.createdBy}`, v.basedOnName ? ` · based on ${v.basedOnName}` : '')),
        h('div', { class: 'toolbar' },
          canEdit() && ['DRAFT', 'READY'].includes(v.status) ? btn('Edit', () => editVersion(v)) : null,
          canEdit() ? actionBtn('Duplicate', async () => { const r = await api(M, 'POST', `/api/versions/${id}/duplicate`, { body: { name: `${v.name} (copy)` } }); toast('Duplicated.', 'success'); location.hash = `#/planning/v/${r.data.id}`; }) : null,
          hasRole(M, 'ADMIN') && !locked ? btn('Lock', () => lock(v)) : null,
          btn('Report', () => reportDialog(v)),
          btn('Add to comparison', () => { if (picked.size >= 4 && !picked.has(id)) { toast('Compare at most 4 versions.', 'error'); return; } picked.add(id); toast(`${picked.size} picked for comparison.`); }),
          canEdit() && !locked ? actionBtn('Delete', async () => { if (!(await confirmDialog(`Delete ${v.name}?`, { ok: 'Delete', danger: true }))) return; await api(M, 'DELETE', `/api/versions/${id}`); location.hash = '#/planning'; }, 'btn-danger') : null)),
      locked ? h('p', { class: 'state state-unavailable' }, `Locked${v.lockedAt ? ` on ${fmt.date(v.lockedAt)}` : ''}${v.lockedBy ? ` by ${v.lockedBy}` : ''}${v.lockReason ? `: ${v.lockReason}` : ''}. No further edits.`) : null,
      h('div', { class: 'stats' }, stat('NPV rent', fmt.num(c.npvRent)), stat('NPV cash flow', fmt.num(c.npvCashFlow)), stat('Avg EBITDA margin', `${fmt.num(c.avgEBITDAMargin, 1)}%`),
        stat('Avg rent load', `${fmt.num(c.avgRentLoad, 1)}%`), stat('Break-even year', c.breakevenYear ?? '—')),
      years.length ? [
        h('div', { class: 'two' },
          card(null, chart({ type: 'line', title: 'Revenue, rent and EBITDA', labels: years.map((y) => y.year), series: [{ name: 'revenue', values: years.map((y) => y.revenue) }, { name: 'rent', values: years.map((y) => y.rent) }, { name: 'EBITDA', values: years.map((y) => y.ebitda) }] })),
          card(null, chart({ type: 'bar', title: 'Cash flow', labels: years.map((y) => y.year), series: [{ name: 'cash flow', values: years.map((y) => y.cashFlow) }] })),
          card(null, chart({ type: 'line', title: 'Students', labels: years.map((y) => y.year), series: [{ name: 'FR', values: years.map((y) => y.studentsFR) }, { name: 'IB', values: years.map((y) => y.studentsIB) }] })),
          card(null, chart({ type: 'line', title: 'EBITDA margin and rent load (%)', labels: years.map((y) => y.year), series: [{ name: 'EBITDA margin', values: years.map((y) => y.ebitdaMargin) }, { name: 'rent load', values: years.map((y) => y.rentLoad) }] }))),
        h('h2', null, '30-year projection'),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'projection' },
          h('thead', null, h('tr', null, ['Year', 'Students FR', 'Students IB', 'Tuition FR', 'Tuition IB', 'Revenue', 'Rent', 'Rent load %', 'Staff', 'Opex', 'Capex', 'EBITDA', 'Margin %', 'Cash flow'].map((x) => h('th', { class: x === 'Year' ? null : 'num', scope: 'col' }, x)))),
          h('tbody', null, years.map((y) => h('tr', null, h('th', { scope: 'row' }, y.year),
            [y.studentsFR, y.studentsIB, y.tuitionFR, y.tuitionIB, y.revenue, y.rent].map((x) => h('td', { class: 'num' }, fmt.num(x))),
            h('td', { class: 'num' }, fmt.num(y.rentLoad, 1)), [y.staffCost, y.opex, y.capex, y.ebitda].map((x) => h('td', { class: 'num' }, fmt.num(x))),
            h('td', { class: 'num' }, fmt.num(y.ebitdaMargin, 1)), h('td', { class: 'num', style: y.cashFlow < 0 ? 'color:var(--danger)' : null }, fmt.num(y.cashFlow)))))))]
        : empty('No projection computed for this version.'),
      h('div', { class: 'two' },
        card('Curriculum plans', (v.curriculumPlans || []).map((cp) => kv([['Curriculum', cp.curriculumType], ['Capacity', cp.capacity], ['Tuition base', fmt.num(cp.tuitionBase)], ['CPI every', `${cp.cpiFrequency} years`]]))),
        card('Rent plan', kv([['Model', v.rentPlan?.rentModel], ...Object.entries(v.rentPlan?.parameters || {})])),
        card('Capex', (v.capexItems || []).length ? kv(v.capexItems.map((x) => [`${x.year} ${x.category}`, `${fmt.num(x.amount)} — ${x.description || ''}`])) : empty('None')),
        card('Opex sub-accounts', (v.opexSubAccounts || []).length ? kv(v.opexSubAccounts.map((x) => [x.subAccountName, x.isFixed ? `fixed ${fmt.num(x.fixedAmount)}` : `${x.percentOfRevenue}% of revenue`])) : empty('None'))));
  });
}

function editVersion(v) {
  const d = dialog(`Edit ${v.name}`, wireRentModel(form({
    sections: [
      { legend: 'Version', fields: [
        { name: 'name', label: 'Name', required: true, value: v.name },
        { name: 'status', label: 'Status', type: 'select', options: ['DRAFT', 'READY', 'APPROVED'], value: v.status, required: true },
        { name: 'description', label: 'Description', type: 'textarea', value: v.description },
      ] },
      { legend: 'Rent plan', fields: rentFields(v.rentPlan?.rentModel || 'FIXED_ESCALATION', v.rentPlan?.parameters || {}) },
      ...planSections(v.curriculumPlans || [], v.capexItems || [], v.opexSubAccounts || []),
    ],
    submitLabel: 'Save', cancel: () => d.close(),
    onSubmit: ({ rentModel, rp, enrolment, curriculumPlans, ...rest }) => api(M, 'PATCH', `/api/versions/${v.id}`, { body: {
      ...rest, rentPlan: rentPlanOf({ rentModel, rp }, v.rentPlan?.id), curriculumPlans: plansWithEnrolment(curriculumPlans, enrolment) } }),
    onDone: () => { d.close(); toast('Version saved; the projection is recalculated.', 'success'); location.reload(); },
  })), { wide: true });
}

function lock(v) {
  const d = dialog(`Lock ${v.name}`, form({
    fields: [{ name: 'reason', label: 'Reason', required: true, value: `Approved on ${new Date().toISOString().slice(0, 10)}` }],
    submitLabel: 'Lock version', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'POST', `/api/versions/${v.id}/lock`, { body }),
    onDone: () => { d.close(); toast('Version locked.', 'success'); location.reload(); },
  }));
}

function compareTab(p) {
  const out = h('div');
  p.append(out);
  if (picked.size < 2) { out.append(empty('Pick 2 to 4 versions on the Versions tab (the Compare column), then come back here.')); return; }
  load(out, async () => {
    const metrics = ['npvRent', 'avgEBITDAMargin', 'avgRentLoad', 'breakevenYear'];
    const d = (await api(M, 'POST', '/api/versions/compare', { body: { versionIds: [...picked], metrics } })).data;
    const rows = d.comparison || [];
    return h('div', null,
      h('div', { class: 'toolbar' }, h('span', { class: 'grow' }), btn('Clear picks', () => { picked.clear(); location.reload(); }, 'btn-ghost')),
      h('table', { class: 'table', 'data-testid': 'comparison' }, h('thead', null, h('tr', null, h('th', null, 'Metric'), rows.map((r) => h('th', { scope: 'col' }, h('a', { href: `#/planning/v/${r.id}` }, r.name))))),
        h('tbody', null, h('tr', null, h('th', { scope: 'row' }, 'Rent model'), rows.map((r) => h('td', null, r.rentModel))),
          metrics.map((m) => h('tr', null, h('th', { scope: 'row' }, m), rows.map((r) => {
            // the extension's differences to the first version, beside each other version's figure
            const diff = (d.differences || []).find((x) => x.id === r.id)?.[m];
            return h('td', { class: 'num' }, fmt.num(r[m], 2), d.best?.[m] === r.name ? [' ', badge('best', 'published')] : null,
              diff != null && diff !== 0 ? h('small', { class: 'muted', style: 'display:block' }, `${diff > 0 ? '+' : ''}${fmt.num(diff, 2)} vs ${rows[0].name}`) : null);
          }))))),
      h('div', { class: 'two' }, metrics.slice(0, 3).map((m) => card(null, chart({ type: 'bar', title: m, labels: rows.map((r) => r.name), series: [{ name: m, values: rows.map((r) => r[m]) }] })))));
  });
}

function reportDialog(v) {
  const out = h('div');
  const d = dialog(`Report for ${v.name}`, [form({
    fields: [
      { name: 'reportType', label: 'Type', type: 'select', options: ['EXECUTIVE_SUMMARY', 'FINANCIAL_DETAIL', 'COMPARISON'], value: 'EXECUTIVE_SUMMARY', required: true },
      { name: 'format', label: 'Format', type: 'select', options: ['PDF', 'EXCEL'], value: 'PDF', required: true },
      { name: 'includeCharts', label: 'Include charts', type: 'checkbox', value: true },
      { name: 'includeYearByYear', label: 'Include year-by-year table', type: 'checkbox' },
    ],
    submitLabel: 'Generate',
    onSubmit: async (body) => {
      if (body.reportType === 'COMPARISON') body.compareWithIds = [...picked].filter((x) => x !== v.id);
      const pr = progress('Generating report…');
      clear(out, pr.el);
      try { return (await api(M, 'POST', `/api/reports/generate/${v.id}`, { body })).data; } catch (e) { clear(out); throw e; }
    },
    onDone: (r) => clear(out, h('div', null, h('p', null, `Report ready (${fmt.num((r.fileSize || 0) / 1024, 1)} KB), link valid until ${fmt.date(r.expiresAt)}.`),
      downloadLink(r.downloadUrl))),
  }), out]);
  return d;
}

function reportsTab(p) {
  const t = table({
    caption: 'Reports',
    columns: [
      { key: 'versionName', label: 'Version', render: (r) => r.versionName || r.versionId },
      { key: 'reportType', label: 'Type' }, { key: 'format', label: 'Format' },
      { key: 'generatedAt', label: 'Generated', render: (r) => fmt.date(r.generatedAt || r.createdAt) },
      { key: 'fileSize', label: 'Size', class: 'num', render: (r) => `${fmt.num((r.fileSize || 0) / 1024, 1)} KB` },
      { key: 'downloadUrl', label: '', render: (r) => (r.downloadUrl ? downloadLink(r.downloadUrl, 'Download', 'btn btn-small') : '—') },
    ],
    fetch: async (st) => {
      const r = await api(M, 'GET', '/api/reports', { query: { page: st.page, limit: st.limit } });
      return { rows: r.data.reports || (Array.isArray(r.data) ? r.data : []), total: r.data.pagination?.total };
    },
    emptyText: 'No reports yet. Open a version and choose “Report”.',
  });
  p.append(t.el);
}

// ---------- admin: settings, users and roles, audit log ----------
function adminTab(p) {
  const settingsBox = h('div');
  const usersBox = h('div');
  load(settingsBox, async () => {
    const s = (await api(M, 'GET', '/api/admin/settings')).data;
    const out = h('div', { role: 'status' });
    return h('div', null, form({
      fields: [
        { name: 'cpiRate', label: 'CPI rate (0.03 = 3%)', type: 'number', step: 0.0005, min: 0, value: s.cpiRate, help: 'Drives CPI-indexed rent and costs in every projection.' },
        { name: 'discountRate', label: 'Discount rate (for NPV)', type: 'number', step: 0.0005, min: 0, value: s.discountRate },
        { name: 'taxRate', label: 'Tax rate', type: 'number', step: 0.0005, min: 0, value: s.taxRate },
        { name: 'currency', label: 'Currency', value: s.currency },
        { name: 'timezone', label: 'Time zone', value: s.timezone },
        { name: 'dateFormat', label: 'Date format', type: 'select', options: ['DD/MM/YYYY', 'MM/DD/YYYY', 'YYYY-MM-DD', 'DD.MM.YYYY'], value: s.dateFormat, required: true },
        { name: 'numberFormat', label: 'Number format', type: 'select', options: ['1,000,000', '1.000.000', '1 000 000', '1000000'], value: s.numberFormat, required: true },
      ],
      submitLabel: 'Save settings',
      onSubmit: (body) => {
        // send only what changed
        const patch = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== s[k]));
        if (!Object.keys(patch).length) return Promise.resolve({ data: { message: 'Nothing changed.' } });
        return api(M, 'PATCH', '/api/admin/settings', { body: patch });
      },
      onDone: (r) => {
        Object.assign(s, r.data || {});
        toast(r.data?.message || 'Settings saved.', 'success');
        clear(out, h('p', { class: 'muted' }, r.data?.updatedAt ? `Saved ${fmt.date(r.data.updatedAt)}. Projections use the new rates from now on.` : ''));
      },
    }), out);
  });
  load(usersBox, async () => {
    const list = (await api(M, 'GET', '/api/admin/users')).data.users || [];
    if (!list.length) return empty('No users with a planning role yet.');
    return h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Planning users'),
      h('thead', null, h('tr', null, ['Name', 'E-mail', 'Role', 'Last sign-in', 'Since'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, list.map((u) => {
        const sel = h('select', { 'aria-label': `Role of ${u.name || u.email}` }, ['ADMIN', 'PLANNER', 'VIEWER'].map((r) => h('option', { value: r, selected: r === u.role }, r)));
        sel.addEventListener('change', async () => {
          sel.disabled = true;
          try {
            const r = await api(M, 'PATCH', `/api/admin/users/${u.id}`, { body: { role: sel.value } });
            u.role = r.data.role || sel.value;
            toast(r.data.message || `${u.name || u.email} is now ${u.role}.`, 'success');
          } catch (err) { sel.value = u.role; toastError(err); } finally { sel.disabled = false; }
        });
        return h('tr', null, h('td', null, u.name || '—'), h('td', null, u.email), h('td', null, sel), h('td', null, fmt.date(u.lastLoginAt)), h('td', null, fmt.date(u.createdAt)));
      })));
  });
  const logs = table({
    caption: 'Planning audit log',
    columns: [
      { key: 'timestamp', label: 'When', render: (l) => fmt.date(l.timestamp) },
      { key: 'action', label: 'Action', render: (l) => badge(l.action, 'role') },
      { key: 'userName', label: 'Who', render: (l) => l.userName || l.userId },
      { key: 'entityType', label: 'Entity', render: (l) => `${l.entityType || ''} ${l.entityId ? `· ${String(l.entityId).slice(0, 8)}` : ''}` },
      { key: 'metadata', label: 'Details', render: (l) => h('code', null, JSON.stringify(l.metadata || {})) },
      { key: 'ipAddress', label: 'IP' },
    ],
    filters: [
      { name: 'action', label: 'Action', type: 'select', options: ['CREATE_VERSION', 'UPDATE_VERSION', 'DELETE_VERSION', 'DUPLICATE_VERSION', 'LOCK_VERSION', 'GENERATE_REPORT', 'UPDATE_SETTINGS', 'UPDATE_USER_ROLE'] },
      { name: 'entityType', label: 'Entity', type: 'select', options: ['VERSION', 'REPORT', 'SETTINGS', 'USER'] },
      { name: 'startDate', label: 'From', type: 'date' },
      { name: 'endDate', label: 'To', type: 'date' },
    ],
    limit: 50,
    fetch: async (st) => {
      const r = await api(M, 'GET', '/api/admin/audit-logs', { query: { ...st.filters, page: st.page, limit: st.limit } });
      return { rows: r.data.logs || [], total: r.data.pagination?.total };
    },
    emptyText: 'No audit entries match.',
  });
  p.append(h('div', { class: 'two' }, card('Settings', settingsBox), card('Users and roles', usersBox)), h('h2', null, 'Audit log'), logs.el);
}
