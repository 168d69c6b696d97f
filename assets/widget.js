// Frontline website chat widget. Paste into a page of a site the tenant
// lists in channels.web.allowed_origins:
//   <script src="https://frontline.example/widget.js" data-tenant="TENANT_ID" async></script>
// It opens a chat window with the tenant's name and colours (GET
// /chatbot/api/v2/widget/config), starts a visitor session (POST /sessions),
// sends messages (POST /chat/message with the session token) and shows the
// bot's and the agents' replies (and, while an agent has the conversation and
// the bot stays quiet, a line saying a person is handling it) (GET /conversations/{id}, every few seconds
// while open). Everything lives in a shadow root: the page's styles do not
// leak in, the widget's do not leak out.
(() => {
  const script = document.currentScript;
  const tenant = script && script.dataset.tenant;
  if (!tenant) { console.warn('Frontline widget: data-tenant is missing on the script tag'); return; }
  const api = `${new URL(script.src, location.href).origin}/chatbot/api/v2`;
  const KEY = `frontline.widget.${tenant}`;
  const POLL_MS = 2500;
  let state = {};
  try { state = JSON.parse(localStorage.getItem(KEY) || '{}'); } catch { state = {}; }
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch { /* private mode */ } };

  const host = document.createElement('div');
  host.id = 'frontline-chat-widget';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
    :host { all: initial; --fl-primary: #1f2937; --fl-accent: #3b82f6; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
    * { box-sizing: border-box; }
    .wrap { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end; gap: 10px; }
    .wrap.left { right: auto; left: 20px; align-items: flex-start; }
    .launcher { background: var(--fl-primary); color: #fff; border: 0; border-radius: 999px; padding: 12px 18px; font: inherit; font-weight: 600; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); }
    .panel { width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 110px)); background: #fff; color: #111827; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden; }
    .panel[hidden] { display: none; }
    header { background: var(--fl-primary); color: #fff; padding: 12px 14px; display: flex; align-items: center; gap: 8px; }
    header img { width: 28px; height: 28px; border-radius: 6px; object-fit: cover; }
    header .title { flex: 1; font-weight: 700; }
    header button { background: transparent; color: #fff; border: 0; font-size: 22px; line-height: 1; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
    .msg { max-width: 85%; padding: 8px 11px; border-radius: 12px; background: #fff; border: 1px solid #e5e7eb; white-space: pre-wrap; word-wrap: break-word; }
    .msg.visitor { align-self: flex-end; background: var(--fl-accent); color: #fff; border-color: transparent; }
    .msg small { display: block; font-size: 11px; opacity: .7; margin-top: 2px; }
    .msg.agent { border-color: var(--fl-primary); }
    .notice { font-size: 12px; color: #6b7280; text-align: center; }
    form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; background: #fff; }
    input { flex: 1; min-width: 0; padding: 9px 10px; border: 1px solid #d1d5db; border-radius: 8px; font: inherit; color: #111827; background: #fff; }
    form button { background: var(--fl-accent); color: #fff; border: 0; border-radius: 8px; padding: 0 14px; font: inherit; font-weight: 600; cursor: pointer; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  </style>
  <div class="wrap">
    <section class="panel" role="dialog" aria-label="Chat" hidden>
      <header><img alt="" hidden><span class="title">Chat</span><button type="button" class="close" aria-label="Close chat">×</button></header>
      <div class="log" role="log" aria-live="polite"></div>
      <form><label class="sr" for="fl-input">Your message</label><input id="fl-input" autocomplete="off" placeholder="Type a message…" maxlength="4000"><button type="submit">Send</button></form>
    </section>
    <button type="button" class="launcher" aria-expanded="false">Chat with us</button>
  </div>`;
  const $ = (s) => root.querySelector(s);
  const wrap = $('.wrap'); const panel = $('.panel'); const log = $('.log'); const input = $('input'); const launcher = $('.launcher');
  let welcome = '';
  let shown = -1;
  let timer = null;

  const headers = (auth) => {
    const h = { 'Content-Type': 'application/json', 'X-Tenant-ID': tenant };
    if (auth && state.token) h.Authorization = `Bearer ${state.token}`;
    return h;
  };
  async function call(method, path, body, auth = true) {
    const r = await fetch(api + path, { method, headers: headers(auth), body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => null);
    if (!r.ok) { const e = new Error(data?.error?.message || `HTTP ${r.status}`); e.status = r.status; throw e; }
    return data.data;
  }
  function line(cls, text, meta) {
    const d = document.createElement('div');
    d.className = `msg ${cls}`;
    d.textContent = text;
    if (meta) { const s = document.createElement('small'); s.textContent = meta; d.append(s); }
    log.append(d);
  }
  function notice(text) { const d = document.createElement('div'); d.className = 'notice'; d.textContent = text; log.append(d); log.scrollTop = log.scrollHeight; }
  function render(messages) {
    if (messages.length === shown) return;
    shown = messages.length;
    log.replaceChildren();
    if (welcome) line('bot', welcome);
    for (const m of messages) {
      const text = m.content?.text || '';
      if (m.direction === 'inbound') line('visitor', text);
      else if (m.model_used === 'human_agent') line('agent', text, 'Agent');
      else line('bot', text);
    }
    // an agent has the conversation: the bot does not answer, a person will
    if (state.withAgent) { const d = document.createElement('div'); d.className = 'notice'; d.dataset.handoff = ''; d.textContent = 'A person is handling your conversation and will answer here.'; log.append(d); }
    log.scrollTop = log.scrollHeight;
  }
  async function session() {
    if (state.token) return;
    const user = state.user || `web_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    const d = await call('POST', '/sessions', { user_id: user, channel: 'web', initial_context: { page_url: location.href } }, false);
    state = { token: d.session_token, session: d.session_id, user };
    save();
  }
  async function refresh() {
    if (!state.conversation) { render([]); return; }
    try {
      const c = await call('GET', `/conversations/${encodeURIComponent(state.conversation)}?include_messages=true&message_limit=200`);
      render(c.messages || []);
    } catch (e) {
      if (e.status === 401 || e.status === 404) { state = { user: state.user }; save(); shown = -1; render([]); }
    }
  }
  async function send(text, retried) {
    try {
      await session();
      const body = { user_id: state.user, channel: 'web', content: { type: 'text', text } };
      if (state.conversation) body.conversation_id = state.conversation;
      const r = await call('POST', '/chat/message', body);
      state.conversation = r.conversation_id || state.conversation;
      // no bot reply and the stage says so: an agent has taken the conversation over
      const withAgent = !r.reply_message_id && r.conversation_state?.conversation_stage === 'transferred_to_agent';
      if (withAgent !== !!state.withAgent) shown = -1;
      state.withAgent = withAgent;
      save();
      await refresh();
    } catch (e) {
      if (!retried && (e.status === 401 || e.status === 409)) { state = { user: state.user }; save(); return send(text, true); }
      notice(`Not sent: ${e.message}`);
    }
  }
  function open(yes) {
    panel.hidden = !yes;
    launcher.setAttribute('aria-expanded', String(yes));
    launcher.textContent = yes ? 'Close chat' : 'Chat with us';
    clearInterval(timer);
    if (yes) { refresh(); timer = setInterval(refresh, POLL_MS); input.focus(); }
  }
  launcher.addEventListener('click', () => open(panel.hidden));
  $('.close').addEventListener('click', () => open(false));
  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    line('visitor', text);
    shown = -1;
    log.scrollTop = log.scrollHeight;
    send(text);
  });

  (async () => {
    try {
      const c = await call('GET', '/widget/config', null, false);
      $('.title').textContent = c.name;
      panel.setAttribute('aria-label', `Chat with ${c.name}`);
      if (c.primary_color) host.style.setProperty('--fl-primary', c.primary_color);
      if (c.secondary_color) host.style.setProperty('--fl-accent', c.secondary_color);
      if (c.logo_url) { const img = $('header img'); img.src = c.logo_url; img.hidden = false; }
      if (c.position === 'bottom_left') wrap.classList.add('left');
      welcome = c.welcome_message || '';
      render([]);
    } catch (e) {
      console.warn(`Frontline widget: this site may not call Frontline for tenant ${tenant} (${e.message}); list its origin in channels.web.allowed_origins`);
      return;
    }
    (document.body || document.documentElement).append(host);
  })();
})();
