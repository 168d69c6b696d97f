// Flows added for the gaps: training comments and bulk operations, contact
// center templates, call lists and report schedules, marketplace webhooks,
// review requests and providers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, signIn, open, shot, settled, served, adminToken, BASE } from './helpers.mjs';

let token;
async function isServed(path) {
  token ||= await adminToken();
  return served(path, token);
}
const dialog = (page) => page.locator('dialog[open]');
const stamp = () => Date.now().toString(36);
async function call(method, path, body) {
  token ||= await adminToken();
  const r = await fetch(`${BASE}${path}`, { method, headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j?.data ?? j;
}

test('training: comment threads (reply, edit, delete) and bulk update/archive', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    if (!(await isServed('/training/api/admin/scenarios'))) { t.skip('training not served'); return; }
    const tag = stamp();
    const mk = (n) => call('POST', '/training/api/admin/scenarios', { name: `E2E bulk ${tag} ${n}`, category: 'SALES', difficulty: 'BEGINNER', description: 'bulk test scenario', status: 'DRAFT' });
    const a = await mk('one'); const b = await mk('two');

    // comments: add, reply, edit, delete with its reply
    await open(page, `training/s/${a.id}/comments`);
    await page.getByLabel('Add a comment').fill('Should the customer be angrier at the start?');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const first = page.locator('[data-testid=comment]', { hasText: 'angrier' }).first();
    await first.waitFor();
    await first.getByRole('button', { name: 'Reply' }).click();
    await first.getByLabel('Your reply').fill('Yes, mood 20 would be better.');
    await first.locator('form').getByRole('button', { name: 'Reply' }).click();
    await page.locator('.comment-reply', { hasText: 'mood 20' }).waitFor();
    // an empty edit is refused by the server, and its message sits beside the field
    const top = page.locator('[data-testid=comment]', { hasText: 'angrier' }).first();
    await top.getByRole('button', { name: 'Edit' }).first().click();
    await top.getByLabel(/^Comment/).fill('   ');
    await top.getByRole('button', { name: 'Save' }).click();
    await top.locator('.field-error', { hasText: /required|blank/i }).waitFor();
    await top.getByLabel(/^Comment/).fill('Should the customer be much angrier at the start?');
    await top.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-testid=comment]', { hasText: 'much angrier' }).locator('.comment-head', { hasText: 'edited' }).first().waitFor();
    await shot(page, '06-training-comments');
    const stored = await call('GET', `/training/api/admin/scenarios/${a.id}/comments`);
    assert.equal(stored.comments[0].content, 'Should the customer be much angrier at the start?');
    assert.equal(stored.comments[0].replies.length, 1);
    await page.locator('[data-testid=comment]', { hasText: 'much angrier' }).first().getByRole('button', { name: 'Delete' }).first().click();
    await dialog(page).getByText('and its 1 reply').waitFor();
    await dialog(page).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No comments yet').waitFor();

    // bulk update: select both scenarios, set the difficulty
    await open(page, 'training/scenarios');
    await page.getByLabel('Search', { exact: true }).fill(`E2E bulk ${tag}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await settled(page);
    await page.getByRole('checkbox', { name: `Select E2E bulk ${tag} one` }).check();
    await page.getByRole('checkbox', { name: `Select E2E bulk ${tag} two` }).check();
    await page.getByTestId('selected-count').getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Update selected…' }).click();
    await dialog(page).getByLabel('Difficulty').selectOption('EXPERT');
    await dialog(page).getByLabel('Replace tags with').fill('bulk, e2e');
    await dialog(page).getByRole('button', { name: 'Update 2 scenarios' }).click();
    await dialog(page).getByTestId('bulk-summary').getByText('2 scenarios updated, 0 failed.').waitFor();
    await shot(page, '06-training-bulk-update');
    await dialog(page).getByRole('button', { name: 'Done' }).click();
    const after = await call('GET', `/training/api/admin/scenarios/${b.id}`);
    assert.equal(after.difficulty, 'EXPERT');
    assert.deepEqual([...after.tags].sort(), ['bulk', 'e2e']);
    await page.locator('td', { hasText: 'EXPERT' }).first().waitFor();

    // bulk archive
    await page.getByRole('checkbox', { name: `Select E2E bulk ${tag} one` }).check();
    await page.getByRole('checkbox', { name: `Select E2E bulk ${tag} two` }).check();
    await page.getByRole('button', { name: 'Archive / delete selected…' }).click();
    await dialog(page).getByRole('button', { name: 'Archive 2 scenarios' }).click();
    await dialog(page).getByText('2 scenarios deleted, 0 failed.').waitFor();
    await dialog(page).getByRole('button', { name: 'Done' }).click();
    assert.equal((await call('GET', `/training/api/admin/scenarios/${a.id}`)).status, 'ARCHIVED');
  });
});

test('contact center: campaign template, call list with its contacts, report template and schedule', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    if (!(await isServed('/contact-center/api/v1/campaigns'))) { t.skip('contact center not served'); return; }
    const tag = stamp();
    // campaign template: create, then edit
    await open(page, 'contact-center/templates');
    await page.getByRole('button', { name: 'New template' }).click();
    await dialog(page).getByLabel(/^Name/).fill(`E2E template ${tag}`);
    await dialog(page).getByLabel('System prompt').fill('You are a friendly renewal agent.');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr', { hasText: `E2E template ${tag}` });
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit' }).click();
    await dialog(page).getByLabel('Model').fill('gpt-4o-mini');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await page.locator('tr', { hasText: `E2E template ${tag}` }).getByText('gpt-4o-mini').waitFor();
    await shot(page, '06-cc-campaign-templates');

    // call list over a campaign's contacts
    const camp = await call('POST', '/contact-center/api/v1/campaigns', { name: `E2E list campaign ${tag}`, campaign_type: 'outbound' });
    for (const [first, prio] of [['Low', 2], ['High', 9], ['Mid', 5]]) {
      await call('POST', '/contact-center/api/v1/contacts', { first_name: first, last_name: tag, phone_number: `+1555${Math.floor(Math.random() * 9e6 + 1e6)}`, campaign_id: camp.id, priority: prio });
    }
    await open(page, 'contact-center/calllists');
    await page.getByRole('button', { name: 'New call list' }).click();
    await dialog(page).getByLabel(/^Name/).fill(`E2E list ${tag}`);
    await dialog(page).getByLabel('Campaign').selectOption({ label: camp.name });
    await dialog(page).getByLabel('Priority from (1–10)').fill('4');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `E2E list ${tag}` }).waitFor();
    await settled(page);
    const names = await page.locator('table tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual(names.map((n) => n.trim()), [`High ${tag}`, `Mid ${tag}`], 'priority >= 4, highest first');
    await shot(page, '06-cc-call-list');

    // report template with metrics, then a weekly schedule on it
    await open(page, 'contact-center/reports/templates');
    await page.getByRole('button', { name: 'New report template' }).click();
    await dialog(page).getByLabel(/^Name/).fill(`E2E weekly ${tag}`);
    await dialog(page).getByRole('checkbox', { name: 'total_calls' }).check();
    await dialog(page).getByRole('checkbox', { name: 'success_rate' }).check();
    await dialog(page).getByRole('checkbox', { name: 'agent_id' }).check();
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await page.locator('tr', { hasText: `E2E weekly ${tag}` }).getByText('total_calls, success_rate').waitFor();
    await shot(page, '06-cc-report-templates');
    await open(page, 'contact-center/reports/schedules');
    await page.getByRole('button', { name: 'New schedule' }).click();
    await dialog(page).getByLabel(/^Name/).fill(`E2E Monday ${tag}`);
    await dialog(page).getByLabel('Report template').selectOption({ label: `E2E weekly ${tag} (agent_performance)` });
    await dialog(page).getByLabel('Repeats').selectOption('weekly');
    await dialog(page).getByLabel('Day of week (weekly)').selectOption({ label: 'Monday' });
    await dialog(page).getByLabel('Time zone (IANA)').fill('Europe/Berlin');
    // a bad address is refused and shown next to the recipients field
    await dialog(page).getByLabel(/^Recipients/).fill('not-an-address');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await dialog(page).locator('[data-field=recipients] .field-error').filter({ hasText: /./ }).waitFor();
    await dialog(page).getByLabel(/^Recipients/).fill('lead@example.com');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    const srow = page.locator('tr', { hasText: `E2E Monday ${tag}` });
    await srow.getByText(/every Monday at 08:00 Europe\/Berlin/).waitFor();
    await srow.getByRole('button', { name: 'Pause' }).click();
    await page.locator('tr', { hasText: `E2E Monday ${tag}` }).getByText('paused').waitFor();
    await shot(page, '06-cc-report-schedules');
    await open(page, 'contact-center/reports/outbox');
    await shot(page, '06-cc-report-outbox');
  });
});

test('marketplace: providers list and profile, webhooks (secret shown once), a customer’s reviews and preferences', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    if (!(await isServed('/marketplace/v1/service-categories'))) { t.skip('marketplace not served'); return; }
    await open(page, 'marketplace/providers');
    await settled(page);
    const first = page.locator('table tbody tr').first();
    await first.waitFor();
    const name = (await first.locator('td a').first().innerText()).trim();
    await first.locator('td a').first().click();
    await page.getByRole('heading', { name }).waitFor();
    await settled(page);
    await page.getByText(/★ [\d.]+ from \d+ review/).waitFor();
    await shot(page, '06-marketplace-provider');

    // webhooks: a bad URL is refused beside the field; a good one shows its secret once
    await open(page, 'marketplace/webhooks');
    await page.getByLabel(/^Delivery URL/).fill('not a url');
    await page.getByRole('checkbox', { name: 'A review is submitted' }).check();
    await page.getByRole('button', { name: 'Register webhook' }).click();
    const urlErr = page.locator('[data-field=url] .field-error');
    const alert = page.locator('.form-alert');
    await Promise.race([urlErr.filter({ hasText: /./ }).waitFor(), alert.filter({ hasText: /./ }).waitFor()]);
    const hook = `https://hooks.example.com/e2e/${stamp()}`;
    await page.getByLabel(/^Delivery URL/).fill(hook);
    await page.getByRole('checkbox', { name: 'A review is submitted' }).check();
    await page.getByRole('checkbox', { name: 'A price changes' }).check();
    await page.getByLabel('Description').fill('e2e webhook');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
    assert.ok(secret.length >= 16, 'a generated secret is shown');
    const row = page.locator('tr', { hasText: hook });
    await row.getByText('pricing.updated').waitFor();
    await shot(page, '06-marketplace-webhooks');
    const listed = await call('GET', '/marketplace/v1/webhooks');
    assert.ok(listed.some((w) => w.url === hook && !w.secret), 'stored, and the secret is not listed again');
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog(page).getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
  });
  // the demo customer: their review, open requests and preferences
  await withBrowser(async (page) => {
    await signIn(page, 'customer.demo@marketplace.local', 'demo-password-2026').catch(() => null);
    if (!(await page.getByRole('button', { name: 'Sign out' }).isVisible())) { t.diagnostic('no demo customer on this server'); return; }
    await open(page, 'marketplace/mine');
    await page.getByRole('heading', { name: 'Open review requests' }).waitFor();
    await page.locator('table', { hasText: 'John' }).or(page.getByText('You have not written reviews yet.')).first().waitFor();
    await page.getByLabel('Channel').selectOption('email');
    await page.getByLabel('At most per month').fill('2');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.locator('dd', { hasText: 'email' }).waitFor();
    await shot(page, '06-marketplace-my-reviews');
  });
});

