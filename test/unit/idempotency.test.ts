/** The pure idempotency logic: canonical JSON, key scoping, header rules, and the claim / replay / wait decisions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beginIdempotentCall,
  bodyHash,
  canonicalJson,
  idempotencyKeyOf,
  keyHash,
  type StoredAnswer,
} from '../../functions/core/idempotency.js';
import { MemoryIdempotencyStore } from '../support/memory-idempotency-store.js';
import { IdempotencyKeyReusedError, IdempotentRequestInFlightError, ValidationError } from '../../functions/core/errors.js';

const scope = { userId: 'u1', method: 'POST', path: '/v1/requests', key: 'k1' };
const answer: StoredAnswer = { statusCode: 201, outcome: 'SUCCESS', correlationId: 'c1', body: '{"ok":true}' };

/** A clock that only moves when the fake sleep is called. */
function fakeTime(start = Date.UTC(2026, 10, 22)) {
  let t = start;
  return { clock: () => new Date(t), sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

describe('canonicalJson', () => {
  it('ignores key order and whitespace at every depth, and keeps array order', () => {
    expect(canonicalJson(JSON.parse('{ "b": 1, "a": {"y": [2, 1], "x": null} }'))).toBe('{"a":{"x":null,"y":[2,1]},"b":1}');
    expect(bodyHash({ a: 1, b: 2 })).toBe(bodyHash({ b: 2, a: 1 }));
    expect(bodyHash([1, 2])).not.toBe(bodyHash([2, 1]));
    expect(bodyHash({ a: '1' })).not.toBe(bodyHash({ a: 1 }));
  });

  it('hashes equal JSON values equally, and round-trips to the same value (property)', () => {
    const shuffle = (value: unknown, seed: number): unknown => {
      if (Array.isArray(value)) return value.map((v) => shuffle(v, seed));
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value);
      entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? a[0].localeCompare(b[0]) : b[0].localeCompare(a[0])));
      return Object.fromEntries(entries.map(([k, v]) => [k, shuffle(v, seed + 1)]));
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const normal = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(shuffle(normal, seed))).toBe(canonicalJson(normal));
        expect(JSON.parse(canonicalJson(normal))).toEqual(normal);
      }),
      { numRuns: 300 },
    );
  });
});

describe('keyHash and the header', () => {
  it('scopes a key to the user, the method and the path', () => {
    const base = keyHash(scope);
    expect(keyHash({ ...scope })).toBe(base);
    expect(keyHash({ ...scope, userId: 'u2' })).not.toBe(base);
    expect(keyHash({ ...scope, path: '/v1/evidence' })).not.toBe(base);
    expect(keyHash({ ...scope, key: 'k2' })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts 1-128 printable ASCII characters and refuses the rest on header.Idempotency-Key', () => {
    expect(idempotencyKeyOf([])).toBeUndefined();
    expect(idempotencyKeyOf(['a'])).toBe('a');
    expect(idempotencyKeyOf(['~'.repeat(128)])).toHaveLength(128);
    for (const bad of [[''], ['x'.repeat(129)], ['a\u0000'], ['\u00e9'], ['a\nb'], ['a', 'b']]) {
      try {
        idempotencyKeyOf(bad);
        expect.unreachable(JSON.stringify(bad));
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors[0]!.path).toBe('header.Idempotency-Key');
      }
    }
  });
});

describe('beginIdempotentCall', () => {
  it('claims a fresh key, then replays the stored answer for an equal body', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    const first = await beginIdempotentCall(store, scope, { a: 1, b: 2 }, time);
    expect(first.kind).toBe('run');
    if (first.kind !== 'run') return;
    await store.complete(first.keyHash, first.owner, answer);
    expect(await beginIdempotentCall(store, scope, { b: 2, a: 1 }, time)).toEqual({ kind: 'replay', answer });
  });

  it('refuses another body with IdempotencyKeyReusedError, completed or not', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    await beginIdempotentCall(store, scope, { a: 1 }, time);
    await expect(beginIdempotentCall(store, scope, { a: 2 }, time)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('waits for an in-flight call, bounded, then answers IdempotentRequestInFlightError', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    await beginIdempotentCall(store, scope, {}, time);
    const started = time.clock().getTime();
    await expect(beginIdempotentCall(store, scope, {}, { ...time, waitMs: 500, pollMs: 100 })).rejects.toBeInstanceOf(IdempotentRequestInFlightError);
    expect(time.clock().getTime() - started).toBe(500);
  });

  it('stops after a bounded number of looks even when the clock stands still', async () => {
    const store = new MemoryIdempotencyStore();
    const frozen = new Date(Date.UTC(2026, 0, 1));
    let sleeps = 0;
    const options = { clock: () => frozen, sleep: async () => void (sleeps += 1), waitMs: 300, pollMs: 100 };
    await beginIdempotentCall(store, scope, {}, options);
    await expect(beginIdempotentCall(store, scope, {}, options)).rejects.toBeInstanceOf(IdempotentRequestInFlightError);
    expect(sleeps).toBeLessThanOrEqual(5);
  });

  it('picks up the answer of a call that completes while a repeat waits', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    const first = await beginIdempotentCall(store, scope, {}, time);
    if (first.kind !== 'run') throw new Error('expected a claim');
    const sleep = async (ms: number) => {
      await time.sleep(ms);
      await store.complete(first.keyHash, first.owner, answer);
    };
    expect(await beginIdempotentCall(store, scope, {}, { ...time, sleep })).toEqual({ kind: 'replay', answer });
  });

  it('takes over a released claim, or one whose call died, but never a live one', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    const first = await beginIdempotentCall(store, scope, {}, time);
    if (first.kind !== 'run') throw new Error('expected a claim');
    await store.release(first.keyHash, first.owner);
    const second = await beginIdempotentCall(store, scope, {}, time);
    expect(second.kind).toBe('run');
    if (second.kind !== 'run') return;
    expect(await store.complete(first.keyHash, first.owner, answer)).toBe(false); // the old owner lost the claim

    time.advance(15_001);
    const third = await beginIdempotentCall(store, scope, {}, { ...time, waitMs: 0 });
    expect(third.kind).toBe('run');
    if (third.kind === 'run') expect(third.owner).not.toBe(second.owner);
  });

  it('forgets a key after 24 hours', async () => {
    const store = new MemoryIdempotencyStore();
    const time = fakeTime();
    const first = await beginIdempotentCall(store, scope, { a: 1 }, time);
    if (first.kind !== 'run') throw new Error('expected a claim');
    await store.complete(first.keyHash, first.owner, answer);
    time.advance(24 * 3600_000);
    expect((await beginIdempotentCall(store, scope, { a: 2 }, time)).kind).toBe('run');
  });
});
