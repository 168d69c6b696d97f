// Marketplace: pricing per provider with an estimate calculator, provider
// search with distance, reviews with moderation, A/B campaign results.
import { api, hasRole } from '../lib/api.js';
import {
  h, clear, form, dialog, toast, badge, fmt, tabs, card, kv, stat, load, actionBtn, btn, empty, errorState, field, readFields, confirmDialog,
  copyable, matchLocal,
} from '../lib/ui.js';
import { chart } from '../lib/chart.js';

const M = 'marketplace';
const RECENT = 'frontline.marketplace.providers';
const recent = () => JSON.parse(sessionStorage.getItem(RECENT) || '[]');
function remember(id, name) {
  const list = recent().filter((x) => x.id !== id);
  list.unshift({ id, name: name || id });
  sessionStorage.setItem(RECENT, JSON.stringify(list.slice(0, 10)));
}
const metaTotal = (r) => r.meta?.total;
const CAMPAIGNS = 'frontline.marketplace.campaigns';
const campaigns = () => JSON.parse(localStorage.getItem(CAMPAIGNS) || '[]');
function rememberCampaign(id, name) {
  if (!id) return;
  localStorage.setItem(CAMPAIGNS, JSON.stringify([{ id, name: name || id }, ...campaigns().filter((c) => c.id !== id)].slice(0, 30)));
}

export async function render(main, route) {
  const [sub, id] = route.rest;
  main.append(h('div', { class: 'page-head' },
    h('div', null, h('h1', null, 'Marketplace'), h('p', null, 'Provider pricing and estimates, provider search by distance, reviews and moderation, review campaigns.')),
    h('div', { class: 'links' }, h('a', { href: '/marketplace/v1/docs', target: '_blank', rel: 'noopener' }, 'Swagger UI'))));
  const R = { search: searchTab, providers: providersTab, pricing: pricingTab, estimate: estimateTab, reviews: reviewsTab, moderation: moderationTab, mine: myReviewsTab, campaigns: campaignsTab, analytics: analyticsTab, webhooks: webhooksTab };
  const tab = R[sub] ? sub : 'search';
  main.append(tabs([
    { id: 'search', label: 'Find providers' }, { id: 'providers', label: 'Providers' }, { id: 'pricing', label: 'Pricing' }, { id: 'estimate', label: 'Estimate' },
    { id: 'reviews', label: 'Reviews' }, hasRole(M, 'admin') ? { id: 'moderation', label: 'Moderation queue' } : null, hasRole(M, 'customer') ? { id: 'mine', label: 'My review requests' } : null, { id: 'campaigns', label: 'Review campaigns' },
    { id: 'analytics', label: 'Analytics' }, { id: 'webhooks', label: 'Webhooks' },
  ].filter(Boolean).map((t) => ({ ...t, render: (p) => R[t.id](p, id) })), tab, (t) => { location.hash = `#/marketplace/${t}`; }));
}

/** Providers whose name (or id) matches `q`, best first; recently opened ones when `q` is empty. */
async function findProviders(q, signal) {
  if (!q) return recent().map((x) => ({ value: x.id, label: x.name, detail: x.id }));
  const r = await api(M, 'GET', '/providers/search', { query: { q, limit: 10 }, signal });
  return (r.data || []).map((x) => ({ value: x.providerId, label: x.providerName, detail: `${x.location?.city ? `${x.location.city} · ` : ''}${x.providerId}` }));
}
const nameOf = (id) => recent().find((x) => x.id === id)?.name;
/** A provider field for forms: search by name, fills the provider id. */
export const providerField = (spec) => ({ type: 'picker', search: findProviders, placeholder: 'Type a provider name…', ...spec, valueLabel: spec.value ? nameOf(spec.value) || spec.value : undefined });

