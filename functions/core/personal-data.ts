/**
 * What sealing means for the rest of the core: which fields of an audit event are personal,
 * how a sealed value is recognised, and an AuditLog whose reads come back revealed.
 */
import type { AuditLog, PersonalDataVault } from './ports.js';

/** Every sealed value starts so; the rest is base64url(iv ‖ tag ‖ ciphertext) of AES-256-GCM. */
export const SEALED_PREFIX = 'sealed:v1:';
/** What an erased actor's username reads as. */
export const ERASED_USERNAME = '(erased)';
/** Actors that are no person: nothing of theirs is sealed. */
export const IMPERSONAL_ACTORS: ReadonlySet<string> = new Set(['system']);

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

/** The AuditLog of the API: it records what it is given (already sealed by the trail) and answers revealed events. */
export function revealingAuditLog(log: AuditLog, vault: PersonalDataVault): AuditLog {
  return {
    record: (event) => log.record(event),
    async list(filter, page) {
      const result = await log.list(filter, page);
      return { ...result, items: await vault.reveal(result.items) };
    },
  };
}

