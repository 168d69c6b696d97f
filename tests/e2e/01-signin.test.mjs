import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, EMAIL, withBrowser, signIn, shot, settled } from './helpers.mjs';

test('a wrong password is refused with a message and no session', async () => {
  await withBrowser(async (page) => {
    await page.goto(`${BASE}/`);
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password').fill('definitely-not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('.form-alert');
    await alert.waitFor({ state: 'visible' });
    assert.match(await alert.innerText(), /\S/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('frontline.token')), null);
    await shot(page, '01-signin-refused');
  });
});

test('sign in shows who I am and my roles; sign out revokes the token', async () => {
  await withBrowser(async (page) => {
    await page.goto(`${BASE}/`);
    await shot(page, '01-signin');
    await signIn(page);
    await settled(page);
    await page.getByRole('heading', { name: /Welcome/ }).waitFor();
    assert.match(await page.getByTestId('my-roles').innerText(), /admin/);
    assert.match(await page.locator('.kv').first().innerText(), new RegExp(EMAIL.replace(/[.+]/g, '\\$&')));
    // navigation: a page per module and the admin pages
    for (const name of ['Training', 'Chatbot', 'Contact center', 'Marketplace', 'Planning', 'Users & roles', 'Audit log']) {
      assert.ok(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).isVisible(), `nav link ${name}`);
    }
    // Swagger links for every module
    const hrefs = await page.locator('a[href$="/docs"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const h of ['/docs', '/training/api/docs', '/chatbot/api/v2/docs', '/contact-center/docs', '/marketplace/v1/docs', '/planning/docs']) {
      assert.ok(hrefs.includes(h), `docs link ${h}`);
    }
    await shot(page, '01-home');
    const token = await page.evaluate(() => sessionStorage.getItem('frontline.token'));
    assert.ok(token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await fetch(`${BASE}/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 401, 'the token no longer works after sign out');
  });
});

test('the layout works at tablet width (menu button opens the navigation)', async () => {
  await withBrowser(async (page) => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await signIn(page);
    const menu = page.getByRole('button', { name: /Menu/ });
    await menu.click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('heading', { name: 'Users & roles' }).waitFor();
    await settled(page);
    await shot(page, '01-tablet-users');
  });
});

test('a user with one module role sees only that module and no admin pages', async () => {
  const { adminToken } = await import('./helpers.mjs');
  const token = await adminToken();
  const email = `viewer-${Date.now()}@example.com`;
  const r = await fetch(`${BASE}/auth/users`, {
    method: 'POST', headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ email, password: 'viewer-password-1', name: 'Planning Viewer', roles: ['planning:VIEWER'] }),
  });
  assert.equal(r.status, 201);
  const user = await r.json();
  try {
    await withBrowser(async (page) => {
      await signIn(page, email, 'viewer-password-1');
      await settled(page);
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.ok(await nav.getByRole('link', { name: 'Planning', exact: true }).isVisible());
      for (const name of ['Training', 'Chatbot', 'Contact center', 'Marketplace', 'Users & roles', 'Audit log']) {
        assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 0, `${name} is hidden`);
      }
      assert.match(await page.getByTestId('my-roles').innerText(), /planning:VIEWER/);
      // an admin page opened by address explains instead of breaking
      await page.goto(`${BASE}/#/users`);
      await page.getByText('You do not have permission for this.').waitFor();
      await shot(page, '01-viewer-forbidden');
    });
  } finally {
    await fetch(`${BASE}/auth/users/${user.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  }
});

test('a revoked session sends the user back to sign-in with a message', async () => {
  await withBrowser(async (page) => {
    let inflight = 0;
    page.on('request', () => { inflight += 1; });
    page.on('requestfinished', () => { inflight -= 1; });
    page.on('requestfailed', () => { inflight -= 1; });
    await signIn(page);
    // The session ends while the user is idle: the overview's own requests
    // are answered first (one still in flight would meet the revoked token
    // and send the user to sign-in before the click below).
    for (let quiet = 0; quiet < 3;) {
      await page.waitForTimeout(100);
      quiet = inflight === 0 ? quiet + 1 : 0;
    }
    const token = await page.evaluate(() => sessionStorage.getItem('frontline.token'));
    const r = await fetch(`${BASE}/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.ok(r.status < 300, `logout answered ${r.status}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.match(await page.locator('.toasts').innerText(), /session has ended/i);
  });
});