function providerPicker(current, onPick) {
  const open = (o) => { remember(o.value, o.label); onPick(o.value); };
  const f = h('form', { class: 'filters', role: 'search', 'aria-label': 'Provider' },
    field(providerField({ name: 'providerId', label: 'Provider', value: current, onPick: open })),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Open')));
  f.addEventListener('submit', (e) => { e.preventDefault(); const { providerId } = readFields(f); if (providerId) onPick(providerId); });
  return f;
}

// ---------- search ----------
function searchTab(p) {
  const out = h('div');
  const f = h('form', { class: 'filters', role: 'search' },
    field({ name: 'serviceCategoryId', label: 'Service category', type: 'select', required: true, options: [] }),
    field({ name: 'location', label: 'Location', required: true, value: '-1.2864,36.8219', help: '“lat,lng” or a city' }),
    field({ name: 'radius', label: 'Radius (km)', type: 'number', value: 10, min: 1 }),
    field({ name: 'minPrice', label: 'Min price', type: 'number', min: 0 }),
    field({ name: 'maxPrice', label: 'Max price', type: 'number', min: 0 }),
    field({ name: 'sortBy', label: 'Sort', type: 'select', options: [['distance', 'Nearest'], ['price_asc', 'Price ↑'], ['price_desc', 'Price ↓'], ['rating_desc', 'Rating']], value: 'distance', required: true }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Search')));
  // the categories come from the server; the first one is chosen
  api(M, 'GET', '/service-categories').then((r) => {
    const sel = f.querySelector('select[name=serviceCategoryId]');
    (r.data || []).forEach((c) => sel.append(h('option', { value: c.serviceCategoryId ?? c.id }, c.name)));
  }).catch(() => {});
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = readFields(f);
    load(out, async () => {
      const r = await api(M, 'GET', '/services/search', { query: q });
      const list = r.data || [];
      if (!list.length) return empty('No provider offers this service within the radius.');
      return h('div', null, h('p', { class: 'muted' }, `${metaTotal(r) ?? list.length} providers`),
        h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Provider', 'Distance', 'Rating', 'Services and prices', 'Next available', ''].map((x) => h('th', null, x)))),
          h('tbody', null, list.map((x) => h('tr', null,
            h('td', null, h('strong', null, x.providerName), h('br'), h('small', { class: 'muted' }, x.location?.address || '')),
            h('td', { class: 'num' }, x.location?.distance !== undefined ? `${fmt.num(x.location.distance, 1)} km` : '—'),
            h('td', null, `★ ${fmt.num(x.rating?.average, 1)} (${fmt.num(x.rating?.count)})`),
            h('td', null, (x.pricing || []).map((pr) => h('div', null, `${pr.serviceName}: ${priceOf(pr)}`))),
            h('td', null, fmt.date(x.availability?.nextAvailable)),
            h('td', { class: 'row-actions' },
              btn('Pricing', () => { remember(x.providerId, x.providerName); location.hash = `#/marketplace/pricing/${x.providerId}`; }, 'btn-small'),
              btn('Reviews', () => { remember(x.providerId, x.providerName); location.hash = `#/marketplace/reviews/${x.providerId}`; }, 'btn-small')))))));
    });
  });
  p.append(f, out);
}
function priceOf(pr) {
  const cur = pr.currency || '';
  if (pr.pricingType === 'hourly') return `${fmt.money(pr.hourlyRate, cur)}/h`;
  if (pr.pricingType === 'flat') return fmt.money(pr.flatRate, cur);
  if (pr.currentPrice !== undefined) return fmt.money(pr.currentPrice, cur);
  return pr.pricingType;
}

