// A screenshot of every page and tab, and no script errors anywhere.
import { test } from 'node:test';
import { withBrowser, signIn, open, shot } from './helpers.mjs';

const ROUTES = [
  '', 'users', 'audit',
  'training/scenarios', 'training/search', 'training/templates', 'training/import', 'training/dashboard', 'training/ab', 'training/new',
  'chatbot/tester', 'chatbot/conversations', 'chatbot/tenants', 'chatbot/config', 'chatbot/sessions', 'chatbot/webhooks', 'chatbot/health',
  'contact-center/campaigns', 'contact-center/templates', 'contact-center/contacts', 'contact-center/calllists', 'contact-center/teams', 'contact-center/queues', 'contact-center/knowledge',
  'contact-center/ivr', 'contact-center/routing', 'contact-center/voicemail', 'contact-center/dashboard', 'contact-center/reports', 'contact-center/reports/templates', 'contact-center/reports/schedules', 'contact-center/reports/outbox',
  'marketplace/search', 'marketplace/providers', 'marketplace/pricing', 'marketplace/estimate', 'marketplace/reviews', 'marketplace/campaigns', 'marketplace/analytics', 'marketplace/mine', 'marketplace/webhooks',
  'planning/versions', 'planning/compare', 'planning/reports', 'planning/admin',
];

test('every page and tab renders without script errors', async (t) => {
  await withBrowser(async (page) => {
    await signIn(page);
    for (const r of ROUTES) {
      await open(page, r);
      const errors = await page.locator('.state-error').count();
      if (errors) t.diagnostic(`${r || 'overview'}: ${errors} error state(s): ${(await page.locator('.state-error').first().innerText()).replace(/\s+/g, ' ')}`);
      await shot(page, `05-page-${(r || 'overview').replace(/\//g, '-')}`);
    }
  });
});
