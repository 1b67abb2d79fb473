/**
 * The API's rate limits in the local runtime, as WAF and API Gateway apply them in AWS:
 * a token bucket per user and one per client address, sized by the stage settings of
 * lib/stages.ts. Pure: the caller passes the clock. Past a limit the answer is 429 with
 * Retry-After, before any handler runs (so never audited).
 */
import { createHash } from 'node:crypto';
import type { RateLimit, RateLimits } from '../lib/stages.js';

export interface Refusal {
  /** Whole seconds until the bucket holds a token again (at least 1). */
  readonly retryAfterSeconds: number;
  readonly limit: 'perUser' | 'perAddress';
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key, holding at most `maxKeys` keys (a full bucket is the same as none, so those go first). */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly maxKeys = 100_000,
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) throw new Error(`TokenBuckets: bad limit ${JSON.stringify(limit)}`);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, nowMs: number): number {
    const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
    return Math.min(this.limit.burst, bucket.tokens + elapsed * this.limit.ratePerSecond);
  }

  /** Seconds until `key` could take a token, 0 when it can now. Takes nothing. */
  wait(key: string, nowMs: number): number {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, nowMs) : this.limit.burst;
    return tokens >= 1 ? 0 : (1 - tokens) / this.limit.ratePerSecond;
  }

  /** Takes a token for `key`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, nowMs) : this.limit.burst;
    if (tokens < 1) {
      if (bucket) Object.assign(bucket, { tokens, at: nowMs });
      return false;
    }
    if (bucket) {
      bucket.tokens = tokens - 1;
      bucket.at = nowMs;
    } else {
      this.buckets.set(key, { tokens: tokens - 1, at: nowMs });
      if (this.buckets.size > this.maxKeys) this.prune(nowMs);
    }
    return true;
  }

  /** Drops buckets that have refilled completely, then the oldest, until under the cap. Bounded by the map's size. */
  private prune(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (this.refilled(bucket, nowMs) >= this.limit.burst) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The user a request claims to be, for rate limiting only: the bearer token's `sub`, read
 * without verifying it (the handler verifies; a forged `sub` only spends that user's
 * tokens and still meets the per-address limit), or a hash of the token when it has none.
 */
export function rateLimitUserKey(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  const token = match?.[1];
  if (!token) return undefined;
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && sub.length > 0 && sub.length <= 200) return `sub:${sub}`;
    } catch {
      // not a JWT: fall through to the hash
    }
  }
  return `token:${createHash('sha256').update(token).digest('hex')}`;
}

/** Both limits of the API: per user (when the request names one) and per client address. */
export class ApiRateLimiter {
  private readonly perUser: TokenBuckets;
  private readonly perAddress: TokenBuckets;

  constructor(limits: RateLimits, maxKeys?: number) {
    this.perUser = new TokenBuckets(limits.perUser, maxKeys);
    this.perAddress = new TokenBuckets(limits.perAddress, maxKeys);
  }

  /**
   * Counts one request. @returns undefined when it may pass, else which limit refused it and
   * when to retry. A refused request spends no tokens of the other limit.
   */
  check(authorization: string | undefined, address: string, nowMs: number): Refusal | undefined {
    const user = rateLimitUserKey(authorization);
    const addressWait = this.perAddress.wait(address, nowMs);
    if (addressWait > 0) return { limit: 'perAddress', retryAfterSeconds: Math.max(1, Math.ceil(addressWait)) };
    if (user !== undefined) {
      const userWait = this.perUser.wait(user, nowMs);
      if (userWait > 0) return { limit: 'perUser', retryAfterSeconds: Math.max(1, Math.ceil(userWait)) };
      this.perUser.take(user, nowMs);
    }
    this.perAddress.take(address, nowMs);
    return undefined;
  }
}
