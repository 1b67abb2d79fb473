/**
 * The web console in a real browser against the local runtime: every role signs in through the
 * sign-in page; the whole story by clicking (a buyer asks, a factory uploads a file and
 * fulfils, the buyer downloads and accepts, an auditor finds every event); refusals shown with
 * their message and request id; axe-core on every screen; sign-out revokes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';
import { buildConsoleForTest, checkScreen, eventuallyOnPage, expectAccessible, launchBrowser, signInThroughPage } from '../support/browser.js';

let dataDir: string;
let runtime: LocalRuntime;
let browser: Browser;
let base: string;
let consoleDir: string | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const [built, launched] = await Promise.all([buildConsoleForTest(), launchBrowser()]);
  consoleDir = built;
  browser = launched;
  runtime = await startLocalRuntime({ port: await freePort(), dataDir, consoleDir });
  base = runtime.url;
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (consoleDir) rmSync(join(consoleDir, '..'), { recursive: true, force: true });
});

/** A fresh browser profile (its own cookies and memory), as a second person at another desk. */
async function person(username: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  await signInThroughPage(page, base, username);
  return page;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 });

describe('signing in', () => {
  it('the start page, the sign-in page and a wrong password are accessible; each role lands on its home', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await checkScreen(page, '00-start');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.url()).toContain('/oauth2/authorize');
    await checkScreen(page, '01-sign-in-page');
    await page.getByLabel('Username').fill('buyer1');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Incorrect username or password');
    await expectAccessible(page, 'sign-in page with an error');

    const homes = { buyer1: 'Requests', factory1: 'Queue', auditor1: 'Audit log', admin1: 'Administration' } as const;
    for (const [username, home] of Object.entries(homes)) {
      const signedIn = await person(username);
      await expect.poll(() => heading(signedIn).textContent()).toBe(home);
      expect(await signedIn.getByTestId('signed-in-as').textContent()).toContain(username);
      await checkScreen(signedIn, `02-home-${username}`);
    }
  }, 120_000);
});

