/** The caller, as established from a verified access token (or nobody, on an anonymous operation). */
import type { Caller } from './permissions.js';

export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Caller;
  readonly orgId?: string;
}

/** The caller of an anonymous operation (a share link): no account, no organisation. */
export const ANONYMOUS: Principal = { userId: 'anonymous', username: 'anonymous', role: 'anonymous' };
