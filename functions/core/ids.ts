/** Sortable, prefixed identifiers: a 48-bit millisecond time then 80 random bits (ULID alphabet). */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function sortableId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[random[i]! % 32];
  return time + tail;
}

export const newRequestId = (now?: number) => `req_${sortableId(now)}`;
export const newItemId = (now?: number) => `itm_${sortableId(now)}`;
export const newEvidenceId = (now?: number) => `evd_${sortableId(now)}`;
export const newEventId = (now?: number) => `evt_${sortableId(now)}`;
export const newCommentId = (now?: number) => `cmt_${sortableId(now)}`;
