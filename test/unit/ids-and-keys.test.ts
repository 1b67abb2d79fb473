/**
 * Identifiers and storage keys: the sortable ids' time part (ULID alphabet, most significant
 * first) and random tail, the file ids' 128 random bits, the evidence key's shape both ways,
 * and the audit query's reversed range.
 */
import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../functions/core/audit-trail.js';
import { evidenceFileKey, newFileId, parseEvidenceFileKey } from '../../functions/core/evidence-files.js';
import { newCommentId, newEventId, newEvidenceId, newItemId, newRequestId, sortableId } from '../../functions/core/ids.js';
import { listAudit } from '../../functions/core/use-cases/audit.js';
import { memoryPorts } from '../support/memory-ports.js';
import { PEOPLE } from '../support/principals.js';

const ULID = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The reference encoding: ten base-32 digits of the millisecond time. */
function timePart(ms: number): string {
  return Array.from({ length: 10 }, (_, i) => ULID[Math.floor(ms / 32 ** (9 - i)) % 32]).join('');
}

describe('sortable ids', () => {
  it.each([0, 1, 31, 32, 1_024, Date.parse('2027-01-01T00:00:00.000Z'), 2 ** 48 - 1])('encode %d ms as its ten time digits, then 16 random ones', (ms) => {
    const id = sortableId(ms);
    expect(id).toHaveLength(26);
    expect(id.slice(0, 10)).toBe(timePart(ms));
    expect(id.slice(10)).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it('sort by time, and differ in their tails', () => {
    expect(sortableId(1_000) < sortableId(1_001)).toBe(true);
    const tails = new Set(Array.from({ length: 200 }, () => sortableId(5).slice(10)));
    expect(tails.size).toBe(200);
    // Every digit of the alphabet turns up in the tails.
    expect(new Set([...tails].join('')).size).toBe(32);
  });

  it('carry their kind as a prefix', () => {
    const at = 1_700_000_000_000;
    for (const [make, prefix] of [[newRequestId, 'req_'], [newItemId, 'itm_'], [newEvidenceId, 'evd_'], [newEventId, 'evt_'], [newCommentId, 'cmt_']] as const) {
      const id = make(at);
      expect(id.startsWith(prefix)).toBe(true);
      expect(id.slice(4, 14)).toBe(timePart(at));
      expect(id).toHaveLength(30);
    }
    expect(newRequestId().slice(4, 14) >= timePart(Date.now() - 1000)).toBe(true);
  });
});

describe('file ids and evidence keys', () => {
  it('make a file id of 128 random bits in lowercase base32', () => {
    const ids = Array.from({ length: 100 }, newFileId);
    for (const id of ids) expect(id).toMatch(/^fil_[a-z2-7]{25}[a-z2-7]$/);
    expect(new Set(ids).size).toBe(100);
    // 128 bits = 25 full digits and 3 bits left over, shifted up by 2: the last digit is one of 8.
    expect(new Set(ids.map((id) => id.at(-1))).size).toBeGreaterThan(1);
    for (const id of ids) expect('aeimquy4'.includes(id.at(-1)!)).toBe(true);
    expect(new Set(ids.map((id) => id[4])).size).toBeGreaterThan(8);
  });

  it('builds and parses evidence/<factory>/<evidence>/v<version>/<file>', () => {
    const location = { factoryId: 'F001', evidenceId: 'evd_1', version: 12, fileId: 'fil_abc' };
    const key = evidenceFileKey(location);
    expect(key).toBe('evidence/F001/evd_1/v12/fil_abc');
    expect(parseEvidenceFileKey(key)).toEqual(location);
    for (const stray of ['evidence/F001/evd_1/v0/fil_abc', 'evidence/F001/evd_1/v01/fil_abc', 'evidence/F001/evd_1/fil_abc', 'x/evidence/F001/evd_1/v1/f', 'evidence/F 1/e/v1/f', 'evidence/F001/evd_1/v1/fil_abc/x']) {
      expect(parseEvidenceFileKey(stray), stray).toBeUndefined();
    }
    expect(parseEvidenceFileKey(`evidence/${'a'.repeat(100)}/e/v9999999999/f`)).toMatchObject({ version: 9_999_999_999 });
    expect(parseEvidenceFileKey(`evidence/${'a'.repeat(101)}/e/v1/f`)).toBeUndefined();
  });

  it('refuses to build a key from anything but plain ids and a positive integer version', () => {
    const good = { factoryId: 'F001', evidenceId: 'evd_1', version: 1, fileId: 'fil_a' };
    expect(() => evidenceFileKey({ ...good, factoryId: '../F002' })).toThrow('evidenceFileKey: factoryId "../F002" is not a plain id ([A-Za-z0-9_-]{1,100})');
    expect(() => evidenceFileKey({ ...good, evidenceId: '' })).toThrow('evidenceId');
    expect(() => evidenceFileKey({ ...good, fileId: 'a/b' })).toThrow('fileId');
    expect(() => evidenceFileKey({ ...good, version: 0 })).toThrow('evidenceFileKey: version 0 is not a positive integer');
    expect(() => evidenceFileKey({ ...good, version: 1.5 })).toThrow('version 1.5');
    expect(evidenceFileKey({ ...good, version: 1 })).toBe('evidence/F001/evd_1/v1/fil_a');
  });
});

describe('listAudit', () => {
  const query = (q: Record<string, unknown>) => {
    const principal = PEOPLE.auditor1;
    const now = () => new Date();
    return listAudit(memoryPorts(), { principal, now, audit: new AuditTrail({ action: 'audit.read', resourceType: 'audit', correlationId: 'c', successStatus: 200 }, principal, now) }, { query: q } as never);
  };

  it('refuses a range whose from lies after its to, naming both', async () => {
    const refusal = await query({ from: '2027-01-02T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }).catch((e: unknown) => e as { code: string; message: string; errors: unknown });
    expect(refusal).toMatchObject({
      code: 'range-reversed',
      message: 'from (2027-01-02T00:00:00.000Z) is later than to (2027-01-01T00:00:00.000Z)',
      errors: [
        { path: 'query.from', message: 'must not be later than to (2027-01-01T00:00:00.000Z)' },
        { path: 'query.to', message: 'must not be earlier than from (2027-01-02T00:00:00.000Z)' },
      ],
    });
  });

  it('answers an empty range, a range with one end, and no range', async () => {
    for (const q of [{ from: '2027-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }, { from: '2027-01-02T00:00:00.000Z' }, { to: '2020-01-01T00:00:00.000Z' }, {}]) {
      expect(await query(q), JSON.stringify(q)).toEqual({ items: [] });
    }
  });
});
