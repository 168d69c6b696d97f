// Frontline admin UI: shell, sign-in and hash routing.
import { api, session, MODULES, canUse, hasRole, isAdmin, ApiError } from './lib/api.js';
import { h, clear, form, toast, errorState, loading, badge, card, kv, fmt } from './lib/ui.js';

const app = document.getElementById('app');

// Light or dark: the user's choice (remembered in this browser), else the system's.
const THEME_KEY = 'frontline.theme';
const systemDark = window.matchMedia?.('(prefers-color-scheme: dark)');
function theme() { return localStorage.getItem(THEME_KEY) || (systemDark?.matches ? 'dark' : 'light'); }
function applyTheme() {
  document.documentElement.dataset.theme = theme();
  document.querySelectorAll('[data-theme-toggle]').forEach(themeLabel);
}
function themeLabel(b) { b.textContent = theme() === 'dark' ? 'Light mode' : 'Dark mode'; }
systemDark?.addEventListener?.('change', applyTheme);
applyTheme();
function themeToggle() {
  const b = h('button', { type: 'button', class: 'btn btn-small', 'data-theme-toggle': '', onclick: () => {
    localStorage.setItem(THEME_KEY, theme() === 'dark' ? 'light' : 'dark');
    applyTheme();
  } });
  themeLabel(b);
  return b;
}

// route table: first path segment -> page module; `module` gates visibility.
const PAGES = [
  { path: 'home', title: 'Overview', file: null },
  { path: 'training', title: 'Training', module: 'training', file: './pages/training.js' },
  { path: 'chatbot', title: 'Chatbot', module: 'chatbot', file: './pages/chatbot.js' },
  { path: 'contact-center', title: 'Contact center', module: 'contact-center', file: './pages/contact.js' },
  { path: 'marketplace', title: 'Marketplace', module: 'marketplace', file: './pages/marketplace.js' },
  { path: 'planning', title: 'Planning', module: 'planning', file: './pages/planning.js' },
  { path: 'users', title: 'Users & roles', admin: true, file: './pages/users.js' },
  { path: 'audit', title: 'Audit log', admin: true, file: './pages/audit.js' },
  { path: 'profile', title: 'My profile', self: true, file: './pages/profile.js' },
];

export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || 'home', rest: parts.slice(1), query: new URLSearchParams(queryPart || '') };
}
export function go(hash) { location.hash = hash; }

session.onExpired = () => {
  if (!session.token) return;
  session.token = null;
  session.user = null;
  toast('Your session has ended. Please sign in again.', 'error');
  render();
};