// ---------- pricing ----------
function pricingTab(p, providerId) {
  p.append(providerPicker(providerId, (id) => { location.hash = `#/marketplace/pricing/${id}`; }));
  const toolbar = h('div', { class: 'toolbar' }, hasRole(M, 'provider') ? actionBtn('New pricing', () => newPricing(), 'btn-primary') : null,
    hasRole(M, 'provider') ? btn('Market rate suggestions', () => suggestions()) : null);
  p.append(toolbar);
  if (!providerId) { p.append(empty('Pick a provider, or search for one on “Find providers”.')); return; }
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const r = await api(M, 'GET', `/providers/${providerId}/pricing`);
    const list = r.data || [];
    if (!list.length) return empty('This provider has no pricing yet.');
    return h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Service', 'Type', 'Price', 'Dynamic', 'Discounts', 'Active', ''].map((x) => h('th', null, x)))),
      h('tbody', null, list.map((x) => h('tr', null, h('td', null, x.serviceName), h('td', null, x.pricingType), h('td', { class: 'num' }, priceOf(x)),
        h('td', null, x.dynamicPricing?.enabled ? `rush ${x.dynamicPricing.rushFee ?? 0}% · weekend ${x.dynamicPricing.weekendFee ?? 0}%` : 'off'),
        h('td', null, x.discounts?.newCustomerDiscount ? `new customer ${x.discounts.newCustomerDiscount}%` : '—'),
        h('td', null, badge(x.isActive === false ? 'inactive' : 'active')),
        h('td', { class: 'row-actions' },
          btn('Estimate', () => { sessionStorage.setItem('frontline.mp.est', JSON.stringify({ providerId, servicePricingId: x.pricingId, serviceName: x.serviceName, pricingType: x.pricingType })); location.hash = '#/marketplace/estimate'; }, 'btn-small'),
          btn('History', () => history(x), 'btn-small'),
          hasRole(M, 'provider') ? actionBtn('Edit', () => editPricing(x), 'btn-small') : null)))));
  });
}
let categories = null;
async function loadCategories() {
  categories ||= ((await api(M, 'GET', '/service-categories')).data || []).map((c) => [c.serviceCategoryId ?? c.id, c.name]);
  return categories;
}
function pricingFields(x = {}) {
  return [
    { name: 'serviceName', label: 'Service name', required: true, value: x.serviceName },
    { name: 'serviceCategoryId', label: 'Service category', type: 'select', required: !x.pricingId, options: categories || [], value: x.serviceCategoryId, placeholder: 'keep' },
    { name: 'pricingType', label: 'Pricing type', type: 'select', options: ['flat', 'hourly', 'tiered', 'package'], value: x.pricingType || 'flat', required: true },
    { name: 'flatRate', label: 'Flat rate', type: 'number', min: 0, value: x.flatRate },
    { name: 'hourlyRate', label: 'Hourly rate', type: 'number', min: 0, value: x.hourlyRate },
    { name: 'currency', label: 'Currency', value: x.currency || 'KES' },
    { name: 'dynamicPricing.enabled', label: 'Dynamic pricing', type: 'checkbox', value: x.dynamicPricing?.enabled },
    { name: 'dynamicPricing.rushFee', label: 'Rush fee %', type: 'number', value: x.dynamicPricing?.rushFee },
    { name: 'dynamicPricing.weekendFee', label: 'Weekend fee %', type: 'number', value: x.dynamicPricing?.weekendFee },
    { name: 'discounts.newCustomerDiscount', label: 'New customer discount %', type: 'number', value: x.discounts?.newCustomerDiscount },
    { name: 'serviceDescription', label: 'Description', type: 'textarea', value: x.serviceDescription },
  ];
}
async function newPricing() {
  await loadCategories();
  const d = dialog('New pricing', form({
    fields: [...pricingFields(), { name: 'location.coordinates', label: 'Location [lng, lat] (JSON)', type: 'json', value: [36.8219, -1.2864] }, { name: 'location.serviceRadius', label: 'Service radius (km)', type: 'number', value: 10 }],
    submitLabel: 'Create', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'POST', '/providers/pricing', { body }),
    onDone: (r) => { d.close(); toast('Pricing created.', 'success'); remember(r.data.providerId); location.hash = `#/marketplace/pricing/${r.data.providerId}`; },
  }), { wide: true });
}
async function editPricing(x) {
  await loadCategories();
  const d = dialog(`Edit ${x.serviceName}`, form({
    fields: [...pricingFields(x), { name: 'isActive', label: 'Active', type: 'checkbox', value: x.isActive !== false }, { name: 'reason', label: 'Reason for the change' }],
    submitLabel: 'Save', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'PUT', `/providers/pricing/${x.pricingId}`, { body }),
    onDone: () => { d.close(); toast('Pricing saved.', 'success'); location.reload(); },
  }), { wide: true });
}
const PRICE_FIELDS = ['flatRate', 'hourlyRate', 'basePrice', 'price', 'minimumCharge'];
function history(x) {
  const box = h('div');
  dialog(`Price history — ${x.serviceName}`, box, { wide: true });
  load(box, async () => {
    const r = (await api(M, 'GET', `/providers/${x.providerId || location.hash.split('/').pop()}/pricing/history`, { query: { pricingId: x.pricingId } })).data;
    // the API lists newest first; oldest first here (a stable sort keeps same-second changes in order)
    const list = (Array.isArray(r) ? r : r.history || []).slice().reverse().sort((a, b) => String(a.changedAt).localeCompare(String(b.changedAt)));
    if (!list.length) return empty('No price changes recorded.');
    // the price this pricing type is charged by, followed through the changes
    const field = PRICE_FIELDS.find((f) => list.some((e) => typeof e.newState?.[f] === 'number'));
    const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'number' ? fmt.num(v, 2) : typeof v === 'object' ? JSON.stringify(v) : String(v));
    const points = field ? list.filter((e) => typeof e.newState?.[field] === 'number') : [];
    return h('div', { 'data-testid': 'price-history' },
      points.length ? chart({ type: 'line', title: `${fmt.label(field)} over time`, labels: points.map((e) => String(e.changedAt).slice(0, 16).replace('T', ' ')), series: [{ name: fmt.label(field).toLowerCase(), values: points.map((e) => e.newState[field]) }] }) : null,
      h('table', { class: 'table' },
        h('thead', null, h('tr', null, ['When', 'Change', 'What changed', 'Reason'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, list.slice().reverse().map((e) => h('tr', null,
          h('td', null, fmt.date(e.changedAt)),
          h('td', null, badge(e.changeType)),
          h('td', null, (e.changedFields || []).length
            ? h('ul', { class: 'plain' }, e.changedFields.map((c) => h('li', null, `${fmt.label(c.fieldName)}: ${show(c.oldValue)} → ${show(c.newValue)}`)))
            : e.changeType === 'created' ? 'Created' : '—'),
          h('td', null, e.reason || '—'))))));
  });
}
async function suggestions() {
  const out = h('div');
  const cats = await loadCategories().catch(() => []);
  const f = form({
    fields: [{ name: 'serviceCategoryId', label: 'Service category', type: 'select', required: true, options: cats }, { name: 'location', label: 'Location', value: 'Nairobi' }],
    submitLabel: 'Suggest',
    onSubmit: async (q) => (await api(M, 'GET', '/providers/pricing/suggestions', { query: q })).data,
    onDone: (d) => clear(out, h('pre', null, fmt.json(d))),
  });
  dialog('Market rate suggestions', [f, out], { wide: true });
}

// ---------- estimate ----------
function estimateTab(p) {
  const pre = JSON.parse(sessionStorage.getItem('frontline.mp.est') || '{}');
  const out = h('div');
  p.append(h('div', { class: 'two' }, card('Estimate calculator', form({
    fields: [
      providerField({ name: 'providerId', label: 'Provider', required: true, value: pre.providerId }),
      { name: 'servicePricingId', label: 'Service (pricing)', type: 'picker', required: true, value: pre.servicePricingId, valueLabel: pre.serviceName, placeholder: 'Type a service name…',
        // the chosen provider's pricing configurations, by service name
        search: async (q, signal) => {
          const box = document.querySelector('[data-field=providerId] input');
          const pid = box?.dataset.value || (/^[0-9a-f]{24}$/i.test(box?.value.trim() || '') ? box.value.trim() : '');
          if (!pid) throw new Error('Choose the provider first');
          const list = (await api(M, 'GET', `/providers/${pid}/pricing`, { signal })).data || [];
          return matchLocal(list, q, ['serviceName', 'pricingId'], 20).map((x) => ({ value: x.pricingId, label: x.serviceName, detail: `${x.pricingType} · ${priceOf(x)}`, pricingType: x.pricingType }));
        },
        // the service's pricing type goes with it
        onPick: (o) => { const sel = document.querySelector('[data-field=pricingType] select'); if (sel && o.pricingType) sel.value = o.pricingType; } },
      { name: 'pricingType', label: 'Pricing type', type: 'select', options: ['flat', 'hourly', 'tiered', 'package'], value: pre.pricingType || 'flat', required: true },
      { name: 'duration', label: 'Duration (min)', type: 'number', value: 60, min: 1 },
      { name: 'bookingDate', label: 'Booking date', type: 'datetime-local', value: new Date(Date.now() + 864e5).toISOString().slice(0, 16) },
      { name: 'location.address', label: 'Address', value: 'Westlands, Nairobi' },
      { name: 'location.coordinates', label: 'Coordinates [lng, lat]', type: 'json', value: [36.8219, -1.2864] },
      { name: 'isRush', label: 'Rush (same day)', type: 'checkbox' },
      { name: 'isWeekend', label: 'Weekend', type: 'checkbox' },
      { name: 'isNewCustomer', label: 'New customer', type: 'checkbox' },
    ],
    submitLabel: 'Calculate',
    onSubmit: async (body) => (await api(M, 'POST', '/services/estimate', { body })).data,
    onDone: (d) => clear(out, h('div', { 'data-testid': 'estimate' },
      h('div', { class: 'stats' }, stat('Total', fmt.money(d.totalPrice, d.currency)), stat('Base price', fmt.money(d.basePrice, d.currency)), stat('Duration', `${fmt.num(d.estimatedDuration)} min`)),
      h('table', { class: 'table' }, h('tbody', null, (d.adjustments || []).map((a) => h('tr', null, h('td', null, a.description || a.type), h('td', { class: 'num' }, `${a.percentage > 0 ? '+' : ''}${a.percentage}%`), h('td', { class: 'num' }, fmt.money(a.amount, d.currency)))))),
      kv([['Subtotal', fmt.money(d.breakdown?.subtotal, d.currency)], ['Discount', fmt.money(d.breakdown?.discount, d.currency)], ['Total', fmt.money(d.breakdown?.total ?? d.totalPrice, d.currency)], ['Valid until', fmt.date(d.validUntil)]]))),
  })), card('Result', out)));
}

// ---------- reviews ----------
function reviewsTab(p, providerId) {
  p.append(providerPicker(providerId, (id) => { location.hash = `#/marketplace/reviews/${id}`; }));
  if (!providerId) {
    if (hasRole(M, 'admin')) p.append(card('Moderate a review by id', moderateForm()));
    p.append(empty('Pick a provider to see its reviews.'));
    return;
  }
  const box = h('div');
  const sortSel = h('select', { id: 'rv-sort', onchange: () => run() }, ['recent', 'helpful', 'highest', 'lowest'].map((x) => h('option', { value: x }, x)));
  const minSel = h('select', { id: 'rv-min', onchange: () => run() }, [1, 2, 3, 4, 5].map((x) => h('option', { value: x }, `${x}★ and up`)));
  p.append(h('div', { class: 'toolbar' }, h('label', { for: 'rv-sort' }, 'Sort'), sortSel, h('label', { for: 'rv-min' }, 'Rating'), minSel), box);
  const run = () => load(box, async () => {
    const d = (await api(M, 'GET', `/providers/${providerId}/reviews`, { query: { sortBy: sortSel.value, minRating: minSel.value, limit: 50 } })).data;
    const dist = d.ratingDistribution || {};
    return h('div', null,
      h('div', { class: 'two' },
        card(d.provider?.providerName || providerId, h('div', { class: 'stats' }, stat('Average rating', `★ ${fmt.num(d.provider?.averageRating, 2)}`), stat('Reviews', fmt.num(d.provider?.totalReviews)))),
        card(null, chart({ type: 'bar', title: 'Rating distribution', labels: ['5', '4', '3', '2', '1'], series: [{ name: 'reviews', values: ['5', '4', '3', '2', '1'].map((k) => dist[k] || 0) }] }))),
      (d.reviews || []).length ? (d.reviews || []).map((r) => card(null,
        h('div', { class: 'toolbar' }, h('strong', null, `${'★'.repeat(r.overallRating)}${'☆'.repeat(5 - r.overallRating)} ${r.title || ''}`), h('span', { class: 'grow' }),
          r.moderationStatus ? badge(r.moderationStatus) : null, h('small', { class: 'muted' }, `${r.customer?.name || ''} · ${fmt.date(r.submittedAt)} · ${r.serviceType || ''}`)),
        h('p', null, r.comment),
        r.categoryRatings ? h('small', { class: 'muted' }, Object.entries(r.categoryRatings).map(([k, v]) => `${k} ${v}`).join(' · ')) : null,
        r.providerResponse ? h('blockquote', { class: 'muted' }, `Provider: ${r.providerResponse.response}`) : null,
        h('div', { class: 'actions' }, h('small', { class: 'muted grow' }, `${r.helpfulVotes ?? 0} found this helpful`),
          hasRole(M, 'provider') && !r.providerResponse ? btn('Respond', () => respond(r), 'btn-small') : null,
          hasRole(M, 'admin') ? ['approve', 'reject', 'flag'].map((a) => actionBtn(a[0].toUpperCase() + a.slice(1), async () => {
            await api(M, 'PUT', `/admin/reviews/${r.reviewId}/moderate`, { body: { action: a, reason: `Moderated in the admin UI (${a})` } });
            toast(`Review ${{ approve: 'approved', reject: 'rejected', flag: 'flagged' }[a]}.`, 'success'); run();
          }, 'btn-small')) : null))) : empty('No reviews match.'));
  });
  run();
}
function respond(r) {
  const d = dialog('Respond to review', form({
    fields: [{ name: 'response', label: 'Your response', type: 'textarea', required: true }],
    submitLabel: 'Publish response', cancel: () => d.close(),
    onSubmit: (body) => api(M, 'POST', `/reviews/${r.reviewId}/response`, { body }),
    onDone: () => { d.close(); toast('Response published.', 'success'); location.reload(); },
  }));
}
// the reviews waiting for a moderator (or any status), moderated in place
const MOD_STATUSES = [['pending', 'Waiting (pending)'], ['flagged', 'Flagged'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['', 'All']];
function moderationTab(p) {
  const statusSel = h('select', { id: 'mod-status', onchange: () => run() }, MOD_STATUSES.map(([v, l]) => h('option', { value: v }, l)));
  const count = h('span', { class: 'muted', 'data-testid': 'moderation-count' });
  const box = h('div', { class: 'moderation-queue' });
  p.append(h('div', { class: 'toolbar' }, h('label', { for: 'mod-status' }, 'Show'), statusSel, count), box);
  const run = () => load(box, async () => {
    const r = await api(M, 'GET', '/admin/reviews', { query: { status: statusSel.value || undefined, limit: 50 } });
    const rows = Array.isArray(r.data) ? r.data : r.data?.items || [];
    const total = Number.isFinite(r.total) ? r.total : (r.meta?.total ?? r.pagination?.total ?? rows.length);
    count.textContent = `${fmt.num(total)} review${total === 1 ? '' : 's'}`;
    if (!rows.length) return empty(statusSel.value === 'pending' ? 'No reviews wait for moderation.' : 'No reviews in this status.');
    return h('div', null, rows.map(reviewCard));
  });
  function reviewCard(rv) {
    const status = h('span', { 'data-testid': 'review-status' }, badge(rv.moderationStatus));
    const reason = h('small', { class: 'muted' }, rv.moderationReason ? ` · ${rv.moderationReason}` : '');
    const act = (a, label) => actionBtn(label, async () => {
      const res = (await api(M, 'PUT', `/admin/reviews/${rv.reviewId}/moderate`, { body: { action: a, reason: `${label} in the moderation queue` } })).data;
      clear(status, badge(res.moderationStatus));
      reason.textContent = res.reason ? ` · ${res.reason}` : '';
      toast(`Review ${res.moderationStatus}.`, 'success');
    }, 'btn-small', `${label} the review “${rv.title || rv.reviewId}”`);
    return h('section', { class: 'card', 'data-review': rv.reviewId },
      h('div', { class: 'toolbar' }, h('strong', null, `${'★'.repeat(rv.overallRating)}${'☆'.repeat(Math.max(0, 5 - rv.overallRating))} ${rv.title || ''}`), h('span', { class: 'grow' }), status),
      h('p', null, rv.comment || h('span', { class: 'muted' }, 'No text.')),
      h('small', { class: 'muted' }, `${rv.customerName || 'A customer'} about `, h('a', { href: `#/marketplace/reviews/${rv.providerId}` }, rv.providerName || rv.providerId), ` · ${fmt.date(rv.submittedAt)}`), reason,
      h('div', { class: 'actions' }, act('approve', 'Approve'), act('reject', 'Reject'), act('flag', 'Flag')));
  }
  run();
}
function moderateForm() {
  return form({
    fields: [{ name: 'reviewId', label: 'Review id', required: true }, { name: 'action', label: 'Action', type: 'select', options: ['approve', 'reject', 'flag'], value: 'approve', required: true }, { name: 'reason', label: 'Reason' }],
    submitLabel: 'Moderate',
    onSubmit: ({ reviewId, ...body }) => api(M, 'PUT', `/admin/reviews/${reviewId}/moderate`, { body }),
    onDone: (r) => toast(r.message || 'Moderated.', 'success'),
  });
}

// ---------- campaigns ----------
function campaignsTab(p, campaignId) {
  const out = h('div');
  const open = (id) => load(out, async () => {
    const d = (await api(M, 'GET', `/admin/campaigns/${id}/results`)).data;
    rememberCampaign(id, d.name);
    const v = d.results?.variantResults || [];
    return h('div', null, h('h2', null, d.name, ' ', badge(d.status)),
      h('div', { class: 'stats' }, stat('Participants', fmt.num(d.results?.totalParticipants)),
        d.results?.winner ? stat('Winner', v.find((x) => x.variantId === d.results.winner.variantId)?.name || d.results.winner.variantId, `${d.results.winner.improvement || ''} · ${d.results.winner.confidence}% confidence`) : stat('Winner', 'none yet', 'not significant')),
      v.length ? h('div', { class: 'two' },
        card(null, chart({ type: 'bar', title: 'Response rate % by variant', labels: v.map((x) => x.name || x.variantId), series: [{ name: 'response rate with 95% confidence interval', values: v.map((x) => x.responseRate), errors: v.map((x) => (x.confidenceInterval ? [x.confidenceInterval.lower, x.confidenceInterval.upper] : null)) }] })),
        h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Variant', 'Participants', 'Responses', 'Rate', '95% CI', 'Avg rating'].map((x) => h('th', null, x)))),
          h('tbody', null, v.map((x) => h('tr', null, h('td', null, x.name || x.variantId), h('td', { class: 'num' }, x.participants), h('td', { class: 'num' }, x.responses), h('td', { class: 'num' }, `${fmt.num(x.responseRate, 1)}%`),
            h('td', null, x.confidenceInterval ? `${fmt.num(x.confidenceInterval.lower, 1)}–${fmt.num(x.confidenceInterval.upper, 1)}%` : '—'), h('td', { class: 'num' }, fmt.num(x.averageRating, 2))))))) : empty('No participants yet.'));
  });
  // no campaign list in the API: the campaigns made or opened in this browser, by name (or paste an id)
  const pick = h('form', { class: 'filters' }, field({ name: 'id', label: 'Campaign', type: 'picker', required: true, value: campaignId, valueLabel: campaigns().find((c) => c.id === campaignId)?.name,
    placeholder: 'Type a campaign name, or paste its id…',
    search: async (q) => matchLocal(campaigns(), q, ['name', 'id'], 20).map((c) => ({ value: c.id, label: c.name, detail: c.id })),
    onPick: (o) => { location.hash = `#/marketplace/campaigns/${o.value}`; } }),
  h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Show results')));
  pick.addEventListener('submit', (e) => { e.preventDefault(); const { id } = readFields(pick); if (id) location.hash = `#/marketplace/campaigns/${id}`; });
  p.append(h('div', { class: 'toolbar' }, btn('New A/B campaign', () => newCampaign(), 'btn-primary')), pick, out);
  if (campaignId) open(campaignId);
}
function newCampaign() {
  const d = dialog('New review campaign', form({
    fields: [
      { name: 'name', label: 'Name', required: true, value: 'Timing test' },
      { name: 'experiment.type', label: 'Experiment type', type: 'select', options: ['timing', 'message', 'channel', 'incentive'], value: 'timing', required: true },
      { name: 'experiment.hypothesis', label: 'Hypothesis', wide: true },
      { name: 'variants', label: 'Variants (JSON)', type: 'json', value: [{ variantId: 'a', name: '2 hours after service', config: { delay: 2, unit: 'hours' }, trafficAllocation: 50 }, { variantId: 'b', name: 'Next morning', config: { delay: 1, unit: 'days', time: '09:00' }, trafficAllocation: 50 }] },
      { name: 'targeting.sampleSize', label: 'Sample size', type: 'number', value: 1000 },
      { name: 'startDate', label: 'Start', type: 'datetime-local' }, { name: 'endDate', label: 'End', type: 'datetime-local' },
    ],
    submitLabel: 'Create', cancel: () => d.close(),
    onSubmit: async (body) => { const r = await api(M, 'POST', '/admin/campaigns', { body }); rememberCampaign(r.data.campaignId, body.name); return r; },
    onDone: (r) => { d.close(); toast('Campaign created.', 'success'); location.hash = `#/marketplace/campaigns/${r.data.campaignId}`; },
  }), { wide: true });
}

// ---------- analytics ----------
function analyticsTab(p) {
  const box = h('div');
  p.append(box);
  load(box, async () => {
    const parts = await Promise.allSettled([
      api(M, 'GET', '/analytics/pricing').then((r) => r.data),
      api(M, 'GET', '/analytics/reviews').then((r) => r.data),
      hasRole(M, 'admin') ? api(M, 'GET', '/admin/analytics/reviews').then((r) => r.data) : Promise.reject(new Error('admins only')),
    ]);
    const titles = ['Pricing analytics (provider)', 'Review analytics (provider)', 'Platform review analytics (admin)'];
    return h('div', null, parts.map((x, i) => card(titles[i], x.status === 'fulfilled' ? numbersAndRaw(x.value) : errorState(x.reason))));
  });
}
function numbersAndRaw(d) {
  const nums = [];
  const walk = (o, pre) => Object.entries(o || {}).forEach(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? walk(v, `${pre}${k} `) : typeof v === 'number' ? nums.push([pre + k, v]) : null));
  walk(d, '');
  return h('div', null, h('div', { class: 'stats' }, nums.slice(0, 12).map(([k, v]) => stat(k.split(' ').map((w) => fmt.label(w)).join(' › '), fmt.num(v, 2)))), h('details', null, h('summary', null, 'All figures'), h('pre', null, fmt.json(d))));
}

// ---------- providers ----------
function providersTab(p, providerId) {
  p.append(providerPicker(providerId, (id) => { location.hash = `#/marketplace/providers/${id}`; }));
  const box = h('div');
  p.append(box);
  if (providerId) {
    load(box, async () => {
      const x = (await api(M, 'GET', `/providers/${providerId}`)).data;
      remember(x.providerId, x.providerName);
      return card(x.providerName,
        kv([['Provider id', h('code', null, x.providerId)], ['Address', [x.location?.address, x.location?.city].filter(Boolean).join(', ') || '—'],
          ['Coordinates', x.location?.coordinates ? x.location.coordinates.slice().reverse().map((v) => fmt.num(v, 4)).join(', ') : '—'],
          ['Rating', `★ ${fmt.num(x.rating?.average, 2)} from ${fmt.num(x.rating?.count)} review${x.rating?.count === 1 ? '' : 's'}`], ['On the marketplace since', fmt.date(x.createdAt)]]),
        h('div', { class: 'actions' }, h('a', { class: 'btn', href: `#/marketplace/pricing/${x.providerId}` }, 'Pricing'), h('a', { class: 'btn', href: `#/marketplace/reviews/${x.providerId}` }, 'Reviews')));
    });
    return;
  }
  // the providers found around a place in every service category, nearest first
  const f = h('form', { class: 'filters', role: 'search', 'aria-label': 'Providers near a place' },
    field({ name: 'location', label: 'Near', required: true, value: 'Nairobi', help: '“lat,lng” or a city' }),
    field({ name: 'radius', label: 'Radius (km)', type: 'number', value: 50, min: 1 }),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'List providers')));
  const run = () => load(box, async () => {
    const q = readFields(f);
    const cats = (await api(M, 'GET', '/service-categories')).data || [];
    const found = new Map();
    for (const c of cats) {
      const r = await api(M, 'GET', '/services/search', { query: { ...q, serviceCategoryId: c.serviceCategoryId ?? c.id, limit: 100 } });
      for (const x of r.data || []) {
        const cur = found.get(x.providerId) || { ...x, categories: [] };
        cur.categories.push(c.name);
        found.set(x.providerId, cur);
      }
    }
    const list = [...found.values()].sort((a, b) => (a.location?.distance ?? 0) - (b.location?.distance ?? 0));
    if (!list.length) return empty('No providers within this radius.');
    return h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Providers'),
      h('thead', null, h('tr', null, ['Provider', 'Categories', 'Distance', 'Rating', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, list.map((x) => h('tr', null,
        h('td', null, h('a', { href: `#/marketplace/providers/${x.providerId}` }, x.providerName), h('br'), h('small', { class: 'muted' }, x.location?.address || '')),
        h('td', null, x.categories.join(', ')),
        h('td', { class: 'num' }, x.location?.distance !== undefined ? `${fmt.num(x.location.distance, 1)} km` : '—'),
        h('td', null, `★ ${fmt.num(x.rating?.average, 1)} (${fmt.num(x.rating?.count)})`),
        h('td', { class: 'row-actions' }, h('a', { class: 'btn btn-small', href: `#/marketplace/pricing/${x.providerId}` }, 'Pricing'), h('a', { class: 'btn btn-small', href: `#/marketplace/reviews/${x.providerId}` }, 'Reviews'))))));
  });
  f.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  box.before(f);
  run();
}

