/**
 * Idempotent POSTs (API.md, "Idempotency and limits"): the port to the record store, the
 * canonical JSON hashing that decides "same body", and the use case that decides whether a
 * call runs, replays the first answer, or is refused. Pure: no SDK, no HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyKeyReusedError, IdempotentRequestInFlightError, ValidationError } from './errors.js';
import type { Outcome } from '../schemas/audit.js';
import type { FieldError } from './errors.js';

/** The header, as API.md names it. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** How long a key remembers its first answer. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/**
 * How long a claim blocks repeats before another call may take it over: longer than the API
 * functions' 10 s timeout, so a live first call is never overtaken.
 */
export const IN_FLIGHT_LOCK_MS = 15_000;

const KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;

/** A problem answer as the problem middleware would build it, minus the per-call correlationId. */
export interface StoredProblem {
  /** The precise rule; also the problem type's suffix unless `family` is given (records stored before codes were precise). */
  readonly code: string;
  readonly family?: string | undefined;
  readonly title: string;
  readonly detail?: string | undefined;
  readonly errors?: readonly FieldError[] | undefined;
}

/** The first answer of a key, replayed to every repeat. */
export interface StoredAnswer {
  readonly statusCode: number;
  /** The audit outcome of the first call; a replay's audit event records the same. */
  readonly outcome: Outcome;
  /** The audited resource's id (a created request's id), for the replay's audit event. */
  readonly resourceId?: string | undefined;
  /** The first call's correlation id, named in the replay's audit event. */
  readonly correlationId: string;
  /** JSON body of a success. */
  readonly body?: string | undefined;
  readonly location?: string | undefined;
  /** Problem of a refusal; the replay renders it with its own correlationId. */
  readonly problem?: StoredProblem | undefined;
}

export type IdempotencyStatus = 'IN_PROGRESS' | 'COMPLETED' | 'RELEASED';

export interface IdempotencyRecord {
  /** sha256 of user | method | path | key. */
  readonly keyHash: string;
  /** sha256 of the canonical JSON of the body. */
  readonly bodyHash: string;
  readonly status: IdempotencyStatus;
  /** The claim that may complete or release the record. */
  readonly owner: string;
  /** Epoch ms after which an IN_PROGRESS claim may be taken over (its call died). */
  readonly lockedUntil: number;
  /** Epoch seconds after which the record is void (and DynamoDB's TTL may remove it). */
  readonly expiresAt: number;
  readonly answer?: StoredAnswer | undefined;
}

/** Where idempotency records live. Records are written conditionally and never deleted by code. */
export interface IdempotencyStore {
  /**
   * Creates the record if no live one exists (absent, or past `expiresAt`).
   * @returns false when a live record holds the key.
   */
  claim(record: IdempotencyRecord, now: Date): Promise<boolean>;
  get(keyHash: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Takes over a live record of the same body that was released or whose claim expired.
   * @returns false when another call changed it first.
   */
  takeOver(keyHash: string, bodyHash: string, owner: string, lockedUntil: number, now: Date): Promise<boolean>;
  /** Stores the first answer if `owner` still holds the claim. @returns false otherwise. */
  complete(keyHash: string, owner: string, answer: StoredAnswer): Promise<boolean>;
  /** Gives the claim up (the call failed with a 5xx), so a retry runs again. */
  release(keyHash: string, owner: string): Promise<void>;
}

/** JSON with object keys sorted at every depth, so equal values hash equally whatever their key order or whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function bodyHash(body: unknown): string {
  return sha256(canonicalJson(body));
}

export interface IdempotencyScope {
  readonly userId: string;
  readonly method: string;
  readonly path: string;
  readonly key: string;
}

/** The key is scoped to the user, the method and the path; `|` cannot be confused since the key is hashed last. */
export function keyHash(scope: IdempotencyScope): string {
  return sha256(`${scope.userId}|${scope.method}|${scope.path}|${scope.key}`);
}

/**
 * Checks the header value. `values` are every value the header was sent with.
 * @returns the key, or undefined when the header is absent.
 * @throws ValidationError on `header.Idempotency-Key`.
 */
export function idempotencyKeyOf(values: readonly string[]): string | undefined {
  if (values.length === 0) return undefined;
  const path = `header.${IDEMPOTENCY_HEADER}`;
  if (values.length > 1) throw new ValidationError([{ path, message: 'is given more than once' }], { code: 'header-repeated' });
  const key = values[0]!;
  if (!KEY_PATTERN.test(key)) throw new ValidationError([{ path, message: 'must be 1-128 printable ASCII characters' }], { code: 'idempotency-key-invalid' });
  return key;
}

export interface IdempotencyOptions {
  /** How long a repeat waits for an in-flight first call before answering 409. @default 2000 */
  readonly waitMs?: number;
  /** Pause between looks at the in-flight record. @default 100 */
  readonly pollMs?: number;
  readonly lockMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => Date;
}

/** A call that holds the key: it runs, then completes (or releases) the record. */
export interface ClaimedCall {
  readonly kind: 'run';
  readonly keyHash: string;
  readonly owner: string;
}

export interface ReplayedCall {
  readonly kind: 'replay';
  readonly answer: StoredAnswer;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Decides what a POST with an idempotency key does:
 * 1. No live record: claim the key and run.
 * 2. A live record of another body: 422 (IdempotencyKeyReusedError).
 * 3. A completed record: replay its answer.
 * 4. Released (the first call failed with a 5xx) or its claim expired (the call died): take it over and run.
 * 5. In flight: look again every `pollMs` for up to `waitMs`; still in flight, 409 (IdempotentRequestInFlightError).
 * Every loop is bounded by attempts as well as by time.
 */
export async function beginIdempotentCall(
  store: IdempotencyStore,
  scope: IdempotencyScope,
  body: unknown,
  options: IdempotencyOptions = {},
): Promise<ClaimedCall | ReplayedCall> {
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const waitMs = options.waitMs ?? 2_000;
  const pollMs = Math.max(1, options.pollMs ?? 100);
  const lockMs = options.lockMs ?? IN_FLIGHT_LOCK_MS;
  const hash = keyHash(scope);
  const bodyDigest = bodyHash(body);
  const owner = randomUUID();
  const started = clock().getTime();
  const maxLooks = Math.ceil(waitMs / pollMs) + 2;

  for (let look = 0; look < maxLooks; look++) {
    const now = clock();
    const claimed = await store.claim(
      {
        keyHash: hash,
        bodyHash: bodyDigest,
        status: 'IN_PROGRESS',
        owner,
        lockedUntil: now.getTime() + lockMs,
        expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
      },
      now,
    );
    if (claimed) return { kind: 'run', keyHash: hash, owner };

    const record = await store.get(hash);
    if (!record || isExpired(record, now)) continue; // vanished or void: claim again
    if (record.bodyHash !== bodyDigest) {
      throw new IdempotencyKeyReusedError(`This ${IDEMPOTENCY_HEADER} was used with another body; use a new key for a new request`);
    }
    if (record.status === 'COMPLETED' && record.answer) return { kind: 'replay', answer: record.answer };
    if (record.status === 'RELEASED' || record.lockedUntil <= now.getTime()) {
      if (await store.takeOver(hash, bodyDigest, owner, now.getTime() + lockMs, now)) return { kind: 'run', keyHash: hash, owner };
      continue;
    }
    if (clock().getTime() - started >= waitMs) break;
    await sleep(pollMs);
  }
  throw new IdempotentRequestInFlightError(`A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry shortly`);
}

export function isExpired(record: IdempotencyRecord, now: Date): boolean {
  return record.expiresAt <= Math.floor(now.getTime() / 1000);
}