test('training: an A/B test between two scenarios shows per-variant results and names a significant winner', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    if (!(await isServed('/training/api/admin/scenarios/tests/abt_none'))) { t.skip('A/B tests not served'); return; }
    const tag = stamp();
    const mk = (n) => call('POST', '/training/api/admin/scenarios', { name: `E2E AB ${tag} ${n}`, category: 'SALES', difficulty: 'BEGINNER', description: 'A/B test scenario', status: 'DRAFT' });
    const a = await mk('control'); const b = await mk('variant');
    await open(page, 'training/ab');
    await page.getByRole('button', { name: 'New A/B test' }).click();
    const d = dialog(page);
    await d.getByLabel(/^Name/).first().fill(`E2E greeting test ${tag}`);
    await d.getByLabel(/^Variant 1 scenario/).selectOption(a.id);
    await d.getByLabel(/^Variant 2 scenario/).selectOption(b.id);
    await d.getByLabel(/^Minimum attempts per variant/).fill('20');
    // a split that does not add up to 100 is refused by the server
    await d.getByLabel(/^Variant 2 traffic/).fill('30');
    await d.getByRole('button', { name: 'Start test' }).click();
    await d.locator('.form-alert').filter({ hasText: /100/ }).waitFor();
    await d.getByLabel(/^Variant 2 traffic/).fill('50');
    await d.getByRole('button', { name: 'Start test' }).click();
    await page.getByRole('heading', { name: `E2E greeting test ${tag}` }).waitFor();
    await settled(page);
    const testId = decodeURIComponent(page.url().split('/').pop());
    // attempts recorded while the test runs: control passes 6 of 30, the variant 24 of 30
    for (const [s, passed] of [[a, 6], [b, 24]]) {
      for (let i = 0; i < 30; i++) await call('POST', `/training/api/admin/scenarios/${s.id}/attempts`, { score: i < passed ? 85 : 40, duration: 300, completed: true });
    }
    await page.reload();
    await page.getByTestId('ab-verdict').getByText('Winner: Variant A').waitFor();
    const rows = page.getByTestId('ab-results').locator('tbody tr');
    assert.match(await rows.nth(0).innerText(), /30\s+20\.0%/);
    assert.match(await rows.nth(1).innerText(), /80\.0%.*\+300\.0%/s);
    // a trainee not in the user list: the typed id is what is sent
    await page.getByRole('combobox', { name: 'Trainee' }).fill('trainee-42');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByTestId('ab-assigned').waitFor();
    await shot(page, '06-training-ab-test');
    await page.getByRole('button', { name: 'Cancel test' }).click();
    await dialog(page).getByLabel('Reason (optional)').fill('e2e done');
    await dialog(page).getByRole('button', { name: 'Cancel test' }).click();
    await page.locator('.badge', { hasText: 'CANCELLED' }).waitFor();
    assert.equal((await call('GET', `/training/api/admin/scenarios/tests/${testId}`)).status, 'CANCELLED');
    // the list of tests, filtered by status
    await open(page, 'training/ab');
    await page.getByLabel('Status').selectOption('CANCELLED');
    await settled(page);
    await page.locator('tr', { hasText: `E2E greeting test ${tag}` }).getByText('Control 50% · Variant A 50%').waitFor();
    await shot(page, '06-training-ab-list');
  });
});