// ---------- the customer's review requests, reviews and preferences ----------
function myReviewsTab(p) {
  const pending = h('div');
  const mine = h('div');
  const loadPending = () => load(pending, async () => {
    const list = (await api(M, 'GET', '/customers/reviews/pending')).data || [];
    if (!list.length) return empty('No open review requests. Requests arrive after a completed booking.');
    return h('ul', { class: 'comment-list', 'aria-label': 'Open review requests' }, list.map((r) => h('li', { class: 'card', 'data-testid': 'review-request' },
      h('div', { class: 'toolbar' }, h('strong', null, `${r.providerName} · ${r.serviceType}`), h('span', { class: 'grow' }), badge(r.channel, 'role')),
      h('small', { class: 'muted' }, `Service on ${fmt.date(r.serviceDate)} · asked ${fmt.date(r.requestedAt)} · open until ${fmt.date(r.expiresAt)} · ${r.reminderCount} reminder${r.reminderCount === 1 ? '' : 's'}`),
      h('div', { class: 'actions' },
        btn('Write a review', () => writeReview(r, () => { loadPending(); loadMine(); }), 'btn-primary btn-small'),
        actionBtn('Remind me tomorrow', async () => { const x = await api(M, 'POST', `/reviews/request/${r.requestId}/remind`); toast(x.message || 'We will remind you.', 'success'); loadPending(); }, 'btn-small'),
        btn('Decline…', () => declineRequest(r, loadPending), 'btn-small btn-ghost')))));
  });
  const loadMine = () => load(mine, async () => {
    const r = await api(M, 'GET', '/customers/reviews', { query: { limit: 50 } });
    const list = r.data || [];
    if (!list.length) return empty('You have not written reviews yet.');
    return h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'My reviews'),
      h('thead', null, h('tr', null, ['Provider', 'Rating', 'Review', 'Status', 'Submitted'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, list.map((x) => h('tr', null,
        h('td', null, h('a', { href: `#/marketplace/reviews/${x.providerId}` }, x.providerName)),
        h('td', { 'aria-label': `${x.overallRating} of 5` }, `${'★'.repeat(x.overallRating)}${'☆'.repeat(5 - x.overallRating)}`),
        h('td', null, h('strong', null, x.title || ''), x.title ? h('br') : null, x.comment || ''),
        h('td', null, badge(x.moderationStatus)),
        h('td', null, fmt.date(x.submittedAt))))));
  });
  const prefsOut = h('div', { role: 'status' });
  const prefs = form({
    fields: [
      { name: 'reviewRequestsEnabled', label: 'Review requests', type: 'select', options: [['true', 'on'], ['false', 'off']], placeholder: 'keep current' },
      { name: 'preferredChannel', label: 'Channel', type: 'select', options: ['push', 'sms', 'whatsapp', 'email'], placeholder: 'keep current' },
      { name: 'preferredTimeOfDay', label: 'Time of day', type: 'select', options: ['morning', 'afternoon', 'evening'], placeholder: 'keep current' },
      { name: 'maxRequestsPerMonth', label: 'At most per month', type: 'number', min: 0 },
    ],
    submitLabel: 'Save preferences',
    onSubmit: (v) => {
      if (v.reviewRequestsEnabled !== undefined) v.reviewRequestsEnabled = v.reviewRequestsEnabled === 'true';
      return api(M, 'PUT', '/customers/review-preferences', { body: v });
    },
    onDone: (r) => {
      toast(r.message || 'Preferences saved.', 'success');
      const d = r.data?.preferences || r.data || {};
      clear(prefsOut, kv([['Review requests', d.reviewRequestsEnabled ? 'on' : 'off'], ['Channel', d.preferredChannel], ['Time of day', d.preferredTimeOfDay], ['At most per month', d.maxRequestsPerMonth]]));
    },
  });
  p.append(
    h('h2', null, 'Open review requests'), pending,
    h('h2', null, 'My reviews'), mine,
    card('Review request preferences', h('p', { class: 'muted' }, 'Only the fields you change are saved.'), prefs, prefsOut));
  loadPending(); loadMine();
}
function writeReview(r, done) {
  const d = dialog(`Review ${r.providerName}`, form({
    fields: [
      { name: 'overallRating', label: 'Overall rating (1–5)', type: 'select', options: [['5', '★★★★★ 5'], ['4', '★★★★ 4'], ['3', '★★★ 3'], ['2', '★★ 2'], ['1', '★ 1']], value: '5', required: true },
      { name: 'title', label: 'Title' },
      { name: 'comment', label: 'Comment', type: 'textarea', wide: true },
      { name: 'pros', label: 'What was good (comma separated)', type: 'tags' },
    ],
    submitLabel: 'Submit review', cancel: () => d.close(),
    onSubmit: (v) => api(M, 'POST', '/reviews', { body: { ...v, overallRating: Number(v.overallRating), bookingId: r.bookingId, source: 'review_request' } }),
    onDone: (x) => { d.close(); toast(x.message || 'Thank you for your review.', 'success'); done(); },
  }), { wide: true });
}
function declineRequest(r, done) {
  const d = dialog(`Decline the review request for ${r.providerName}`, form({
    fields: [
      { name: 'reason', label: 'Reason', type: 'select', options: [['not_interested', 'Not interested'], ['too_many_requests', 'Too many requests'], ['service_not_received', 'Service not received'], ['other', 'Other']] },
      { name: 'feedback', label: 'Feedback', type: 'textarea' },
      { name: 'permanentlyOptOut', label: 'Never ask me for reviews again', type: 'checkbox' },
    ],
    submitLabel: 'Decline', cancel: () => d.close(),
    onSubmit: (v) => api(M, 'POST', `/reviews/request/${r.requestId}/decline`, { body: v }),
    onDone: (x) => { d.close(); toast(x.message || 'Request declined.', 'success'); done(); },
  }));
}

