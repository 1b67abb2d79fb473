import { describe, expect, it } from 'vitest';
import { indexEntry, itemSize, writeUnits } from '../../bench/capacity-rules.js';
import type { IndexDefinition } from '../../functions/config/table.js';

const whole: IndexDefinition = { indexName: 'all', partitionKey: 'apk', sortKey: 'ask', projection: 'ALL' };
const slim: IndexDefinition = { indexName: 'slim', partitionKey: 'spk', sortKey: 'ssk', projection: ['status'] };
const pad = (n: number) => 'x'.repeat(n);

describe('write units by AWS rules', () => {
  it('sizes items as DynamoDB does: names and values in UTF-8, numbers by digits, maps and lists with overhead', () => {
    expect(itemSize({ pk: 'ab' })).toBe(4);
    expect(itemSize({ n: 12345 })).toBe(1 + 4);
    expect(itemSize({ m: { a: 'b' } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ l: ['ab', true] })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize({ é: 'é' })).toBe(4);
  });

  it('charges a new item 1 per started KB, twice inside a transaction', () => {
    const small = { pk: 'a', sk: 'b', d: pad(500) };
    const large = { pk: 'a', sk: 'b', d: pad(1500) };
    expect(writeUnits([{ after: small, transactional: false }], []).total).toBe(1);
    expect(writeUnits([{ after: large, transactional: false }], []).total).toBe(2);
    expect(writeUnits([{ after: small, transactional: true }, { after: large, transactional: true }], []).total).toBe(2 + 4);
  });

  it('charges a replacement by the larger of its two images', () => {
    expect(writeUnits([{ before: { pk: 'a', sk: 'b', d: pad(1500) }, after: { pk: 'a', sk: 'b' }, transactional: false }], []).table).toBe(2);
  });

  it('charges an index entry once when added, nothing when unchanged, a delete and a put when its key moves', () => {
    const before = { pk: 'a', sk: 'b', apk: 'P', ask: '1', spk: 'Q', ssk: '1', status: 'OPEN', d: pad(100) };
    const added = writeUnits([{ after: before, transactional: true }], [whole, slim]);
    expect(added).toEqual({ table: 2, indexes: { all: 1, slim: 1 }, total: 4 });

    // A change outside the slim projection rewrites the whole copy only.
    const body = writeUnits([{ before, after: { ...before, d: pad(200) }, transactional: true }], [whole, slim]);
    expect(body).toEqual({ table: 2, indexes: { all: 1 }, total: 3 });

    // A projected attribute changes both; a moved key costs its old entry and its new one.
    const status = writeUnits([{ before, after: { ...before, status: 'DONE', ssk: '2' }, transactional: false }], [whole, slim]);
    expect(status).toEqual({ table: 1, indexes: { all: 1, slim: 2 }, total: 4 });
  });

  it('counts an item outside an index (a sparse index) as no index write', () => {
    expect(writeUnits([{ after: { pk: 'a', sk: 'b' }, transactional: false }], [whole, slim])).toEqual({ table: 1, indexes: {}, total: 1 });
  });

  it('projects keys and the named attributes only, and sizes the entry by them', () => {
    const item = { pk: 'a', sk: 'b', spk: 'Q', ssk: '1', status: 'OPEN', d: pad(3000) };
    expect(indexEntry(item, slim)).toEqual({ pk: 'a', sk: 'b', spk: 'Q', ssk: '1', status: 'OPEN' });
    expect(writeUnits([{ after: item, transactional: false }], [slim])).toEqual({ table: 3, indexes: { slim: 1 }, total: 4 });
    expect(writeUnits([{ after: item, transactional: false }], [{ ...slim, projection: 'ALL' }])).toEqual({ table: 3, indexes: { slim: 3 }, total: 6 });
  });

  it('ignores the order in which a map lists its keys', () => {
    const before = { pk: 'a', sk: 'b', apk: 'P', ask: '1', m: { x: 1, y: 2 } };
    expect(writeUnits([{ before, after: { ...before, m: { y: 2, x: 1 } }, transactional: false }], [whole]).indexes).toEqual({});
  });
});
