/** The local mail folder: RFC 5322 files, listed back, and served by `GET /_local/mail`. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ROUTES, ROUTE_GROUPS, type RouteGroup } from '../../functions/api/routes.js';
import { createLocalHttpServer, type LambdaHandler } from '../../local/http-server.js';
import { createMailOutbox, parseMessage } from '../../local/mail-outbox.js';
import { generateSigningKey, TokenIssuer } from '../../local/token-issuer.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mail-'));

describe('the local mail outbox', () => {
  it('writes one .eml per message with RFC 5322 headers, and lists them oldest first', async () => {
    let clock = Date.parse('2026-12-02T10:00:00.000Z');
    const outbox = createMailOutbox(dir(), () => new Date(clock));
    await outbox.send({ to: 'ana@example.com', subject: 'Hello', text: 'Line one\nLine two' });
    clock += 1000;
    await outbox.send({ to: 'bo@example.com', subject: 'Prüfbericht «2026»', text: 'Grüße', html: '<p>Grüße</p>' });
    const files = readdirSync(outbox.dir);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const raw = readFileSync(join(outbox.dir, files.sort()[0]!), 'utf8');
    const { headers } = parseMessage(raw);
    expect(headers).toMatchObject({ to: 'ana@example.com', subject: 'Hello', 'mime-version': '1.0', date: 'Wed, 02 Dec 2026 10:00:00 +0000' });
    expect(headers.from).toMatch(/<.+@.+>/);
    expect(headers['message-id']).toMatch(/^<.+@.+>$/);
    expect(raw).toContain('\r\n\r\n');
    const second = readFileSync(join(outbox.dir, files.sort()[1]!), 'utf8');
    expect(second).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(second).toContain('multipart/alternative');

    expect(await outbox.list()).toEqual([
      { to: 'ana@example.com', subject: 'Hello', date: '2026-12-02T10:00:00.000Z', file: files.sort()[0], text: 'Line one\nLine two' },
      { to: 'bo@example.com', subject: 'Prüfbericht «2026»', date: '2026-12-02T10:00:01.000Z', file: files.sort()[1], text: 'Grüße' },
    ]);
  });

  it('lists nothing before the first message', async () => {
    expect(await createMailOutbox(join(dir(), 'absent')).list()).toEqual([]);
  });

  it('is served as JSON by GET /_local/mail on the local HTTP server (405 for other methods)', async () => {
    const outbox = createMailOutbox(dir());
    await outbox.send({ to: 'cy@example.com', subject: 'Invitation', text: 'Temporary password: x' });
    const http = createLocalHttpServer({ rateLimits: false });
    const handler: LambdaHandler = async () => ({ statusCode: 200, body: '{}' });
    const handlers = Object.fromEntries(ROUTE_GROUPS.map((g) => [g, handler])) as Record<RouteGroup, LambdaHandler>;
    http.ready({ issuer: new TokenIssuer({ key: await generateSigningKey(), password: 'x' }), routes: ROUTES, handlers, mailbox: outbox });
    await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
    try {
      const answer = await fetch(`${url}/_local/mail`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const body = (await answer.json()) as { items: Array<Record<string, string>> };
      expect(body.items).toHaveLength(1);
      expect(body.items[0]).toMatchObject({ to: 'cy@example.com', subject: 'Invitation', text: 'Temporary password: x' });
      expect(body.items[0]!.file).toMatch(/\.eml$/);
      expect((await fetch(`${url}/_local/mail`, { method: 'POST' })).status).toBe(405);
    } finally {
      http.server.closeAllConnections();
      await new Promise((resolve) => http.server.close(resolve));
    }
  });
});
