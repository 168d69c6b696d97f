// More of a working day: my profile (password change), each create form's
// own field errors, the review moderation queue, copy buttons on values shown
// once, and a screenshot of every page at desktop and phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { withBrowser, signIn, open, shot, settled, adminToken, BASE, ARTIFACTS } from './helpers.mjs';

async function call(method, url, token, body) {
  const r = await fetch(`${BASE}${url}`, { method, headers: { 'content-type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}

test('my profile: a user changes their own password; other sessions end', async () => {
  const admin = await adminToken();
  const email = `e2e-self-${Date.now()}@example.com`;
  const made = await call('POST', '/auth/users', admin, { email, password: 'first-password-123', name: 'Pat Self', roles: ['training:viewer'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const elsewhere = (await call('POST', '/auth/login', null, { email, password: 'first-password-123' })).body.access_token;
  await withBrowser(async (page) => {
    await signIn(page, email, 'first-password-123');
    await page.getByTestId('me').click();
    await page.getByRole('heading', { name: 'My profile' }).waitFor();
    const f = page.locator('form', { has: page.getByRole('button', { name: 'Change password' }) });
    // empty: each field says so
    await page.getByRole('button', { name: 'Change password' }).click();
    await f.locator('.field[data-field="current_password"].has-error').waitFor();
    // a wrong current password is refused on its field
    const input = (name) => f.locator(`.field[data-field="${name}"] input`);
    await input('current_password').fill('not-my-password-1');
    await input('new_password').fill('second-password-456');
    await input('repeat').fill('second-password-456');
    await page.getByRole('button', { name: 'Change password' }).click();
    const cur = f.locator('.field[data-field="current_password"] .field-error');
    await cur.filter({ hasText: /current password/ }).waitFor();
    await input('current_password').fill('first-password-123');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions are signed out.').waitFor();
    await shot(page, '11-profile');
    // this browser stays signed in; the other session does not
    await open(page, '');
    await page.getByRole('heading', { name: /Welcome, Pat Self/ }).waitFor();
  });
  assert.equal((await call('GET', '/auth/me', elsewhere)).status, 401, 'the other session still works');
  assert.equal((await call('POST', '/auth/login', null, { email, password: 'second-password-456' })).status, 200);
});

const FORMS = [
  ['users', 'New user', ['name', 'email', 'password']],
  ['contact-center/contacts', 'New contact', ['first_name', 'phone_number']],
  ['contact-center/teams', 'New agent', ['user_id', 'agent_number']],
  ['contact-center/teams', 'New team', ['name']],
  ['contact-center/queues', 'New queue', ['name']],
  ['contact-center/campaigns', 'New campaign', ['name']],
  ['chatbot/tenants', 'New tenant', ['name', 'admin_user.email']],
  ['planning/versions', 'New version', ['name']],
];

test('an empty create form shows each field its own error, never a parser message', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    const wrong = [];
    for (const [route, button, expected] of FORMS) {
      await open(page, route);
      await page.getByRole('button', { name: button, exact: true }).first().click();
      const d = page.locator('dialog[open]');
      await d.waitFor();
      await d.locator('button[type=submit]').last().click();
      await d.locator('.field.has-error').first().waitFor({ timeout: 5000 }).catch(() => {});
      const got = Object.fromEntries(await d.locator('.field.has-error').evaluateAll((els) => els.map((e) => [e.dataset.field, e.querySelector('.field-error').textContent])));
      const text = await d.innerText();
      for (const f of expected) if (!got[f] || /^Validation failed$/i.test(got[f])) wrong.push(`${button}: ${f} shows ${JSON.stringify(got[f] ?? null)}`);
      if (/Expected input type|occurred while parsing/.test(text)) wrong.push(`${button}: a parser message`);
      await shot(page, `11-form-${button.toLowerCase().replace(/\W+/g, '-')}`);
      await page.keyboard.press('Escape');
    }
    assert.deepEqual(wrong, []);
  });
});

test('the moderation queue: reviews waiting, moderated in place with their status shown', async () => {
  const token = await adminToken();
  const q = await call('GET', '/marketplace/v1/admin/reviews?status=pending&limit=5', token);
  assert.equal(q.status, 200, JSON.stringify(q.body));
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'marketplace/moderation');
    await page.getByTestId('moderation-count').filter({ hasText: /review/ }).waitFor();
    const cards = page.locator('[data-review]');
    if (!(q.body.data || []).length) {
      await page.getByText('No reviews wait for moderation.').waitFor();
      return;
    }
    const first = cards.first();
    await page.getByLabel('Show').selectOption('pending');
    await settled(page);
    await first.getByRole('button', { name: /^Flag/ }).click();
    await first.getByTestId('review-status').filter({ hasText: /flagged/i }).waitFor();
    await page.getByText('Review flagged.').waitFor();
    await first.getByRole('button', { name: /^Approve/ }).click();
    await first.getByTestId('review-status').filter({ hasText: /approved/i }).waitFor();
    await shot(page, '11-moderation-queue');
  });
});

test('values shown once have a copy button', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'chatbot/tenants');
    await page.getByRole('button', { name: 'New tenant' }).click();
    const d = page.locator('dialog[open]');
    const u = Date.now().toString(36);
    const input = (name) => d.locator(`.field[data-field="${name}"] input`);
    await input('name').fill(`Copy Shop ${u}`);
    await input('domain').fill(`copy-${u}.example`);
    await input('admin_user.email').fill(`copy-${u}@example.com`);
    await input('admin_user.first_name').fill('Cora');
    await d.getByRole('button', { name: 'Create tenant' }).click();
    const created = page.locator('dialog[open]', { hasText: 'Tenant created' });
    await created.waitFor();
    const copy = created.getByRole('button', { name: /^Copy/ }).first();
    await copy.click();
    await page.getByText('Copied to the clipboard.').waitFor();
    await shot(page, '11-copy-api-key');
  });
});

