// Chatbot: a tenant's page (members, usage and bill), intents in the
// configuration, the live tester showing the intent and confidence, the
// conversation with transfer/close/reopen, sessions and channel webhooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, signIn, open, shot, settled, served, routed, adminToken, BASE } from './helpers.mjs';

const dialog = (page) => page.locator('dialog[open]');
const stamp = () => Date.now().toString(36);
let token;
async function call(method, path, body, headers = {}) {
  token ||= await adminToken();
  const r = await fetch(`${BASE}${path}`, { method, headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}`, ...headers }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j?.data ?? j;
}

test('chatbot: tenant page, a custom intent answered in the tester, conversation transfer/close/reopen, a session', async (t) => {
  token ||= await adminToken();
  if (!(await routed('POST', '/chatbot/api/v2/tenants', token)) || !(await served('/chatbot/api/v2/conversations', token))) {
    t.skip('the chatbot API is not served by this build yet');
    return;
  }
  const tag = stamp();
  const tenant = await call('POST', '/chatbot/api/v2/tenants', { name: `E2E Shop ${tag}`, domain: `shop-${tag}.example.com`, plan: 'starter', admin_user: { email: `owner-${tag}@example.com`, first_name: 'Olive' } });
  const tid = tenant.tenant_id;
  await withBrowser(async (page) => {
    await signIn(page);
    // the tenant's own page: members, usage and the bill
    await open(page, `chatbot/t/${tid}`);
    await page.getByRole('heading', { name: `E2E Shop ${tag}` }).waitFor();
    await settled(page);
    await page.getByTestId('bill').getByText('Total').waitFor();
    await page.getByRole('button', { name: 'Add member' }).click();
    await dialog(page).getByLabel('E-mail').fill('not-an-email');
    await dialog(page).getByRole('button', { name: 'Add member' }).click();
    await dialog(page).locator('[data-field=email] .field-error').filter({ hasText: /./ }).waitFor();
    await dialog(page).getByLabel('E-mail').fill(`agent-${tag}@example.com`);
    await dialog(page).getByLabel(/^First name/).fill('Ada');
    await dialog(page).getByRole('button', { name: 'Add member' }).click();
    await page.locator('td', { hasText: `agent-${tag}@example.com` }).waitFor();
    await shot(page, '07-chatbot-tenant');
    await page.getByRole('button', { name: 'Use in tester' }).click();
    await page.waitForLoadState('load');

    // a custom intent in the configuration
    await open(page, 'chatbot/config');
    await page.getByRole('button', { name: 'Add intent' }).click();
    const it = page.getByTestId('intent').last();
    await it.getByLabel(/^Name/).fill('refund_policy');
    await it.getByLabel('Example phrases (one per line)').fill('what is your refund policy\ncan I get a refund\nhow do refunds work');
    await it.getByLabel(/^Responses/).fill('You can return any item within 30 days for a full refund.');
    await page.getByRole('button', { name: 'Save intents' }).click();
    await page.getByText(/Intents saved \(v\d+\)/).waitFor();
    const cfg = await call('GET', `/chatbot/api/v2/tenants/${tid}/config`, null, { 'X-Tenant-ID': tid });
    assert.equal(cfg.configuration.chatbot.intents[0].name, 'refund_policy');
    await shot(page, '07-chatbot-intents');

    // the tester names the intent and its confidence
    await open(page, 'chatbot/tester');
    await page.getByLabel('Message').fill('what is your refund policy?');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.getByTestId('bot-reply').first();
    await reply.waitFor();
    assert.match(await reply.innerText(), /30 days for a full refund/);
    assert.match(await reply.innerText(), /intent: refund_policy · confidence: (0\.\d+|1)/);
    await shot(page, '07-chatbot-tester');

    // the conversation: transfer, close, reopen
    await page.locator('.kv a[href^="#/chatbot/c/"]').click();
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
    await settled(page);
    await page.locator('.bubble', { hasText: 'refund policy' }).first().waitFor();
    await page.getByRole('button', { name: 'Transfer to agent' }).click();
    await dialog(page).getByRole('button', { name: 'Transfer' }).click();
    await page.locator('.badge', { hasText: 'transferred' }).first().waitFor();
    await settled(page);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('.badge', { hasText: 'closed' }).first().waitFor();
    await settled(page);
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.locator('.badge', { hasText: 'active' }).first().waitFor();
    await settled(page);
    await page.getByRole('combobox', { name: 'Rate this reply' }).first().selectOption('4');
    await page.getByText(/Conversation satisfaction is now 4/).waitFor();
    await shot(page, '07-chatbot-conversation');
    if (await routed('POST', `/chatbot/api/v2/conversations/x/export`, token)) {
      await page.getByRole('button', { name: 'Export' }).click();
      await dialog(page).getByLabel('Format').selectOption('csv');
      await dialog(page).getByRole('button', { name: 'Export' }).click();
      const link = dialog(page).getByRole('link', { name: 'Download' });
      await link.waitFor();
      const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const csv = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
      assert.match(csv, /refund policy/, 'the export holds the messages');
      await page.keyboard.press('Escape');
    }

    // a session: start, update the context, extend, end
    await open(page, 'chatbot/sessions');
    await page.getByLabel(/^User id/).fill(`visitor-${tag}`);
    await page.getByRole('button', { name: 'Start session' }).click();
    await page.getByRole('heading', { level: 2, name: /^Session / }).waitFor();
    await settled(page);
    assert.match(await page.getByTestId('session-context').innerText(), /"product_interest": "headphones"/);
    await page.getByRole('button', { name: 'Update context' }).click();
    await page.getByTestId('session-context').getByText('"cart_value": 149.99').waitFor();
    const before = await page.getByTestId('session-expiry').innerText();
    await page.getByRole('button', { name: 'Extend 30 min' }).click();
    await page.getByTestId('session-expiry').filter({ hasNotText: before }).waitFor();
    await shot(page, '07-chatbot-session');
    await page.getByRole('button', { name: 'End session' }).click();
    await page.locator('.badge', { hasText: 'ended' }).first().waitFor();

    // channel webhooks: addresses and a refused verification (no token configured)
    await open(page, 'chatbot/webhooks');
    await page.getByText(`${BASE}/chatbot/api/v2/webhooks/whatsapp`).first().waitFor();
    await page.getByLabel(/^Verify token/).fill('wrong-token');
    await page.getByRole('button', { name: 'Try verification' }).click();
    await page.getByText(/Refused \(HTTP 4\d\d\)/).waitFor();
    await shot(page, '07-chatbot-webhooks');
  });
});
