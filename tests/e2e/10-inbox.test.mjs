// The agent inbox and the website widget: a visitor's message appears in the
// inbox live (no reload), the agent claims and replies, the visitor's session
// reads the reply; the widget, loaded from another origin the tenant lists,
// holds a conversation that an agent answers from the inbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withBrowser, launch, signIn, open, shot, adminToken, BASE } from './helpers.mjs';

const API = `${BASE}/chatbot/api/v2`;
const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function json(method, path, { token, tenant, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.Authorization = token.startsWith('st_') || token.length > 60 ? `Bearer ${token}` : token;
  if (tenant) headers['X-Tenant-ID'] = tenant;
  const r = await fetch(`${API}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const b = await r.json().catch(() => null);
  return { status: r.status, body: b };
}

async function newTenant(token, configuration = {}) {
  const u = uniq();
  const r = await json('POST', '/tenants', { token, body: { name: `Shop ${u}`, plan: 'enterprise', domain: `shop-${u}.example`,
    admin_user: { email: `owner-${u}@shop.example`, first_name: 'Owner' } } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const tid = r.body.data.tenant_id;
  if (Object.keys(configuration).length) {
    const c = await json('PUT', `/tenants/${tid}/config`, { token, tenant: tid, body: { configuration } });
    assert.equal(c.status, 200, JSON.stringify(c.body));
  }
  return tid;
}

async function useTenant(page, tid) {
  await page.evaluate((t) => sessionStorage.setItem('frontline.chatbot.tenant', t), tid);
}

test('a visitor message appears in the inbox live; the agent replies; the visitor reads the reply', async () => {
  const token = await adminToken();
  const tid = await newTenant(token);
  await withBrowser(async (page) => {
    await signIn(page);
    await useTenant(page, tid);
    await open(page, 'chatbot/inbox');
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
    await page.evaluate(() => { window.__sameDocument = 'yes'; });
    await shot(page, '10-inbox-empty');

    // a visitor writes something the bot does not understand
    const s = await json('POST', '/sessions', { tenant: tid, body: { user_id: 'visitor_live', channel: 'web' } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const st = s.body.data.session_token;
    const m = await json('POST', '/chat/message', { token: st, tenant: tid, body: { user_id: 'visitor_live', channel: 'web', content: { type: 'text', text: 'zorblax quintessential flamingo' } } });
    assert.equal(m.status, 200, JSON.stringify(m.body));
    const conv = m.body.data.conversation_id;

    // it shows up without a reload
    const item = page.locator(`[data-conversation="${conv}"]`);
    await item.waitFor({ timeout: 8000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'the page was reloaded');
    assert.match(await item.innerText(), /zorblax quintessential flamingo/);
    assert.match(await item.innerText(), /Bot unsure/);
    await item.click();
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByText(/yours/).first().waitFor();
    await page.getByLabel('Reply to the visitor').fill('Hello, I am Ada from support. How can I help?');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByTestId('inbox-messages').getByText('Hello, I am Ada from support.').waitFor();
    await page.getByLabel('Internal note').fill('Visitor seems confused; check the order history');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.note', { hasText: 'check the order history' }).waitFor();
    await shot(page, '10-inbox-conversation');

    // the visitor's session reads the agent's reply, and never the note
    const seen = await json('GET', `/conversations/${conv}`, { token: st, tenant: tid });
    assert.equal(seen.status, 200);
    const last = seen.body.data.messages.at(-1);
    assert.equal(last.content.text, 'Hello, I am Ada from support. How can I help?');
    assert.equal(last.model_used, 'human_agent');
    assert.doesNotMatch(JSON.stringify(seen.body), /order history/);

    // a new visitor message in the open conversation appears live too, and the
    // bot stays quiet: the agent has it (no bot text, stage transferred_to_agent)
    const quiet = await json('POST', '/chat/message', { token: st, tenant: tid, body: { user_id: 'visitor_live', channel: 'web', conversation_id: conv, content: { type: 'text', text: 'my parcel 4711 is late' } } });
    assert.equal(quiet.status, 200, JSON.stringify(quiet.body));
    assert.equal(quiet.body.data.response.text, '');
    assert.equal(quiet.body.data.reply_message_id, undefined);
    assert.equal(quiet.body.data.conversation_state.conversation_stage, 'transferred_to_agent');
    await page.getByTestId('inbox-messages').getByText('my parcel 4711 is late').waitFor({ timeout: 8000 });
    const from = await page.getByTestId('inbox-messages').locator('.bubble').evaluateAll((els) => els.map((e) => [...e.classList].find((c) => c.startsWith('from-'))));
    assert.equal(from.at(-1), 'from-visitor', 'no bot answer after the visitor\'s message');

    // releasing gives it back: unclaimed, and the bot answers again; claim it again
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.getByText(/· unclaimed/).first().waitFor();
    const bot = await json('POST', '/chat/message', { token: st, tenant: tid, body: { user_id: 'visitor_live', channel: 'web', conversation_id: conv, content: { type: 'text', text: 'hello?' } } });
    assert.ok(bot.body.data.reply_message_id, JSON.stringify(bot.body));
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByText(/yours/).first().waitFor();

    // close with a resolution: a blank one is refused on its field
    await page.getByRole('button', { name: 'Close with resolution' }).click();
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByLabel('Resolution (what was done)').fill('Parcel re-sent');
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByText('Parcel re-sent').waitFor();
    await item.waitFor({ state: 'detached', timeout: 8000 });
  });
});

test('the website widget on another origin holds a conversation an agent answers from the inbox', async () => {
  const token = await adminToken();
  const shop = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><head><title>Corner Shop</title></head><body><h1>Corner Shop</h1><p>Fresh bread daily.</p>
<script src="${BASE}/widget.js" data-tenant="${shop.tenant}" async></script></body></html>`);
  });
  await new Promise((r) => shop.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${shop.address().port}`;
  const visitor = await launch();
  try {
    // nothing is allowed by default: the widget stays away from an unlisted site
    shop.tenant = await newTenant(token);
    await visitor.page.goto(`${origin}/`);
    await visitor.page.waitForTimeout(1500);
    assert.equal(await visitor.page.getByRole('button', { name: 'Chat with us' }).count(), 0, 'the widget worked for an unlisted origin');

    shop.tenant = await newTenant(token, {
      channels: { web: { allowed_origins: [origin], widget_color: '#7c2d12', welcome_message: 'Welcome to Corner Shop!' } },
      general: { branding: { company_name: 'Corner Shop', secondary_color: '#15803d' } },
    });
    const tid = shop.tenant;
    visitor.problems.length = 0;
    await visitor.page.goto(`${origin}/`);
    await visitor.page.getByRole('button', { name: 'Chat with us' }).click();
    const panel = visitor.page.getByRole('dialog', { name: 'Chat with Corner Shop' });
    await panel.waitFor();
    await panel.getByText('Welcome to Corner Shop!').waitFor();
    const bg = await visitor.page.locator('#frontline-chat-widget').evaluate((el) => getComputedStyle(el.shadowRoot.querySelector('header')).backgroundColor);
    assert.equal(bg, 'rgb(124, 45, 18)', 'the tenant colour');
    await panel.getByLabel('Your message').fill('blorptastic wibble question');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.locator('.msg.bot').nth(1).waitFor({ timeout: 8000 });
    await shot(visitor.page, '10-widget-open');

    await withBrowser(async (page) => {
      await signIn(page);
      await useTenant(page, tid);
      await open(page, 'chatbot/inbox');
      const item = page.locator('[data-conversation]', { hasText: 'blorptastic' });
      await item.waitFor({ timeout: 8000 });
      await item.click();
      await page.getByLabel('Reply to the visitor').fill('Hi! A real person here - what do you need?');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByTestId('inbox-messages').getByText('A real person here').waitFor();
    });
    await panel.getByText('Hi! A real person here - what do you need?').waitFor({ timeout: 10000 });
    // the agent has the conversation: the bot stays quiet and the widget says a person handles it
    const bots = await panel.locator('.msg.bot').count();
    await panel.getByLabel('Your message').fill('I need a gluten-free loaf');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.getByText('A person is handling your conversation').waitFor({ timeout: 8000 });
    assert.equal(await panel.locator('.msg.bot').count(), bots, 'the bot answered while an agent had the conversation');
    await shot(visitor.page, '10-widget-agent-reply');
    const problems = visitor.problems.filter((p) => !/favicon/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await visitor.close();
    shop.close();
  }
});

test('an admin releases another agent\'s claim from the inbox; then the conversation waits unclaimed', async () => {
  const token = await adminToken();
  const tid = await newTenant(token);
  // an agent of the tenant, signed in through the platform, claims a conversation
  const u = uniq();
  const email = `agent-${u}@shop.example`;
  const made = await fetch(`${BASE}/auth/users`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ email, name: 'Bea Agent', password: 'agent-password-1', roles: [] }) });
  assert.equal(made.status, 201, await made.text());
  const m = await json('POST', `/tenants/${tid}/users`, { token, tenant: tid, body: { email, first_name: 'Bea', last_name: 'Agent', role: 'agent', send_invitation: false } });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const agent = (await (await fetch(`${BASE}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'agent-password-1' }) })).json()).access_token;
  const s = await json('POST', '/sessions', { tenant: tid, body: { user_id: 'visitor_r', channel: 'web' } });
  const st = s.body.data.session_token;
  const first = await json('POST', '/chat/message', { token: st, tenant: tid, body: { user_id: 'visitor_r', channel: 'web', content: { type: 'text', text: 'I want to speak to a human' } } });
  const conv = first.body.data.conversation_id;
  const c = await json('POST', `/inbox/${conv}/claim`, { token: agent, tenant: tid });
  assert.equal(c.status, 200, JSON.stringify(c.body));

  await withBrowser(async (page) => {
    await signIn(page);
    await useTenant(page, tid);
    await open(page, 'chatbot/inbox');
    await page.locator(`[data-conversation="${conv}"]`).click();
    await page.getByTestId('taken').filter({ hasText: 'Bea Agent is answering' }).waitFor();
    // an administrator may close or release it; an ordinary agent would not see these buttons
    await page.getByRole('button', { name: 'Close with resolution' }).waitFor();
    await page.getByRole('button', { name: 'Release claim' }).click();
    await page.getByText(/· unclaimed/).first().waitFor();
    await page.getByRole('button', { name: 'Claim', exact: true }).waitFor();
    await shot(page, '10-inbox-released');
  });
  const after = await json('GET', `/inbox/${conv}`, { token: agent, tenant: tid });
  assert.equal(after.body.data.conversation.assignee ?? null, null, JSON.stringify(after.body));
});