describe('the whole story by clicking', () => {
  it('a buyer asks, the factory uploads and fulfils, the buyer downloads and accepts, the auditor finds every event', async () => {
    const [buyer, factory, auditor] = await Promise.all([person('buyer1'), person('factory1'), person('auditor1')]);

    // The buyer asks factory F001 for an audit report.
    await buyer.getByRole('link', { name: 'New request' }).click();
    await buyer.getByLabel('Factory', { exact: true }).selectOption('F001');
    await buyer.getByLabel('Title').fill('Social audit 2026');
    await buyer.getByLabel('Due date').fill('2099-01-31');
    await buyer.getByLabel('Document type 1').fill('audit-report');
    await buyer.getByLabel('Note 1').fill('The full report, signed');
    await checkScreen(buyer, '10-buyer-new-request');
    await buyer.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => heading(buyer).textContent()).toBe('Social audit 2026');
    const requestPath = new URL(buyer.url()).pathname;
    const requestId = decodeURIComponent(requestPath.split('/').pop()!);
    await checkScreen(buyer, '11-buyer-request-open');

    // The factory adds the report with its file to the library.
    await factory.getByRole('link', { name: 'Evidence library' }).click();
    await factory.getByLabel('Name', { exact: true }).fill('Social audit report 2026');
    await factory.getByLabel('Document type', { exact: true }).fill('audit-report');
    await factory.getByLabel('Expires on').fill('2099-12-31');
    const pdf = Buffer.from('%PDF-1.7\n% social audit 2026, signed\n' + 'x'.repeat(50_000) + '\n%%EOF\n');
    await factory.getByLabel('File', { exact: true }).setInputFiles({ name: 'social-audit-2026.pdf', mimeType: 'application/pdf', buffer: pdf });
    const digest = createHash('sha256').update(pdf).digest('hex');
    await expect.poll(() => factory.getByTestId('sha256').textContent()).toBe(digest);
    await checkScreen(factory, '20-factory-evidence-library');
    await factory.getByRole('button', { name: 'Create evidence' }).click();
    await expect.poll(() => heading(factory).textContent()).toBe('Social audit report 2026');
    const evidenceId = decodeURIComponent(new URL(factory.url()).pathname.split('/').pop()!);
    // The page looks again until the verifier has checked the stored bytes.
    await expect.poll(() => factory.getByRole('cell', { name: 'available' }).count(), { timeout: 15_000 }).toBe(1);
    await checkScreen(factory, '21-factory-evidence-page');

    // ...and fulfils the request from its queue.
    await factory.getByRole('link', { name: 'Queue' }).click();
    await eventuallyOnPage(
      async () => expect(await factory.getByRole('link', { name: 'Social audit 2026' }).count()).toBe(1),
      () => factory.getByRole('button', { name: 'Refresh' }).click(),
      15_000,
      factory,
    );
    await checkScreen(factory, '22-factory-queue');
    await factory.getByRole('link', { name: 'Social audit 2026' }).click();
    await factory.getByLabel('Evidence for audit-report').selectOption({ label: 'Social audit report 2026 (latest version 1)' });
    expect(await factory.getByLabel('Version for audit-report').inputValue()).toBe('1');
    await checkScreen(factory, '23-factory-fulfil');
    await factory.getByRole('button', { name: 'Fulfil audit-report' }).click();
    await expect.poll(() => factory.getByRole('listitem', { name: 'Item audit-report' }).textContent()).toContain('fulfilled');

    // The buyer downloads the very bytes and accepts with a comment.
    await buyer.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => buyer.getByRole('listitem', { name: 'Item audit-report' }).textContent()).toContain('fulfilled');
    const [download] = await Promise.all([buyer.waitForEvent('download'), buyer.getByRole('button', { name: 'Download file (version 1)' }).click()]);
    expect(download.suggestedFilename()).toBe('social-audit-2026.pdf');
    expect(createHash('sha256').update(readFileSync((await download.path())!)).digest('hex')).toBe(digest);
    await buyer.getByLabel('Comment on audit-report').fill('Complete and signed, thank you');
    await checkScreen(buyer, '12-buyer-review');
    await buyer.getByRole('button', { name: 'Accept audit-report' }).click();
    await expect.poll(() => buyer.getByText('Review comment: Complete and signed, thank you').count()).toBe(1);
    await expect.poll(() => buyer.locator('.facts').textContent()).toContain('completed');
    await eventuallyOnPage(
      async () => expect(await buyer.locator('.timeline li').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('reviewed an item'), expect.stringContaining('fulfilled an item')])),
      () => buyer.getByRole('button', { name: 'Refresh' }).click(),
    );
    await buyer.getByLabel('Your comment').fill('Filed for the 2026 review.');
    await buyer.getByLabel('About').selectOption({ label: 'audit-report' });
    await buyer.getByRole('button', { name: 'Post comment' }).click();
    await expect.poll(() => buyer.locator('.comments li').allTextContents()).toEqual([expect.stringMatching(/buyer1 \(buyer, B001\).*on audit-report.*Filed for the 2026 review\./)]);
    await checkScreen(buyer, '13-buyer-request-completed');
    await buyer.getByRole('link', { name: 'Requests' }).click();
    await expect.poll(() => buyer.getByTestId('count-COMPLETED').textContent()).toBe('1');
    await checkScreen(buyer, '14-buyer-requests');

    // The auditor finds every event of the request, and those of the evidence.
    await auditor.getByLabel('Resource id').fill(requestId);
    await auditor.getByLabel('Per page').selectOption('100');
    const actions = async () => (await auditor.locator('table.audit tbody tr td:nth-child(2)').allTextContents()).sort();
    await eventuallyOnPage(
      async () =>
        expect([...new Set(await actions())]).toEqual(
          expect.arrayContaining(['request.create', 'request.read', 'request.item.fulfill', 'request.item.review', 'request.history.read', 'request.comment.create', 'request.comment.list']),
        ),
      () => auditor.getByRole('button', { name: 'Search' }).click(),
    );
    await checkScreen(auditor, '30-auditor-audit-request');
    await auditor.getByLabel('Resource id').fill(evidenceId);
    await auditor.getByLabel('Outcome').selectOption('SUCCESS');
    await eventuallyOnPage(
      async () => {
        expect(await actions()).toEqual(expect.arrayContaining(['evidence.create', 'evidence.file.download', 'evidence.file.verify']));
        expect(new Set(await auditor.locator('table.audit tbody tr td:nth-child(5) code').allTextContents())).toEqual(new Set([evidenceId]));
      },
      () => auditor.getByRole('button', { name: 'Search' }).click(),
    );
    const [csv] = await Promise.all([auditor.waitForEvent('download'), auditor.getByRole('button', { name: 'Download CSV' }).click()]);
    const rows = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(rows[0]).toMatch(/^occurredAt,action,outcome,/);
    expect(rows.slice(1).filter((row) => !row.includes(evidenceId) || !row.includes(',SUCCESS,'))).toEqual([]);
    expect(rows.length - 1).toBe((await actions()).length);
  }, 180_000);
});

