// Planning administration: settings with the server's messages beside the
// fields, and the saved rates read back from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, signIn, open, shot, settled, served, adminToken, BASE } from './helpers.mjs';

test('planning: admin settings refuse bad values beside the fields and save good ones', async (t) => {
  const token = await adminToken();
  if (!(await served('/planning/api/admin/settings', token))) { t.skip('planning settings are not served by this build yet'); return; }
  const get = async () => (await (await fetch(`${BASE}/planning/api/admin/settings`, { headers: { Authorization: `Bearer ${token}` } })).json()).data;
  const before = await get();
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'planning/admin');
    await page.getByLabel('Currency').waitFor();
    await page.getByLabel('Currency').fill('riyal');
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-field=currency] .field-error', { hasText: /3-letter/ }).waitFor();
    await page.locator('[data-field=timezone] .field-error', { hasText: /IANA/ }).waitFor();
    assert.deepEqual(await get(), before, 'nothing is saved from a refused form');
    await shot(page, '08-planning-settings-errors');
    await page.getByLabel('Currency').fill(before.currency);
    await page.getByLabel('Time zone').fill(before.timezone);
    await page.getByLabel(/^CPI rate/).fill('0.035');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved /).waitFor();
    assert.equal((await get()).cpiRate, 0.035);
    await shot(page, '08-planning-settings');
    // put the rate back for the other tests
    await page.getByLabel(/^CPI rate/).fill(String(before.cpiRate));
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/planning/api/admin/settings') && r.request().method() === 'PATCH'),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
  });
  assert.equal((await get()).cpiRate, before.cpiRate);
});

test('planning: a version report is generated with progress and downloads; a user gets another planning role', async (t) => {
  const token = await adminToken();
  if (!(await served('/planning/api/versions', token))) { t.skip('planning versions are not served by this build yet'); return; }
  const auth = { Authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const list = (await (await fetch(`${BASE}/planning/api/versions?limit=1`, { headers: auth })).json()).data.versions;
  if (!list.length) { t.skip('no planning version to report on'); return; }
  const email = `planner-${Date.now().toString(36)}@example.com`;
  const u = await (await fetch(`${BASE}/auth/users`, { method: 'POST', headers: auth, body: JSON.stringify({ email, name: 'Vera Viewer', password: 'viewer-password-1', roles: ['planning:VIEWER'] }) })).json();
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, `planning/v/${list[0].id}`);
    await page.getByRole('button', { name: 'Report' }).click();
    const d = page.locator('dialog[open]');
    await d.getByLabel('Format').selectOption('PDF');
    await d.getByRole('button', { name: 'Generate' }).click();
    const link = d.getByRole('link', { name: 'Download' });
    await link.waitFor({ timeout: 60000 });
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const head = (await (await import('node:fs/promises')).readFile(await file.path())).subarray(0, 5).toString();
    assert.equal(head, '%PDF-', 'a real PDF downloads');
    await shot(page, '08-planning-report');
    await page.keyboard.press('Escape');
    await open(page, 'planning/reports');
    await page.locator('tbody tr').first().getByRole('link', { name: 'Download' }).waitFor();

    await open(page, 'planning/admin');
    const role = page.getByRole('combobox', { name: 'Role of Vera Viewer' });
    await role.waitFor();
    assert.equal(await role.inputValue(), 'VIEWER');
    await role.selectOption('PLANNER');
    await page.getByText(/updated|now PLANNER/i).first().waitFor();
    await settled(page);
    await shot(page, '08-planning-users');
  });
  const after = (await (await fetch(`${BASE}/auth/users/${u.id ?? u.data?.id}`, { headers: auth })).json());
  const roles = after.roles ?? after.data?.roles ?? [];
  assert.ok(roles.includes('planning:PLANNER') && !roles.includes('planning:VIEWER'), `roles are now ${roles}`);
});