// ---------- webhooks ----------
const WEBHOOK_EVENTS = [
  ['review.created', 'A review is submitted'], ['review.response_added', 'A provider responds to a review'],
  ['pricing.updated', 'A price changes'], ['review.request.delivered', 'A review request is delivered'],
];
function webhooksTab(p) {
  const box = h('div');
  const secretBox = h('div', { role: 'status', 'aria-live': 'polite' });
  const run = () => load(box, async () => {
    const list = (await api(M, 'GET', '/webhooks')).data || [];
    if (!list.length) return empty('No webhooks registered. Register one to receive signed event deliveries.');
    return h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Webhooks'),
      h('thead', null, h('tr', null, ['URL', 'Events', 'Description', 'Active', 'Created', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, list.map((w) => h('tr', null,
        h('td', null, h('code', null, w.url)),
        h('td', null, (w.events || []).map((e) => badge(e, 'role'))),
        h('td', null, w.description || '—'),
        h('td', null, w.active === false ? badge('inactive', 'draft') : badge('active')),
        h('td', null, fmt.date(w.createdAt)),
        h('td', { class: 'row-actions' }, actionBtn('Delete', async () => {
          if (!(await confirmDialog(`Stop deliveries to ${w.url} and delete this webhook?`, { ok: 'Delete', danger: true }))) return;
          await api(M, 'DELETE', `/webhooks/${w.id}`); toast('Webhook deleted.', 'success'); run();
        }, 'btn-small btn-ghost', `Delete the webhook to ${w.url}`))))));
  });
  const f = form({
    fields: [
      { name: 'url', label: 'Delivery URL', type: 'url', required: true, placeholder: 'https://example.com/hooks/marketplace', wide: true },
      { name: 'events', label: 'Events', type: 'multiselect', required: true, options: WEBHOOK_EVENTS, keepEmpty: true },
      { name: 'description', label: 'Description' },
      { name: 'secret', label: 'Signing secret (16–256 characters)', type: 'password', help: 'Leave empty and one is generated and shown once.', autocomplete: 'new-password' },
    ],
    submitLabel: 'Register webhook',
    onSubmit: (v) => api(M, 'POST', '/webhooks', { body: v }),
    onDone: (r) => {
      toast('Webhook registered.', 'success');
      clear(secretBox, card('Signing secret — copy it now, it is not shown again',
        h('p', null, copyable(r.data.secret, 'Copy', 'webhook-secret')),
        h('p', { class: 'muted' }, 'Each delivery carries X-Frontline-Signature: sha256=<HMAC-SHA256 of the body with this secret>.')));
      f.reset();
      run();
    },
  });
  p.append(card('Register a webhook', f), secretBox, h('h2', null, 'Your webhooks'), box);
  run();
}