test('training: export selected scenarios to a file and import a file with a bad row', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    if (!(await isServed('/training/api/admin/scenarios'))) { t.skip('training not served'); return; }
    const tag = stamp();
    await call('POST', '/training/api/admin/scenarios', { name: `E2E export ${tag}`, category: 'SALES', difficulty: 'BEGINNER', description: 'export me', status: 'DRAFT' });
    await open(page, 'training/scenarios');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByLabel('Search', { exact: true }).fill(`E2E export ${tag}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await settled(page);
    await page.getByRole('checkbox', { name: `Select E2E export ${tag}` }).check();
    await page.getByRole('button', { name: 'Export selected' }).click();
    await dialog(page).getByLabel('Include versions').check();
    await dialog(page).getByRole('button', { name: 'Export' }).click();
    const link = dialog(page).getByRole('link', { name: 'Download' });
    await link.waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const exported = JSON.parse(await (await import('node:fs/promises')).readFile(await file.path(), 'utf8'));
    assert.ok(JSON.stringify(exported).includes(`E2E export ${tag}`), 'the file holds the scenario');
    await shot(page, '06-training-export');
    await page.keyboard.press('Escape');

    await open(page, 'training/import');
    await page.getByLabel('File').setInputFiles({ name: 'scenarios.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify([
      { name: `E2E imported ${tag}`, category: 'SALES', difficulty: 'BEGINNER', description: 'from a file' },
      { name: 'x', category: 'SALES', difficulty: 'NOPE' },
    ])) });
    await page.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    assert.match(await result.innerText(), /1\s*Imported/);
    await page.locator('td', { hasText: /Difficulty must be one of/ }).waitFor();
    await page.getByRole('link', { name: 'Download error report' }).waitFor();
    await shot(page, '06-training-import');
    const list = await call('GET', `/training/api/admin/scenarios?search=${encodeURIComponent(`E2E imported ${tag}`)}`);
    assert.equal((list.data || list).filter((x) => x.name === `E2E imported ${tag}`).length, 1, 'the good row is stored');
  });
});
