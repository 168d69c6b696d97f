import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withBrowser, signIn, open, shot, settled } from './helpers.mjs';

test('admin creates a user with roles, changes roles, deactivates and deletes; audit shows it', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'users');
    const email = `e2e-${Date.now()}@example.com`;
    await page.getByRole('button', { name: 'New user' }).click();
    const dlg = page.locator('dialog[open]');
    await dlg.getByLabel('Name').fill('E2E Trainer');
    await dlg.getByLabel('E-mail').fill(email);
    await dlg.getByLabel('Password').fill('short');
    await dlg.getByRole('group', { name: 'training' }).getByLabel('editor', { exact: true }).check();
    await dlg.getByRole('button', { name: 'Create user' }).click();
    // the server's validation message appears next to the password field
    const pwErr = dlg.locator('.field[data-field="password"] .field-error');
    await pwErr.waitFor({ state: 'visible' });
    assert.match(await pwErr.innerText(), /\S/);
    await shot(page, '02-users-validation');
    await dlg.getByLabel('Password').fill('a-good-password-123');
    await dlg.getByRole('button', { name: 'Create user' }).click();
    await dlg.waitFor({ state: 'detached' });
    await settled(page);
    await page.getByLabel('Search').fill(email);
    await page.getByRole('button', { name: 'Apply' }).click();
    await settled(page);
    const row = page.locator('tbody tr', { hasText: email });
    await row.waitFor();
    assert.match(await row.innerText(), /training:editor/);

    // change roles
    await row.getByRole('button', { name: 'Roles' }).click();
    const d2 = page.locator('dialog[open]');
    await d2.getByRole('group', { name: 'planning' }).getByLabel('VIEWER', { exact: true }).check();
    await d2.getByRole('group', { name: 'training' }).getByLabel('editor', { exact: true }).uncheck();
    await d2.getByRole('button', { name: 'Save' }).click();
    await d2.waitFor({ state: 'detached' });
    await settled(page);
    await page.locator('tbody tr', { hasText: 'planning:VIEWER' }).waitFor();
    assert.doesNotMatch(await page.locator('tbody tr', { hasText: email }).innerText(), /training:editor/);

    // deactivate
    await page.locator('tbody tr', { hasText: email }).getByRole('button', { name: 'Deactivate' }).click();
    await settled(page);
    await page.locator('tbody tr', { hasText: email }).getByText('inactive').waitFor();
    await shot(page, '02-users');

    // audit log lists the creation
    await open(page, 'audit');
    await page.locator('tbody tr').first().waitFor();
    assert.ok((await page.locator('tbody tr').count()) > 0);
    await shot(page, '02-audit');
    await page.locator('.filters').getByLabel('Module').selectOption('platform');
    await settled(page);
    await page.locator('tbody tr').first().click();
    await page.locator('dialog[open] pre').waitFor();
    await page.keyboard.press('Escape');

    // delete
    await open(page, 'users');
    await page.getByLabel('Search').fill(email);
    await page.getByRole('button', { name: 'Apply' }).click();
    await settled(page);
    await page.locator('tbody tr', { hasText: email }).getByRole('button', { name: 'Delete' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete' }).click();
    await settled(page);
    await page.getByText('No rows match.').waitFor();
    const list = await (await fetch(`${BASE}/auth/users`, { headers: { Authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('frontline.token'))}` } })).json();
    assert.ok(!list.some((u) => u.email === email), 'user is gone on the server');
  });
});
