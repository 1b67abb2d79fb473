/** The users the local token issuer signs in (API.md, "Local sign-in"). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { LocalUser, LocalUserStore } from '../functions/adapters/local-user-store.js';

export type DemoGroup = 'buyer' | 'factory' | 'auditor' | 'admin';

export interface DemoUser {
  readonly username: string;
  readonly group: DemoGroup;
  readonly orgId?: string;
  /** The `sub`; a demo user's is stableSub(username). */
  readonly userId?: string;
  readonly email?: string;
}

export const DEMO_USERS = [
  { username: 'buyer1', group: 'buyer', orgId: 'B001' },
  { username: 'buyer2', group: 'buyer', orgId: 'B002' },
  { username: 'factory1', group: 'factory', orgId: 'F001' },
  { username: 'factory2', group: 'factory', orgId: 'F002' },
  { username: 'auditor1', group: 'auditor' },
  { username: 'admin1', group: 'admin' },
] as const satisfies readonly DemoUser[];

export type DemoUsername = (typeof DEMO_USERS)[number]['username'];

export const DEMO_PASSWORD_ENV = 'LOCAL_DEMO_PASSWORD';
export const DEFAULT_DEMO_PASSWORD = 'Local-Demo-Passw0rd!';

export function demoPassword(env: NodeJS.ProcessEnv = process.env): string {
  return env[DEMO_PASSWORD_ENV] || DEFAULT_DEMO_PASSWORD;
}

/** Where the password comes from, for the start-up banner (never the password itself when it is the user's own). */
export function demoPasswordSource(env: NodeJS.ProcessEnv = process.env): string {
  return env[DEMO_PASSWORD_ENV]
    ? `from ${DEMO_PASSWORD_ENV}`
    : `default "${DEFAULT_DEMO_PASSWORD}" (set ${DEMO_PASSWORD_ENV} to change it)`;
}

export function findDemoUser(username: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === username);
}

/**
 * The user whose credentials match, or undefined. The password comparison takes the same
 * time whatever the input (both sides are hashed to a fixed length first), and an unknown
 * username costs the same comparison.
 */
export function authenticateDemoUser(username: string, password: string, expected: string): DemoUser | undefined {
  const user = findDemoUser(username);
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const passwordMatches = timingSafeEqual(digest(password), digest(expected));
  return user && passwordMatches ? user : undefined;
}

/**
 * A stable `sub` per username: a UUID (version 5 layout) from a SHA-256 of the name, so
 * audit records keep pointing at the same user across restarts and data-dir resets.
 */
export function stableSub(username: string): string {
  const bytes = createHash('sha256').update(`evidence-requests/local-user/${username}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The demo users as entries of the local user store (`.local/users.json`), signing in with the demo password. */
export function demoStoreUsers(): LocalUser[] {
  return DEMO_USERS.map((u) => ({
    userId: stableSub(u.username),
    username: u.username,
    email: `${u.username}@example.com`,
    group: u.group,
    ...('orgId' in u && { orgId: u.orgId }),
    enabled: true,
  }));
}

const asSignInUser = (u: LocalUser): DemoUser => ({ username: u.username, group: u.group, userId: u.userId, email: u.email, ...(u.orgId !== undefined && { orgId: u.orgId }) });

/**
 * The local user store as the sign-in page (local/oauth-server.ts) reads it: the enabled
 * users, seeded demo users (the demo password) and those created through the API alike.
 */
export function signInDirectory(store: LocalUserStore, password: string) {
  return {
    authenticate: async (username: string, given: string) => {
      const user = await store.authenticate(username, given, password);
      return user && asSignInUser(user);
    },
    find: async (username: string) => {
      const user = await store.find(username);
      return user?.enabled ? asSignInUser(user) : undefined;
    },
    list: async () => (await store.all()).filter((u) => u.enabled).map(asSignInUser),
  };
}
