/** The local stand-in for EventBridge -> file verifier: the rule's filter, Lambda-like retries, the failure file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createObjectEventBus } from '../../local/object-events.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function bus() {
  const dir = mkdtempSync(join(tmpdir(), 'object-events-'));
  dirs.push(dir);
  const failureFile = join(dir, 'failures.jsonl');
  return { failureFile, bus: createObjectEventBus({ rule: { bucket: 'evidence-files', prefix: 'evidence/' }, failureFile, retryDelayMs: 1, log: () => undefined }) };
}
const created = (key: string, bucket = 'evidence-files') => ({ bucket, key, size: 3, etag: 'e' });

describe('local object events', () => {
  it('delivers matching objects as EventBridge Object Created events, in order, queued until a handler connects', async () => {
    const { bus: events } = bus();
    const seen: unknown[] = [];
    events.deliver(created('evidence/a'));
    events.deliver(created('other/b'));
    events.deliver(created('evidence/c', 'audit-archive'));
    events.deliver(created('evidence/d'));
    events.connect(async (event) => seen.push(event));
    await events.idle();
    expect(seen).toMatchObject([
      { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'evidence-files' }, object: { key: 'evidence/a', size: 3 } } },
      { detail: { object: { key: 'evidence/d' } } },
    ]);
  });

  it('retries a failing handler, then keeps the event in the failure file', async () => {
    const { bus: events, failureFile } = bus();
    let calls = 0;
    events.connect(async (event) => {
      calls += 1;
      if ((event as { detail: { object: { key: string } } }).detail.object.key === 'evidence/flaky' && calls === 1) throw new Error('throttled');
      if ((event as { detail: { object: { key: string } } }).detail.object.key === 'evidence/broken') throw new Error('always');
    });
    events.deliver(created('evidence/flaky'));
    await events.idle();
    expect(calls).toBe(2);
    events.deliver(created('evidence/broken'));
    await events.idle();
    expect(calls).toBe(5);
    const failures = readFileSync(failureFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(failures).toMatchObject([{ error: 'Error: always', event: { detail: { object: { key: 'evidence/broken' } } } }]);
  });
});
