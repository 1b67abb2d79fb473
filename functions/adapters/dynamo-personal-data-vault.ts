/**
 * The personal-data vault on DynamoDB: one random AES-256 key per user in the table
 * (`USERKEY#<userId>` / `KEY`, never archived, never exported to the archive), made on the
 * user's first audited call; erasure replaces it with a tombstone. Values are sealed with
 * AES-256-GCM, a random 96-bit IV each, the user id as associated data, so equal values
 * never seal alike and a sealed value cannot be moved to another user; plaintexts are padded
 * to 32-byte blocks, so the length of a name or an address shows only coarsely.
 * Keys are remembered per container for at most `cacheMs` (60 s): an erasure reaches every
 * container within that time.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../core/errors.js';
import { ERASED_USERNAME, IMPERSONAL_ACTORS, SEALED_PREFIX, isSealed } from '../core/personal-data.js';
import type { PersonalDataVault } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import { dynamo } from './dynamo-errors.js';
import { keys } from './dynamo-items.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A user's key, or `destroyed` after erasure. */
type KeyState = Buffer | 'destroyed';

/** Plaintexts are padded with NULs to a multiple of this, so a sealed value hardly tells its length. */
const PAD_BYTES = 32;

export function sealValue(key: Buffer, userId: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(userId, 'utf8'));
  const plain = Buffer.from(value, 'utf8');
  const padded = Buffer.concat([plain, Buffer.alloc(PAD_BYTES * Math.max(1, Math.ceil(plain.length / PAD_BYTES)) - plain.length)]);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** The value, or undefined when it does not open with this key (another user's, or altered). */
export function openValue(key: Buffer, userId: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(userId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    // Text fields never hold NUL (control characters are refused, HTTP headers cannot carry it): the padding strips cleanly.
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8').replace(/\0+$/, '');
  } catch {
    return undefined;
  }
}

export interface VaultOptions {
  /** @default 60 s */
  readonly cacheMs?: number;
  readonly now?: () => Date;
}

export class DynamoPersonalDataVault implements PersonalDataVault {
  readonly #cache = new Map<string, { readonly at: number; readonly key: Promise<KeyState | undefined> }>();
  readonly #cacheMs: number;
  readonly #now: () => Date;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: VaultOptions = {},
  ) {
    this.#cacheMs = options.cacheMs ?? 60_000;
    this.#now = options.now ?? (() => new Date());
  }

  async seal(event: AuditEvent): Promise<AuditEvent> {
    const { userId } = event.actor;
    if (IMPERSONAL_ACTORS.has(userId)) return event;
    const state = await this.keyOf(userId, true);
    // An erased user acts no more; should an event of theirs arrive, it is sealed with a key nobody keeps.
    const key = state === undefined || state === 'destroyed' ? randomBytes(32) : state;
    const seal = (value: string | undefined) => (value === undefined || isSealed(value) ? value : sealValue(key, userId, value));
    const username = seal(event.actor.username);
    const sourceIp = seal(event.sourceIp);
    const userAgent = seal(event.userAgent);
    return {
      ...event,
      actor: { ...event.actor, ...(username !== undefined && { username }) },
      ...(sourceIp !== undefined && { sourceIp }),
      ...(userAgent !== undefined && { userAgent }),
    };
  }

  async reveal(events: readonly AuditEvent[]): Promise<AuditEvent[]> {
    const actors = [...new Set(events.filter((e) => [e.actor.username, e.sourceIp, e.userAgent].some(isSealed)).map((e) => e.actor.userId))];
    const keysOf = new Map(await Promise.all(actors.map(async (userId) => [userId, await this.keyOf(userId, false)] as const)));
    return events.map((event) => {
      const key = keysOf.get(event.actor.userId);
      const open = (value: string | undefined) => {
        if (!isSealed(value)) return value;
        return Buffer.isBuffer(key) ? openValue(key, event.actor.userId, value) : undefined;
      };
      const { sourceIp: _ip, userAgent: _agent, ...rest } = event;
      const username = isSealed(event.actor.username) ? (open(event.actor.username) ?? ERASED_USERNAME) : event.actor.username;
      const sourceIp = open(event.sourceIp);
      const userAgent = open(event.userAgent);
      return {
        ...rest,
        actor: { ...event.actor, ...(username !== undefined && { username }) },
        ...(sourceIp !== undefined && { sourceIp }),
        ...(userAgent !== undefined && { userAgent }),
      };
    });
  }

  forget(userId: string): void {
    this.#cache.delete(userId);
  }

  private keyOf(userId: string, create: boolean): Promise<KeyState | undefined> {
    const at = this.#now().getTime();
    const cached = this.#cache.get(userId);
    if (cached && at - cached.at < this.#cacheMs) {
      return cached.key.then((key) => (key === undefined && create ? this.remember(userId, at, this.load(userId, true)) : key));
    }
    return this.remember(userId, at, this.load(userId, create));
  }

  private remember(userId: string, at: number, key: Promise<KeyState | undefined>): Promise<KeyState | undefined> {
    this.#cache.set(userId, { at, key });
    key.catch(() => this.#cache.delete(userId));
    return key;
  }

  private async load(userId: string, create: boolean): Promise<KeyState | undefined> {
    const found = await this.read(userId);
    if (found !== undefined || !create) return found;
    const key = randomBytes(32);
    try {
      await dynamo(() =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.userKey(userId), entity: 'user-key', userId, key: key.toString('base64'), createdAt: this.#now().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return key;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      return this.read(userId); // another call made it first
    }
  }

  private async read(userId: string): Promise<KeyState | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.userKey(userId), ConsistentRead: true })));
    if (!Item) return undefined;
    if (typeof Item.key === 'string') return Buffer.from(Item.key, 'base64');
    return 'destroyed';
  }
}
