/**
 * Browser tests of the web console: Debian's Chromium driven by playwright-core (browsers
 * cannot be downloaded here), the console freshly built from web/, sign-in through the sign-in
 * page, axe-core on every screen, and a screenshot of each kept under test-results/console/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Git-ignored; CI keeps it as the run's artefacts. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/** The flags a root, offline, GPU-less machine needs; Playwright adds a fresh --user-data-dir per launch. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** Builds the console from the current sources into a fresh folder (about a second). */
export async function buildConsoleForTest(): Promise<string> {
  const { build } = await import('vite');
  const outDir = join(await mkdtemp(join(tmpdir(), 'console-dist-')), 'dist');
  await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), build: { outDir, emptyOutDir: true }, logLevel: 'silent' });
  return outDir;
}

/** From the console's start page through the sign-in page, as a person does it. */
export async function signInThroughPage(page: Page, baseUrl: string, username: string, password = DEFAULT_DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByTestId('signed-in-as').textContent(), { timeout: 15_000 }).toContain(username);
}

/** No serious or critical axe-core violation on the page as it stands. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${screen}`).toEqual([]);
}

/** A screenshot of the whole page under test-results/console/<name>.png, and the axe check. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  await expectAccessible(page, name);
}

/** Re-runs `check` (reloading with `refresh`) until it passes: lists and the audit log may lag a write by a moment. */
export async function eventuallyOnPage(check: () => Promise<void>, refresh: () => Promise<unknown>, timeoutMs = 15_000, page?: Page): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        await page?.screenshot({ path: join(SCREENSHOT_DIR, 'failed-eventually.png'), fullPage: true }).catch(() => undefined);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      await refresh();
    }
  }
}
