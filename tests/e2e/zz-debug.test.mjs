import { test } from 'node:test';
import { launch, signIn, open } from './helpers.mjs';
const FORMS = [
  ['users', 'New user'], ['contact-center/campaigns', 'New campaign'], ['contact-center/contacts', 'New contact'],
  ['contact-center/teams', 'New team'], ['contact-center/teams', 'New agent'], ['contact-center/queues', 'New queue'],
  ['chatbot/tenants', 'New tenant'], ['planning/versions', 'New version'], ['contact-center/kb', 'New article'],
];
test('debug', async () => {
  const b = await launch();
  const page = b.page;
  await signIn(page);
  for (const [route, name] of FORMS) {
    try {
      await open(page, route);
      await page.getByRole('button', { name, exact: true }).first().click();
      const d = page.locator('dialog[open]');
      await d.waitFor({ timeout: 3000 });
      await d.locator('button[type=submit]').last().click();
      await page.waitForTimeout(800);
      const errs = await d.locator('.field.has-error').evaluateAll((els) => els.map((e) => `${e.dataset.field}=${e.querySelector('.field-error').textContent}`));
      const alert = await d.locator('.form-alert').innerText().catch(() => '');
      console.log(`FORM ${route} / ${name}: fields=${JSON.stringify(errs)} alert=${JSON.stringify(alert)}`);
      await page.keyboard.press('Escape');
    } catch (e) { console.log(`FORM ${route} / ${name}: FAILED ${e.message.split('\n')[0]}`); }
  }
  await b.close();
});
