// Shared test helpers: one browser per test file, sign-in, screenshots.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = process.env.FRONTLINE_URL || 'http://127.0.0.1:8080';
export const EMAIL = process.env.FRONTLINE_ADMIN_EMAIL || 'admin@example.com';
export const PASSWORD = process.env.FRONTLINE_ADMIN_PASSWORD || 'admin-password-123';
export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  return {
    context, page, problems,
    async close() { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

export async function signIn(page, email = EMAIL, password = PASSWORD) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function shot(page, name) {
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until no loading spinner is shown. */
export async function settled(page) {
  // (no waitForFunction: the page's CSP forbids the eval it relies on)
  await page.waitForSelector('.state-loading', { state: 'detached', timeout: 15000 });
}

/** Is this module's API served (any non-404 answer on a known list path)? */
export async function served(pathname, token) {
  const r = await fetch(`${BASE}${pathname}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (r.status !== 404) return true;
  const b = await r.json().catch(() => ({}));
  return !/requested resource was not found/i.test(JSON.stringify(b));
}
/** Is this operation routed (not 404/405)? Sends an empty JSON body. */
export async function routed(method, pathname, token) {
  const r = await fetch(`${BASE}${pathname}`, { method, headers: { 'content-type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: method === 'GET' ? undefined : '{}' });
  if (r.status === 405) return false;
  if (r.status !== 404) return true;
  const b = await r.json().catch(() => ({}));
  return !/requested resource was not found/i.test(JSON.stringify(b));
}
export async function adminToken() {
  const r = await fetch(`${BASE}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
  return (await r.json()).access_token;
}

/** Opens a UI route (hash) and waits until it has loaded. */
export async function open(page, hash) {
  await page.goto(`${BASE}/#/${hash}`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await settled(page);
}

/** Runs `fn` with a fresh browser; fails the test on uncaught page errors. */
export async function withBrowser(fn) {
  const b = await launch();
  try {
    await fn(b.page, b);
    if (b.problems.length) throw new Error(`browser reported problems:\n${b.problems.join('\n')}`);
  } finally {
    await b.close();
  }
}