const PAGES = [
  '', 'profile', 'users', 'audit',
  'training/scenarios', 'training/search', 'training/templates', 'training/import', 'training/dashboard', 'training/ab', 'training/new',
  'chatbot/tester', 'chatbot/inbox', 'chatbot/conversations', 'chatbot/tenants', 'chatbot/config', 'chatbot/sessions', 'chatbot/webhooks', 'chatbot/health',
  'contact-center/campaigns', 'contact-center/templates', 'contact-center/contacts', 'contact-center/calllists', 'contact-center/teams', 'contact-center/queues', 'contact-center/knowledge',
  'contact-center/ivr', 'contact-center/routing', 'contact-center/voicemail', 'contact-center/dashboard', 'contact-center/reports',
  'marketplace/search', 'marketplace/providers', 'marketplace/pricing', 'marketplace/estimate', 'marketplace/reviews', 'marketplace/moderation', 'marketplace/campaigns', 'marketplace/analytics', 'marketplace/webhooks',
  'planning/versions', 'planning/compare', 'planning/reports', 'planning/admin',
];

test('a screenshot of every page at 1280×800 and 390×844', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    const missing = [];
    for (const [width, height, tag] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width, height });
      for (const r of PAGES) {
        await open(page, r);
        const name = `screen-${tag}-${(r || 'overview').replace(/\//g, '-')}`;
        await shot(page, name);
        if (!fs.existsSync(path.join(ARTIFACTS, `${name}.png`))) missing.push(name);
      }
    }
    assert.deepEqual(missing, []);
  });
});

test('buttons a role cannot use are not shown (contact center, chatbot)', async () => {
  const admin = await adminToken();
  const email = `e2e-agent-${Date.now()}@example.com`;
  const made = await call('POST', '/auth/users', admin, { email, password: 'agent-password-123', name: 'Ari Agent', roles: ['contact-center:agent', 'chatbot:agent'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await withBrowser(async (page) => {
    await signIn(page, email, 'agent-password-123');
    const shown = [];
    for (const [route, names] of [['contact-center/teams', ['New team', 'New agent']], ['contact-center/queues', ['New queue']], ['contact-center/knowledge', ['New company']], ['chatbot/tenants', ['New tenant']]]) {
      await open(page, route);
      for (const n of names) if (await page.getByRole('button', { name: n, exact: true }).count()) shown.push(`${route}: ${n}`);
    }
    await shot(page, '11-agent-chatbot-tenants');
    assert.deepEqual(shown, [], 'buttons the role cannot use');
  });
});
