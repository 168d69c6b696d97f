import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, EMAIL, PASSWORD, withBrowser, settled, shot } from './helpers.mjs';

test('keyboard only: sign in, skip link, tabs with arrow keys, dialog closes with Escape', async () => {
  await withBrowser(async (page) => {
    await page.goto(`${BASE}/`);
    // the e-mail field has focus on arrival
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await settled(page);

    await page.goto(`${BASE}/#/contact-center`);
    await settled(page);
    // the skip link is the first focusable element and moves focus to the content
    assert.equal(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.textContent), 'Skip to content');
    await page.locator('a.skip').focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

    // arrow keys move along the tabs, Enter opens one and focus stays on the tab list
    await page.getByRole('tab', { name: 'Campaigns' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Campaign templates');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Contacts');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/contact-center\/contacts$/);
    await settled(page);
    const focused = await page.evaluate(() => ({ role: document.activeElement?.getAttribute('role'), selected: document.activeElement?.getAttribute('aria-selected'), text: document.activeElement?.textContent }));
    assert.deepEqual(focused, { role: 'tab', selected: 'true', text: 'Contacts' });

    // a dialog takes focus and Escape closes it
    await page.goto(`${BASE}/#/users`);
    await settled(page);
    await page.getByRole('button', { name: 'New user' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor();
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog')), 'focus is inside the dialog');
    await shot(page, '04-keyboard-dialog');
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
  });
});
