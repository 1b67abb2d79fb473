/**
 * The local runtime's user pool: one JSON file (`.local/users.json`) that the local token
 * issuer signs in from and the local identity directory administers, so a user an admin
 * creates through the API can sign in at once. Writes are atomic (temp file + rename) and
 * serialised within the process; the seeded demo users sign in with the demo password.
 */
import { createHash, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConflictError } from '../core/errors.js';
import type { IdentityDirectory, IdentityRef, MailSender, NewIdentity } from '../core/ports.js';
import type { Role } from '../core/permissions.js';

export interface LocalUser {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly group: Role;
  readonly orgId?: string;
  readonly enabled: boolean;
  /** `scrypt:<salt>:<hash>` of the temporary password; absent for seeded users (the demo password). */
  readonly passwordHash?: string;
  /** Epoch seconds of the last global sign-out: refresh tokens issued before it are void. */
  readonly signedOutAt?: number;
}

interface StoreFile {
  readonly users: LocalUser[];
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64')}:${scryptSync(password, salt, 32).toString('base64')}`;
}

function passwordMatches(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'base64'), expected.length), expected);
}

/** A temporary password that satisfies the user pool's policy (upper, lower, digit, symbol; 16 characters). */
export function temporaryPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@'];
  const all = sets.join('');
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b, i) => (i < sets.length ? sets[i]! : all)[b % (i < sets.length ? sets[i]! : all).length]!);
  return chars.sort(() => (randomBytes(1)[0]! < 128 ? -1 : 1)).join('');
}

export class LocalUserStore {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async all(): Promise<LocalUser[]> {
    try {
      return (JSON.parse(await readFile(this.file, 'utf8')) as StoreFile).users;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async find(username: string): Promise<LocalUser | undefined> {
    return (await this.all()).find((u) => u.username === username);
  }

  /** The enabled user whose password matches; the comparison costs the same for unknown users. */
  async authenticate(username: string, password: string, demoPassword: string): Promise<LocalUser | undefined> {
    const user = await this.find(username);
    const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
    const ok = user?.passwordHash ? passwordMatches(password, user.passwordHash) : timingSafeEqual(digest(password), digest(demoPassword));
    return ok && user?.enabled ? user : undefined;
  }

  /** Applies `change` to the whole list under the process-wide lock and writes it atomically. */
  update<T>(change: (users: LocalUser[]) => { users: LocalUser[]; result: T }): Promise<T> {
    const run = this.#queue.then(async () => {
      const { users, result } = change(await this.all());
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temp, JSON.stringify({ users } satisfies StoreFile, null, 2), { mode: 0o600 });
      await rename(temp, this.file);
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Adds the users that are not there yet (by username); answers how many were added. */
  seed(users: readonly LocalUser[]): Promise<number> {
    return this.update((current) => {
      const missing = users.filter((u) => !current.some((c) => c.username === u.username));
      return { users: [...current, ...missing], result: missing.length };
    });
  }
}

/** The invitation a new user gets (Cognito's is configured in lib/identity.ts with the same facts). */
export function invitationMail(identity: NewIdentity, password: string, signInHint: string): { subject: string; text: string } {
  return {
    subject: 'Your evidence requests account',
    text: [
      `Hello ${identity.username},`,
      '',
      `An administrator created an account for you (${identity.role}${identity.orgId ? `, organisation ${identity.orgId}` : ''}).`,
      `Username: ${identity.username}`,
      `Temporary password: ${password}`,
      '',
      signInHint,
      '',
    ].join('\n'),
  };
}

/** The IdentityDirectory of the local runtime, on the local user store, inviting through the local mail folder. */
export class LocalIdentityDirectory implements IdentityDirectory {
  constructor(
    private readonly store: LocalUserStore,
    private readonly mail: MailSender,
  ) {}

  async create(identity: NewIdentity): Promise<{ userId: string }> {
    const password = temporaryPassword();
    const user: LocalUser = {
      userId: randomUUID(),
      username: identity.username,
      email: identity.email,
      group: identity.role,
      ...(identity.orgId !== undefined && { orgId: identity.orgId }),
      enabled: true,
      passwordHash: hashPassword(password),
    };
    await this.store.update((users) => {
      if (users.some((u) => u.username === identity.username)) throw new ConflictError('username-taken', `The username ${identity.username} is taken`);
      return { users: [...users, user], result: undefined };
    });
    await this.mail.send({ to: identity.email, ...invitationMail(identity, password, 'Sign in with POST /_local/token (or the local sign-in page) using this password.') });
    return { userId: user.userId };
  }

  async changeRole({ username }: IdentityRef, change: { from: Role; to: Role; orgId?: string | undefined }): Promise<void> {
    await this.modify(username, (u) => {
      const { orgId: _old, ...rest } = u;
      return { ...rest, group: change.to, ...(change.orgId !== undefined && { orgId: change.orgId }) };
    });
  }

  async setEnabled({ username }: IdentityRef, enabled: boolean): Promise<void> {
    await this.modify(username, (u) => ({ ...u, enabled }));
  }

  async signOut({ username }: IdentityRef): Promise<void> {
    await this.modify(username, (u) => ({ ...u, signedOutAt: Math.floor(Date.now() / 1000) }));
  }

  /** By id: a compensation after a lost race must never remove the identity that won the name. */
  async remove({ userId }: IdentityRef): Promise<void> {
    await this.store.update((users) => ({ users: users.filter((u) => u.userId !== userId), result: undefined }));
  }

  async activeAdminCount(): Promise<number> {
    return (await this.store.all()).filter((u) => u.group === 'admin' && u.enabled).length;
  }

  private modify(username: string, change: (user: LocalUser) => LocalUser): Promise<void> {
    return this.store.update((users) => ({ users: users.map((u) => (u.username === username ? change(u) : u)), result: undefined }));
  }
}
