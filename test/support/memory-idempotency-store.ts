/** The idempotency store's contract in memory, with the same conditions as the DynamoDB adapter. */
import type { IdempotencyRecord, IdempotencyStore, StoredAnswer } from '../../functions/core/idempotency.js';

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();

  async claim(record: IdempotencyRecord, now: Date) {
    const existing = this.records.get(record.keyHash);
    if (existing && existing.expiresAt > now.getTime() / 1000) return false;
    this.records.set(record.keyHash, record);
    return true;
  }

  async get(hash: string) {
    return this.records.get(hash);
  }

  async takeOver(hash: string, body: string, owner: string, lockedUntil: number, now: Date) {
    const r = this.records.get(hash);
    if (!r || r.bodyHash !== body || r.expiresAt <= now.getTime() / 1000) return false;
    if (!(r.status === 'RELEASED' || (r.status === 'IN_PROGRESS' && r.lockedUntil <= now.getTime()))) return false;
    this.records.set(hash, { ...r, status: 'IN_PROGRESS', owner, lockedUntil });
    return true;
  }

  async complete(hash: string, owner: string, answer: StoredAnswer) {
    const r = this.records.get(hash);
    if (!r || r.owner !== owner || r.status !== 'IN_PROGRESS') return false;
    this.records.set(hash, { ...r, status: 'COMPLETED', answer });
    return true;
  }

  async release(hash: string, owner: string) {
    const r = this.records.get(hash);
    if (r && r.owner === owner && r.status === 'IN_PROGRESS') this.records.set(hash, { ...r, status: 'RELEASED' });
  }
}