async function signIn() {
  clear(app, h('main', { class: 'login', id: 'main' }, h('div', { class: 'card' },
    h('h1', null, 'Frontline'),
    h('p', { class: 'muted' }, 'Sign in to manage training, chatbot, contact center, marketplace and planning.'),
    form({
      fields: [
        { name: 'email', label: 'E-mail', type: 'email', required: true, autocomplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
      ],
      submitLabel: 'Sign in',
      onSubmit: async (v) => {
        if (!v.email || !v.password) {
          throw new ApiError({ status: 0, message: 'Please fill in both fields', fields: { ...(v.email ? {} : { email: 'Required' }), ...(v.password ? {} : { password: 'Required' }) } });
        }
        const r = await api('platform', 'POST', '/login', { body: { email: v.email, password: v.password } });
        session.token = r.data.access_token;
      },
      onDone: () => { render(); },
    }),
    h('p', { class: 'muted', style: 'font-size:.85rem;margin-top:1rem' }, 'API documentation: ', h('a', { href: '/docs' }, '/docs')))));
  app.querySelector('input')?.focus();
}

async function signOut() {
  try { await api('platform', 'POST', '/logout'); } catch { /* token may already be gone */ }
  session.token = null;
  session.user = null;
  location.hash = '';
  render();
  toast('Signed out.');
}

function navFor(user) {
  const visible = PAGES.filter((p) => !p.self && (p.admin ? isAdmin() : !p.module || canUse(p.module, user.roles)));
  const { page } = parseHash();
  const link = (p) => h('a', { class: 'nav', href: `#/${p.path === 'home' ? '' : p.path}`, 'aria-current': page === p.path ? 'page' : null }, p.title);
  return h('nav', { class: 'sidebar', 'aria-label': 'Main' },
    h('a', { class: 'brand', href: '#/' }, 'Frontline'),
    link(visible[0]),
    h('div', { class: 'nav-group' }, 'Modules'),
    visible.filter((p) => p.module).map(link),
    isAdmin() ? [h('div', { class: 'nav-group' }, 'Administration'), visible.filter((p) => p.admin).map(link)] : null,
    h('div', { class: 'nav-foot' }, h('a', { href: '/docs', target: '_blank', rel: 'noopener' }, 'API docs (all modules)')));
}

let current = null;
// pages anyone may open, signed in or not (their link carries the credential)
const PUBLIC = { 'accept-invitation': { title: 'Accept invitation', file: './pages/accept.js' } };
async function publicPage(spec) {
  const main = h('main', { class: 'login public', id: 'main', tabindex: '-1' });
  clear(app, main);
  document.title = `${spec.title} · Frontline`;
  clear(main, loading());
  try {
    const mod = await import(spec.file);
    await mod.render(main, parseHash());
  } catch (err) {
    clear(main, errorState(err));
  }
}

async function render() {
  const pub = PUBLIC[parseHash().page];
  if (pub) { current = null; return publicPage(pub); }
  if (!session.token) { current = null; return signIn(); }
  if (!session.user) {
    clear(app, loading('Signing in…'));
    try {
      session.user = (await api('platform', 'GET', '/me')).data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) { session.token = null; return signIn(); }
      clear(app, errorState(err, render));
      return;
    }
  }
  const user = session.user;
  const { page } = parseHash();
  const fromTab = document.activeElement?.getAttribute('role') === 'tab';
  const spec = PAGES.find((p) => p.path === page) || PAGES[0];
  const main = h('main', { class: 'main', id: 'main', tabindex: '-1' });
  const toggle = h('button', { type: 'button', class: 'btn menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'sidebar', onclick: () => {
    const open = shell.classList.toggle('nav-open');
    toggle.setAttribute('aria-expanded', String(open));
  } }, '☰ Menu');
  const nav = navFor(user);
  nav.id = 'sidebar';
  nav.addEventListener('click', (e) => { if (e.target.closest('a')) shell.classList.remove('nav-open'); });
  const top = h('header', { class: 'topbar' }, toggle, h('div', { class: 'grow' }),
    h('div', { class: 'who' },
      h('span', null, 'Signed in as ', h('a', { href: '#/profile', 'data-testid': 'me', title: 'My profile' }, user.name || user.email)),
      themeToggle(),
      h('button', { type: 'button', class: 'btn btn-small', onclick: signOut }, 'Sign out')));
  const shell = h('div', { class: 'shell' }, nav, h('div', null, top, main));
  clear(app, shell);
  current = spec.path;
  document.title = `${spec.title} · Frontline`;
  if (!spec.file) { home(main, user); return; }
  const allowed = spec.self || (spec.admin ? isAdmin() : canUse(spec.module, user.roles));
  if (!allowed) {
    const why = spec.admin ? `Only administrators can open ${spec.title}.` : `You have no role in ${spec.title}. Ask an administrator to grant one.`;
    clear(main, errorState(new ApiError({ status: 403, message: why })));
    return;
  }
  clear(main, loading());
  try {
    const mod = await import(spec.file);
    clear(main);
    await mod.render(main, parseHash(), { go, refresh: render });
  } catch (err) {
    clear(main, errorState(err, render));
  }
  // keyboard users switching tabs keep their place; otherwise focus the new page
  const tab = fromTab && main.querySelector('[role=tab][aria-selected=true]');
  if (tab) tab.focus(); else main.focus({ preventScroll: true });
}

