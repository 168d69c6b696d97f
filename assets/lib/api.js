// API client: one call shape for every module, each module's envelope and
// error body normalised.  Success -> {data, meta, headers, status};
// failure -> throws ApiError {status, code, message, fields}.

export const MODULES = {
  platform: { base: '/auth', title: 'Platform', docs: '/auth/docs' },
  training: { base: '/training/api', title: 'Training', docs: '/training/api/docs' },
  chatbot: { base: '/chatbot/api/v2', title: 'Chatbot', docs: '/chatbot/api/v2/docs' },
  'contact-center': { base: '/contact-center', title: 'Contact center', docs: '/contact-center/docs' },
  marketplace: { base: '/marketplace/v1', title: 'Marketplace', docs: '/marketplace/v1/docs' },
  planning: { base: '/planning', title: 'Planning', docs: '/planning/docs' },
};

const TOKEN_KEY = 'frontline.token';
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(v) { v ? sessionStorage.setItem(TOKEN_KEY, v) : sessionStorage.removeItem(TOKEN_KEY); },
  user: null,
  onExpired: null,
};

export class ApiError extends Error {
  constructor({ status, code, message, fields, body }) {
    super(message || `Request failed (${status})`);
    this.status = status;
    this.code = code || '';
    this.fields = fields || {};
    this.body = body;
  }
  /** A 404 that means the route itself is missing (module part not served yet). */
  get notServed() {
    if (this.status === 405) return true;
    // the gate's answer for an unknown route, as opposed to "Campaign 9 not found"
    return this.status === 404 && /^the requested resource was not found\.?$/i.test(this.message.trim());
  }
  get summary() {
    const f = Object.entries(this.fields);
    return f.length ? `${this.message}: ${f.map(([k, v]) => `${k} — ${v}`).join('; ')}` : this.message;
  }
}

function addDetails(fields, details) {
  if (!details) return;
  if (Array.isArray(details)) {
    for (const d of details) {
      if (d && typeof d === 'object') {
        const f = d.field ?? d.loc?.filter((x) => x !== 'body').join('.') ?? '';
        const m = d.message ?? d.msg ?? JSON.stringify(d);
        if (f) fields[f] = fields[f] ? `${fields[f]}; ${m}` : m;
      }
    }
  } else if (typeof details === 'object') {
    // chatbot: {errors: [{field, message}], field, reason}
    if (Array.isArray(details.errors)) { addDetails(fields, details.errors); return; }
    if (typeof details.field === 'string' && typeof details.reason === 'string') { fields[details.field] = details.reason; return; }
    for (const [f, m] of Object.entries(details)) {
      fields[f] = Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : JSON.stringify(m);
    }
  }
}

/** Turns any module's error body into {code, message, fields}. */
export function normaliseError(body, status) {
  const fields = {};
  let code = '';
  let message = '';
  if (body && typeof body === 'object') {
    const e = body.error;
    if (typeof e === 'string') {            // planning
      message = e; code = body.code || '';
      addDetails(fields, body.details);
    } else if (e && typeof e === 'object') { // training, platform, chatbot, marketplace
      message = e.message || ''; code = e.code || '';
      addDetails(fields, e.details);
    } else if (body.detail !== undefined) {  // contact-center
      if (typeof body.detail === 'string') message = body.detail;
      else { message = 'Validation failed'; addDetails(fields, body.detail); }
      code = body.error_code || '';
      // each field's own message ({errors: [{field, message}]}), else the one field named
      if (Array.isArray(body.errors)) addDetails(fields, body.errors);
      if (body.field && message && !fields[body.field]) fields[body.field] = message;
    } else if (body.message) {
      message = body.message;
    }
  } else if (typeof body === 'string' && body.trim()) {
    message = body.slice(0, 200);
  }
  if (!message) message = `Request failed with status ${status}`;
  return { code, message, fields };
}

/** Unwraps each module's success envelope. */
export function unwrap(body) {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    if (body.status === 'success' && 'data' in body) return { data: body.data, meta: body.meta || null };
    if (body.success === true && 'data' in body) {
      return { data: body.data, meta: body.metadata || body.pagination || null, message: body.message };
    }
  }
  return { data: body, meta: null };
}

function buildQuery(query) {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * api('training', 'GET', '/admin/scenarios', {query, body, headers, form})
 */
export async function api(module, method, path, opts = {}) {
  const mod = MODULES[module];
  if (!mod) throw new Error(`unknown module ${module}`);
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let body;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const url = mod.base + path + buildQuery(opts.query);
  let resp;
  try {
    resp = await fetch(url, { method, headers, body, signal: opts.signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'NETWORK', message: 'The server cannot be reached. Is Frontline still running?' });
  }
  const type = resp.headers.get('content-type') || '';
  let parsed = null;
  if (resp.status !== 204) {
    if (type.includes('json')) parsed = await resp.json().catch(() => null);
    else if (opts.blob) parsed = await resp.blob();
    else parsed = await resp.text();
  }
  if (!resp.ok) {
    const n = normaliseError(parsed, resp.status);
    const err = new ApiError({ status: resp.status, ...n, body: parsed });
    if (resp.status === 401 && path !== '/login' && session.onExpired) checkSession(err);
    throw err;
  }
  const u = unwrap(parsed);
  return {
    ...u,
    status: resp.status,
    headers: resp.headers,
    total: Number(resp.headers.get('X-Total-Count') ?? NaN),
  };
}

// A module may answer 401 for its own reasons (a missing tenant header, an API
// key it wants); only a token that /auth/me refuses too ends the session.
let checking = null;
function checkSession(err) {
  if (checking || !session.token) return;
  checking = fetch('/auth/me', { headers: { Authorization: `Bearer ${session.token}` } })
    .then((r) => { if (r.status === 401) session.onExpired(err); })
    .catch(() => {})
    .finally(() => { checking = null; });
}

/** Does the signed-in user have any role in `module` (or admin)? */
export function canUse(module, roles = session.user?.roles || []) {
  if (roles.includes('admin')) return true;
  return roles.some((r) => r.startsWith(`${module}:`));
}
export function hasRole(module, role, roles = session.user?.roles || []) {
  return roles.includes('admin') || roles.includes(`${module}:${role}`);
}
export const isAdmin = () => (session.user?.roles || []).includes('admin');
