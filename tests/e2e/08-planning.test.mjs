// Planning administration: settings with the server's messages beside the
// fields, and the saved rates read back from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, signIn, open, shot, served, adminToken, BASE } from './helpers.mjs';

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
