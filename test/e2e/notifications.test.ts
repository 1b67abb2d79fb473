/**
 * Through `npm start`'s runtime, as a client sees it: a buyer creates a request and, within
 * 5 seconds, the factory user's in-app notification and its `.eml` in the local mail folder
 * are there (the notifier is the stream poller's second consumer; no call waits for it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../../local/demo-users.js';
import { freePort } from '../../local/net.js';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'notifications-e2e-'));
  runtime = await startLocalRuntime({ port: await freePort(), dataDir, startArchive: false });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function token(username: string): Promise<string> {
  const answer = await fetch(`${runtime.url}/_local/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEFAULT_DEMO_PASSWORD }) });
  return ((await answer.json()) as { access_token: string }).access_token;
}

async function within<T>(ms: number, probe: () => Promise<T | undefined>): Promise<{ value: T; after: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, after: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`nothing within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('notifications through the local runtime', () => {
  it('shows the factory user the new request in-app and by e-mail within 5 s', async () => {
    const buyer = await token('buyer1');
    const factory = await token('factory1');
    const title = `E2E request ${Date.now()}`;
    const created = await fetch(`${runtime.url}/v1/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${buyer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ factoryId: 'F001', title, items: [{ docType: 'certificate' }] }),
    });
    expect(created.status).toBe(201);
    const { requestId } = (await created.json()) as { requestId: string };

    const inApp = await within(5_000, async () => {
      const answer = await fetch(`${runtime.url}/v1/notifications`, { headers: { Authorization: `Bearer ${factory}` } });
      const { items } = (await answer.json()) as { items: { event: string; subject: { id: string }; summary: string }[] };
      return items.find((n) => n.event === 'request.created' && n.subject.id === requestId);
    });
    expect(inApp.value.summary).toContain(title);

    // The same notification as e-mail: one .eml in the local mail folder, listed by GET /_local/mail.
    const mail = await within(5_000, async () => {
      const answer = await fetch(`${runtime.url}/_local/mail`);
      const { items } = (await answer.json()) as { items: { to: string; subject: string; text: string }[] };
      return items.find((m) => m.to.includes('factory1') && m.text.includes(requestId));
    });
    expect(mail.value.subject).toContain(title);

    // Nobody else of another organisation heard of it.
    const other = await fetch(`${runtime.url}/v1/notifications`, { headers: { Authorization: `Bearer ${await token('factory2')}` } });
    expect(((await other.json()) as { items: { subject: { id: string } }[] }).items.some((n) => n.subject.id === requestId)).toBe(false);
  }, 60_000);
});
