/**
 * Sealed cursors (API.md 1.1): the storage adapter's position is encrypted and authenticated
 * with AES-256-GCM, bound to the user and the query that produced it. Changing any byte, or
 * replaying a cursor for another user or another query, fails authentication: 400. The
 * content tells a client nothing about storage keys.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { canonicalJson } from '../core/idempotency.js';

/** The 32-byte key, fetched once (a secret in AWS, a file under `.local/` locally). */
export type CursorKeySource = () => Promise<Uint8Array>;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

/** What a cursor is bound to: the user, the operation, and every input but the cursor and the page size. */
export interface CursorBinding {
  readonly userId: string;
  readonly operation: string;
  readonly path: unknown;
  readonly query: Record<string, unknown>;
}

function bindingBytes({ userId, operation, path, query }: CursorBinding): Buffer {
  const { cursor: _cursor, limit: _limit, ...filters } = query;
  return createHash('sha256').update(canonicalJson({ userId, operation, path: path ?? {}, filters })).digest();
}

export interface CursorSealer {
  seal(position: string, binding: CursorBinding): Promise<string>;
  /** @throws ValidationError on `query.cursor` when the cursor is not one this binding sealed. */
  open(sealed: string, binding: CursorBinding): Promise<string>;
}

const invalid = () => new ValidationError([{ path: 'query.cursor', message: 'is not a cursor of this list' }], { code: 'invalid-cursor' });

export function createCursorSealer(keySource: CursorKeySource): CursorSealer {
  let key: Promise<Uint8Array> | undefined;
  const keyOnce = async () => {
    key ??= keySource().then((bytes) => {
      if (bytes.length !== 32) throw new Error(`The cursor key must be 32 bytes, got ${bytes.length}`);
      return bytes;
    });
    // A failed read (the secret store unreachable) is tried again by the next call.
    return key.catch((error: unknown) => {
      key = undefined;
      throw error;
    });
  };
  return {
    async seal(position, binding) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', await keyOnce(), iv);
      cipher.setAAD(bindingBytes(binding));
      const body = Buffer.concat([cipher.update(position, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    async open(sealed, binding) {
      const bytes = Buffer.from(sealed, 'base64url');
      // base64url ignores some edits (padding bits, stray characters): only the exact encoding is this cursor.
      if (bytes.toString('base64url') !== sealed || bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) throw invalid();
      const iv = bytes.subarray(1, 1 + IV_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', await keyOnce(), iv);
      decipher.setAAD(bindingBytes(binding));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw invalid();
      }
    },
  };
}