function home(main, user) {
  const mods = Object.entries(MODULES).filter(([k]) => k !== 'platform');
  const roles = user.roles.length ? user.roles.map((r) => badge(r, r === 'admin' ? 'admin' : 'role')) : [h('span', { class: 'muted' }, 'No roles yet')];
  clear(main,
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, `Welcome, ${user.name || user.email}`), h('p', null, 'What waits for you today, your account and the modules on this server.'))),
    h('h2', null, "Today's work"),
    todaysWork(user),
    h('div', { class: 'two' },
      card('Who am I', kv([['Name', user.name], ['E-mail', user.email], ['User id', h('code', null, user.id)], ['Organization', user.organization], ['Last sign-in', fmt.date(user.last_login_at)], ['Roles', h('span', { class: 'roles', 'data-testid': 'my-roles' }, roles)]])),
      card('API documentation', h('ul', null,
        h('li', null, h('a', { href: '/docs', target: '_blank', rel: 'noopener' }, 'All modules (/docs)')),
        h('li', null, h('a', { href: MODULES.platform.docs, target: '_blank', rel: 'noopener' }, 'Platform (sign-in, users, audit)')),
        mods.map(([, m]) => h('li', null, h('a', { href: m.docs, target: '_blank', rel: 'noopener' }, `${m.title} — Swagger UI`)))))),
    h('h2', null, 'Modules'),
    h('div', { class: 'cards' }, mods.map(([k, m]) => {
      const ok = canUse(k, user.roles);
      const myRoles = user.roles.filter((r) => r === 'admin' || r.startsWith(`${k}:`));
      return card(m.title,
        h('p', { class: 'muted' }, ok ? `Your roles: ${myRoles.join(', ')}` : 'You have no role in this module.'),
        h('div', { class: 'links' }, ok ? h('a', { href: `#/${k}` }, 'Open') : null, h('a', { href: m.docs, target: '_blank', rel: 'noopener' }, 'Swagger UI')));
    })));
}

// What waits for someone today, counted from each module the user works in.
const WORK = [
  { module: 'chatbot', label: 'Conversations waiting for a human', href: '#/chatbot/inbox', count: async () => {
    const tenants = (await api('chatbot', 'GET', '/tenants')).data?.tenants || [];
    let n = 0;
    for (const t of tenants.slice(0, 20)) {
      const headers = { 'X-Tenant-ID': t.tenant_id };
      // the inbox (agents and admins); members who do not work it count transfers
      const r = await api('chatbot', 'GET', '/inbox', { headers }).catch(() => null);
      if (r) { n += r.data?.total || 0; continue; }
      const c = await api('chatbot', 'GET', '/conversations', { query: { status: 'transferred', limit: 1 }, headers });
      n += c.data?.pagination?.total || 0;
    }
    return n;
  } },
  { module: 'marketplace', role: 'admin', label: 'Reviews waiting for moderation', href: '#/marketplace/moderation', count: async () => {
    const r = await api('marketplace', 'GET', '/admin/reviews', { query: { status: 'pending', limit: 1 } });
    return Number.isFinite(r.total) ? r.total : (r.meta?.total ?? r.pagination?.total ?? (Array.isArray(r.data) ? r.data.length : 0));
  } },
  { module: 'contact-center', label: 'Calls waiting in queues', href: '#/contact-center/queues', count: async () => {
    const queues = (await api('contact-center', 'GET', '/api/v1/queues')).data || [];
    return queues.reduce((a, q) => a + (q.waiting_calls || 0), 0);
  } },
  { module: 'contact-center', label: 'Active alerts', href: '#/contact-center/dashboard', count: async () => {
    const alerts = (await api('contact-center', 'GET', '/api/analytics/alerts', { query: { status: 'active' } })).data;
    return Array.isArray(alerts) ? alerts.length : (alerts?.alerts?.length || 0);
  } },
  { module: 'training', label: 'Scenario drafts to publish', href: '#/training/scenarios', count: async () => {
    const r = await api('training', 'GET', '/admin/scenarios', { query: { status: 'DRAFT', limit: 1 } });
    return r.meta?.total ?? r.data?.pagination?.total ?? 0;
  } },
  { module: 'planning', label: 'Plan versions in draft', href: '#/planning/versions', count: async () => {
    const r = await api('planning', 'GET', '/api/versions', { query: { status: 'DRAFT', limit: 1 } });
    return r.data?.pagination?.total ?? 0;
  } },
];

function todaysWork(user) {
  const mine = WORK.filter((w) => (w.role ? hasRole(w.module, w.role, user.roles) : canUse(w.module, user.roles)));
  if (!mine.length) return h('p', { class: 'muted' }, 'Nothing to work on yet: ask an administrator for a role in a module.');
  return h('div', { class: 'stats', 'data-testid': 'todays-work' }, mine.map((w) => {
    const value = h('div', { class: 'stat-value' }, '…');
    w.count().then((n) => { value.textContent = fmt.num(n); }).catch(() => { value.textContent = '—'; value.title = 'Could not be counted'; });
    return h('a', { class: 'stat stat-link', href: w.href }, value, h('div', { class: 'stat-label' }, w.label));
  }));
}

// the skip link must not become a route: move focus instead of changing the hash
document.querySelector('a.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main')?.focus();
});

// every route change (including sub-routes of a page) re-renders: simple and predictable
window.addEventListener('hashchange', () => render());
render();
