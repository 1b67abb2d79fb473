/** The caller, as established from a verified access token. */
import type { Role } from './permissions.js';

export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly orgId?: string;
}
