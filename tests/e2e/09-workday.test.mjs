// A working day on any screen: no page scrolls sideways at phone width,
// dark mode follows the system (and a toggle), codes read as words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withBrowser, signIn, open, shot, settled, adminToken, BASE } from './helpers.mjs';

const PHONE_ROUTES = [
  '', 'users', 'audit',
  'training/scenarios', 'training/dashboard',
  'chatbot/tester', 'chatbot/conversations', 'chatbot/tenants', 'chatbot/config', 'chatbot/sessions', 'chatbot/webhooks', 'chatbot/health',
  'contact-center/campaigns', 'contact-center/contacts', 'contact-center/queues', 'contact-center/teams', 'contact-center/dashboard',
  'marketplace/search', 'marketplace/reviews', 'marketplace/analytics',
  'planning/versions',
];

test('no page scrolls sideways at phone width (390×844)', async () => {
  await withBrowser(async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page);
    const wide = [];
    for (const r of PHONE_ROUTES) {
      await open(page, r);
      await page.waitForTimeout(200);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (over > 1) {
        wide.push(`${r || 'overview'} (+${over}px)`);
        await shot(page, `09-phone-wide-${(r || 'overview').replace(/\//g, '-')}`);
      }
    }
    assert.deepEqual(wide, [], `pages wider than the phone: ${wide.join(', ')}`);
  });
});

test('dark mode follows the system and the toggle, and is remembered', async () => {
  await withBrowser(async (page) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await signIn(page);
    await open(page, 'training/scenarios');
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const luminance = (rgb) => { const [r, g, b] = rgb.match(/\d+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    assert.ok(luminance(await bg()) < 80, `dark system, light page: ${await bg()}`);
    await shot(page, '09-dark-training');
    await page.getByRole('button', { name: /light mode/i }).click();
    assert.ok(luminance(await bg()) > 180, `light chosen, dark page: ${await bg()}`);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.ok(luminance(await bg()) > 180, 'the choice is not remembered');
    await page.getByRole('button', { name: /dark mode/i }).click();
    assert.ok(luminance(await bg()) < 80, 'dark chosen, light page');
  });
});

test('codes read as words: categories, statuses and field names', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'training/scenarios');
    await settled(page);
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /\b(BILLING_PAYMENTS|TECHNICAL_SUPPORT|INTERMEDIATE|PUBLISHED)\b/, 'raw codes in the scenario list');
    assert.match(text, /Billing payments|Technical support|Intermediate|Published/);
    await open(page, 'marketplace/analytics');
    await settled(page);
    const analytics = await page.locator('main').innerText();
    assert.doesNotMatch(analytics, /\b[a-z]+[A-Z][a-zA-Z]+\b/, 'camelCase field names as labels on marketplace analytics');
  });
});

test("the overview shows today's work, counted from the modules, not API operation counts", async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    const work = page.getByTestId('todays-work');
    await work.waitFor();
    const tile = (label) => work.locator('a.stat', { hasText: label });
    for (const label of ['Conversations waiting for a human', 'Calls waiting in queues', 'Active alerts', 'Scenario drafts to publish', 'Plan versions in draft']) {
      for (let i = 0; i < 50 && (await tile(label).locator('.stat-value').innerText()) === '…'; i++) await page.waitForTimeout(100);
      const value = await tile(label).locator('.stat-value').innerText();
      assert.match(value, /^\d+$/, `${label}: ${value}`);
    }
    // the demo data: a conversation transferred to a human, calls waiting, a draft scenario, a draft plan
    assert.ok(Number(await tile('Conversations waiting for a human').locator('.stat-value').innerText()) >= 1);
    assert.ok(Number(await tile('Calls waiting in queues').locator('.stat-value').innerText()) >= 1);
    assert.ok(Number(await tile('Scenario drafts to publish').locator('.stat-value').innerText()) >= 1);
    assert.doesNotMatch(await page.locator('main').innerText(), /operations? served/);
    await shot(page, '09-todays-work');
    await tile('Calls waiting in queues').click();
    await page.waitForURL(/#\/contact-center\/queues/);
  });
});

test('buttons a role cannot use are not shown (training editor: no Publish, no Delete)', async () => {
  const token = await adminToken();
  const auth = { 'content-type': 'application/json', Authorization: `Bearer ${token}` };
  const list = await (await fetch(`${BASE}/training/api/admin/scenarios?status=DRAFT&limit=1`, { headers: auth })).json();
  const draft = list.data[0];
  const made = [];
  for (const role of ['editor', 'viewer']) {
    const r = await fetch(`${BASE}/auth/users`, { method: 'POST', headers: auth,
      body: JSON.stringify({ email: `training-${role}-${Date.now()}@example.com`, password: 'role-password-1', name: `Training ${role}`, roles: [`training:${role}`] }) });
    assert.equal(r.status, 201);
    made.push(await r.json());
  }
  try {
    const buttons = async (page) => {
      await open(page, `training/s/${draft.id}`);
      await page.getByRole('heading', { name: draft.name }).waitFor();
      return (await page.locator('.page-head .toolbar').innerText()).split(/\n+/).map((x) => x.trim()).filter(Boolean);
    };
    await withBrowser(async (page) => {
      await signIn(page, made[0].email, 'role-password-1');
      const editor = await buttons(page);
      assert.ok(editor.includes('Edit') && editor.includes('Archive') && editor.includes('Duplicate'), editor.join(','));
      assert.ok(!editor.includes('Publish') && !editor.includes('Delete'), `editor sees ${editor.join(',')}`);
      await shot(page, '09-training-editor-buttons');
    });
    await withBrowser(async (page) => {
      await signIn(page, made[1].email, 'role-password-1');
      const viewer = await buttons(page);
      assert.deepEqual(viewer, [], `viewer sees ${viewer.join(',')}`);
      await open(page, 'training/scenarios');
      await settled(page);
      assert.equal(await page.getByRole('link', { name: 'New scenario' }).count(), 0);
    });
  } finally {
    for (const u of made) await fetch(`${BASE}/auth/users/${u.id}`, { method: 'DELETE', headers: auth });
  }
});

