/**
 * Changes bite within a minute without a table read per call: each container remembers the
 * session state of a user and organisation for at most `maxAgeMs` (30 s by default), so a
 * disabled user, a changed role or org, or a suspended organisation is refused within that
 * time, with every token issued before the change (`401 invalid_token`). The clock is
 * injectable, so tests show the refusal without waiting.
 */
import { RevokedSessionError } from '../core/errors.js';
import type { SessionState, SessionStates } from '../core/ports.js';
import type { Principal } from '../core/principal.js';

/** The contract's bound (API.md 1.1): a change is enforced within 60 s. */
export const MAX_FRESHNESS_MS = 60_000;
export const DEFAULT_FRESHNESS_MS = 30_000;

export interface SessionFreshness {
  /** @throws RevokedSessionError when the session no longer stands. */
  check(principal: Principal, issuedAtSeconds: number): Promise<void>;
}

export interface SessionFreshnessOptions {
  readonly states: SessionStates;
  /** How long a container trusts what it read. @default 30 s; at most 60 s */
  readonly maxAgeMs?: number;
  /** @default 10,000 users per container */
  readonly maxEntries?: number;
  readonly now?: () => Date;
}

interface Entry {
  readonly readAt: number;
  readonly state: Promise<SessionState>;
}

/** Why a session with this state and issue time no longer stands, or undefined when it does. */
export function refusal(state: SessionState, issuedAtSeconds: number): string | undefined {
  const { user, org } = state;
  if (user?.erased) return 'The user was erased';
  if (user?.status === 'DISABLED') return 'The user is disabled';
  if (user?.revokedAt !== undefined && issuedAtSeconds * 1000 <= Date.parse(user.revokedAt)) {
    return 'The token was issued before the user\'s role, organisation or status changed: sign in again';
  }
  if (org?.status === 'SUSPENDED') return 'The organisation is suspended';
  return undefined;
}

export function createSessionFreshness(options: SessionFreshnessOptions): SessionFreshness {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_FRESHNESS_MS;
  if (maxAgeMs > MAX_FRESHNESS_MS) throw new Error(`maxAgeMs ${maxAgeMs} exceeds the contract's ${MAX_FRESHNESS_MS} ms: pass at most ${MAX_FRESHNESS_MS}`);
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, Entry>();

  function stateOf(principal: Principal): Promise<SessionState> {
    const key = `${principal.userId}|${principal.orgId ?? ''}`;
    const at = now().getTime();
    const cached = entries.get(key);
    if (cached && at - cached.readAt < maxAgeMs) return cached.state;
    const state = options.states.read(principal.userId, principal.orgId);
    entries.delete(key);
    entries.set(key, { readAt: at, state });
    // A failed read is not remembered: the next call reads again.
    state.catch(() => entries.get(key)?.state === state && entries.delete(key));
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return state;
  }

  return {
    async check(principal, issuedAtSeconds) {
      const reason = refusal(await stateOf(principal), issuedAtSeconds);
      if (reason) throw new RevokedSessionError(reason);
    },
  };
}