describe('administration', () => {
  it('an admin sees every organisation and user, adds a factory, and it joins the directory buyers pick from', async () => {
    const admin = await person('admin1');
    await expect.poll(() => admin.getByRole('cell', { name: 'factory1', exact: true }).count()).toBe(1);
    await checkScreen(admin, '50-admin');
    await admin.getByText('Add an organisation').click();
    await admin.getByLabel('Organisation name').fill('Fabrica Norte');
    await admin.getByLabel('Country (ISO code)').fill('PT');
    await admin.getByRole('button', { name: 'Create organisation' }).click();
    await expect.poll(() => admin.getByRole('cell', { name: 'Fabrica Norte' }).count(), { timeout: 15_000 }).toBe(1);
    const buyer = await person('buyer2');
    await buyer.getByRole('link', { name: 'New request' }).click();
    await expect.poll(async () => (await buyer.getByLabel('Factory', { exact: true }).locator('option').allTextContents()).join('|')).toContain('Fabrica Norte');
  }, 120_000);
});

describe('notifications', () => {
  it('the inbox screen lists the user\'s notifications, unread ones on request', async () => {
    const buyer = await person('buyer1');
    await buyer.getByRole('link', { name: 'Notifications' }).click();
    await expect.poll(() => heading(buyer).textContent()).toBe('Notifications');
    const unread = buyer.waitForRequest((r) => r.url().includes('/v1/notifications?') && r.url().includes('unread=true'));
    await buyer.getByLabel('Unread only').check();
    await unread;
    expect(await buyer.getByRole('alert').count()).toBe(0);
    await checkScreen(buyer, '60-buyer-notifications');
  }, 60_000);
});