test('planning: enrolment, rent parameters, capex and opex are edited as fields and tables, not JSON', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'planning');
    await page.getByRole('button', { name: 'New version' }).click();
    const d = page.locator('dialog[open]');
    assert.equal(await d.locator('textarea.mono').count(), 0, 'a JSON text box in the new-version form');
    const name = `E2E grid ${Date.now()}`;
    await d.getByLabel('Name').fill(name);
    // only the chosen rent model's parameters are shown
    await d.getByLabel('Rent model').selectOption('REVENUE_SHARE');
    assert.ok(await d.getByLabel('Revenue share').isVisible());
    assert.ok(!(await d.getByLabel('Base rent').isVisible()));
    await d.getByLabel('Revenue share').fill('0.25');
    // enrolment: 2030 is row 8 of the year grid
    await d.getByLabel('FR students, row 8').fill('350');
    await d.getByRole('button', { name: 'Add capex item' }).click();
    await d.getByLabel('Amount, row 2', { exact: true }).fill('750000');
    await d.getByLabel('Description, row 2', { exact: true }).fill('Science labs');
    await shot(page, '09-planning-new-version-form');
    await d.getByRole('button', { name: 'Create version' }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await settled(page);
    const row2030 = page.getByTestId('projection').locator('tbody tr', { has: page.locator('th', { hasText: /^2030$/ }) });
    assert.equal((await row2030.locator('td').first().innerText()).replace(/\D/g, ''), '350');
    assert.match(await page.locator('main').innerText(), /Science labs/);
    assert.match(await page.locator('main').innerText(), /REVENUE_SHARE|Revenue share/i);
    // edit: IB students in 2031 (row 9) become 111
    await page.getByRole('button', { name: 'Edit' }).click();
    const e = page.locator('dialog[open]');
    assert.equal(await e.locator('textarea.mono').count(), 0, 'a JSON text box in the edit form');
    await e.getByLabel('IB students, row 9').fill('111');
    await e.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await settled(page);
    const row2031 = page.getByTestId('projection').locator('tbody tr', { has: page.locator('th', { hasText: /^2031$/ }) });
    assert.equal((await row2031.locator('td').nth(1).innerText()).replace(/\D/g, ''), '111');
  });
});

test('training dashboard: figures, charts and rankings, not raw JSON', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'training/dashboard');
    await settled(page);
    const dash = page.getByTestId('training-dashboard');
    await dash.waitFor();
    assert.equal(await dash.locator('pre').count(), 0, 'raw JSON on the dashboard');
    const text = await dash.innerText();
    assert.match(text, /Pass rate\s*\d+(\.\d)?%/);
    assert.match(text, /Attempts\s*\d+/);
    assert.ok((await dash.locator('figure.chart:not(.chart-empty)').count()) >= 2, 'charts with data');
    assert.ok((await dash.locator('a[href^="#/training/s/"]').count()) >= 2, 'ranked scenarios link to their pages');
    await shot(page, '09-training-dashboard');
  });
});

test('the sidebar runs to the bottom of a long page', async () => {
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, 'training/dashboard');
    await settled(page);
    await page.getByTestId('training-dashboard').waitFor();
    const colour = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const el = document.elementFromPoint(10, window.innerHeight - 5);
      let node = el;
      while (node && getComputedStyle(node).backgroundImage === 'none' && getComputedStyle(node).backgroundColor === 'rgba(0, 0, 0, 0)') node = node.parentElement;
      return node ? `${getComputedStyle(node).backgroundColor} ${getComputedStyle(node).backgroundImage}` : '';
    });
    assert.match(colour, /rgb\(15, 23, 42\)/, `bottom-left of a long page: ${colour}`);
  });
});

test('training: a scenario shows its dates, and a version diff lists only real changes', async () => {
  const token = await adminToken();
  const auth = { 'content-type': 'application/json', Authorization: `Bearer ${token}` };
  const made = await (await fetch(`${BASE}/training/api/admin/scenarios`, { method: 'POST', headers: auth,
    body: JSON.stringify({ name: `Diff check ${Date.now()}`, description: 'A scenario for the version diff', category: 'SALES', difficulty: 'BEGINNER', estimatedDuration: 5 }) })).json();
  const id = (made.data || made).id;
  // v2: renamed; empty lists where v1 had none (nothing anybody changed)
  const put = await fetch(`${BASE}/training/api/admin/scenarios/${id}`, { method: 'PUT', headers: auth,
    body: JSON.stringify({ name: 'Diff check renamed', tags: [], successCriteria: { mustUseKeywords: [] }, changelog: 'rename' }) });
  assert.equal(put.status, 200);
  await withBrowser(async (page) => {
    await signIn(page);
    await open(page, `training/s/${id}`);
    await page.getByRole('heading', { name: 'Diff check renamed' }).waitFor();
    await settled(page);
    const overview = await page.locator('main').innerText();
    assert.match(overview, /Created\s+\w{3} \d+, \d{4}/, 'Created date shown');
    assert.match(overview, /Updated\s+\w{3} \d+, \d{4}/, 'Updated date shown');
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Compare' }).click();
    const head = page.getByRole('heading', { name: /Changes v1 → v2/ });
    await head.waitFor();
    assert.equal(await head.innerText(), 'Changes v1 → v2 (1)');
    const rows = await page.locator('table.diff tbody th').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split(/\s/)[0]), ['name']);
  });
});