describe('packs', () => {
  it('the factory packs a version for the buyer and shares it by link, the buyer downloads the ZIP', async () => {
    const [buyer, factory] = await Promise.all([person('buyer1'), person('factory1')]);
    await factory.getByRole('link', { name: 'Evidence library' }).click();
    await factory.getByLabel('Name', { exact: true }).fill('Chemical test report');
    await factory.getByLabel('Document type', { exact: true }).fill('test-report');
    await factory.getByLabel('File', { exact: true }).setInputFiles({ name: 'test-report.txt', mimeType: 'text/plain', buffer: Buffer.from('REACH test report: passed\n') });
    await expect.poll(() => factory.getByTestId('sha256').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await factory.getByRole('button', { name: 'Create evidence' }).click();
    await expect.poll(() => factory.getByRole('cell', { name: 'available' }).count(), { timeout: 15_000 }).toBe(1);
    // A new version with its own file, and an expiry soon enough for a badge.
    await factory.getByText('Add a version').click();
    await factory.getByLabel('Version notes').fill('Re-tested');
    // Expires at the end of the day ten days on: ten days and some hours left, shown as 10 or 11 days.
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await factory.getByLabel('Version expires on').fill(soon);
    await factory.locator('#new-version-file').setInputFiles({ name: 'test-report-v2.txt', mimeType: 'text/plain', buffer: Buffer.from('REACH test report: passed again\n') });
    await expect.poll(() => factory.getByTestId('sha256').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await factory.getByRole('button', { name: 'Add version' }).click();
    await expect.poll(() => factory.getByRole('cell', { name: 'available' }).count(), { timeout: 15_000 }).toBe(2);
    expect(await factory.getByText(/expires in (10|11) days/).count()).toBe(1);
    await checkScreen(factory, '24-factory-evidence-versions');
    await factory.getByRole('link', { name: 'Packs' }).click();
    await factory.getByLabel('Pack title').fill('Audit pack for B001');
    await factory.getByLabel('Share with buyer (organisation id)').fill('B001');
    await factory.getByLabel(/Chemical test report \(test-report\) version 1/).check();
    await checkScreen(factory, '61-factory-new-pack');
    await factory.getByRole('button', { name: 'Create pack' }).click();
    await expect.poll(() => heading(factory).textContent()).toBe('Audit pack for B001');
    await expect.poll(() => factory.locator('.facts').textContent(), { timeout: 30_000 }).toContain('ready');
    await factory.getByLabel('Note (who it is for)').fill('external auditor');
    await factory.getByRole('button', { name: 'Create share link' }).click();
    await expect.poll(() => factory.getByTestId('share-url').textContent()).toMatch(/\/v1\/shared\//);
    await checkScreen(factory, '62-factory-pack');

    await buyer.getByRole('link', { name: 'Packs' }).click();
    await buyer.getByRole('link', { name: 'Audit pack for B001' }).click();
    await expect.poll(() => buyer.locator('.facts').textContent()).toContain('ready');
    const [zip] = await Promise.all([buyer.waitForEvent('download'), buyer.getByRole('button', { name: 'Download ZIP' }).click()]);
    expect(readFileSync((await zip.path())!).subarray(0, 2).toString('latin1')).toBe('PK');
    await checkScreen(buyer, '63-buyer-pack');
  }, 120_000);
});

describe('refusals', () => {
  it('show the problem, the fields at fault and the request id', async () => {
    const buyer = await person('buyer2');
    // Another buyer's or an unknown request: 404 with its request id.
    await buyer.goto(`${base}/requests/no-such-request`);
    const alert = buyer.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('404');
    expect(await alert.getByTestId('request-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    await checkScreen(buyer, '40-refusal-not-found');

    // A refusal naming the field: fulfilling with an expired version is 400 on /version.
    const factory = await person('factory2');
    await factory.getByRole('link', { name: 'Evidence library' }).click();
    await factory.getByLabel('Name', { exact: true }).fill('Certificate 2019');
    await factory.getByLabel('Document type', { exact: true }).fill('certificate');
    await factory.getByLabel('Expires on').fill('2020-01-01');
    await factory.getByRole('button', { name: 'Create evidence' }).click();
    await expect.poll(() => factory.getByText('expired 2020-01-01').count()).toBe(1);
    await buyer.getByRole('link', { name: 'New request' }).click();
    await buyer.getByLabel('Factory', { exact: true }).selectOption('F002');
    await buyer.getByLabel('Title').fill('Certificates');
    await buyer.getByLabel('Document type 1').fill('certificate');
    await buyer.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => heading(buyer).textContent()).toBe('Certificates');
    await factory.getByRole('link', { name: 'Queue' }).click();
    await eventuallyOnPage(
      async () => expect(await factory.getByRole('link', { name: 'Certificates' }).count()).toBe(1),
      () => factory.getByRole('button', { name: 'Refresh' }).click(),
    );
    await factory.getByRole('link', { name: 'Certificates' }).click();
    await factory.getByLabel('Evidence for certificate').selectOption({ label: 'Certificate 2019 (latest version 1)' });
    await factory.getByLabel('Version for certificate').selectOption('1');
    await factory.getByRole('button', { name: 'Fulfil certificate' }).click();
    const refused = factory.getByRole('alert');
    await expect.poll(() => refused.textContent()).toContain('/version');
    expect(await refused.textContent()).toContain('400');
    expect(await refused.getByTestId('request-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    await checkScreen(factory, '41-refusal-invalid-input');

    // A role that may never read the audit log: 403.
    await factory.goto(`${base}/audit`);
    await expect.poll(() => factory.getByRole('alert').first().textContent()).toContain('403');
    await checkScreen(factory, '42-refusal-forbidden');
  }, 120_000);
});

describe('signing out', () => {
  it('revokes the refresh token and ends the sign-in session', async () => {
    const page = await person('buyer1');
    const revoked = page.waitForRequest((r) => r.url().endsWith('/oauth2/revoke') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await revoked).postData()).toContain('token=');
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    // The managed-login session ended too: signing in asks for the password again.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Password').count()).toBe(1);
  }, 60_000);
});
