/**
 * Write units as AWS documents them, computed from an operation's item images before and
 * after (DynamoDB Local's own accounting for transactions with indexes is not AWS's: it
 * charges 4 units per started KB of the largest item per table and per index touched).
 *
 * - Item size: attribute names and values in UTF-8, a number about one byte per two digits,
 *   3 bytes per map or list and 1 per element ("Item sizes and formats", DynamoDB Developer Guide).
 * - A write costs 1 WCU per started KB of the larger of the item's old and new images
 *   ("Read/write capacity mode": PutItem, UpdateItem and DeleteItem).
 * - Inside TransactWriteItems each item costs twice ("Capacity management for transactions":
 *   DynamoDB performs two underlying writes, prepare and commit).
 * - Each index whose entry the write adds, removes or changes costs 1 WCU per started KB of
 *   the entry (its keys and projected attributes); a changed index key costs a delete and a
 *   put; an index entry that does not change costs nothing ("Provisioned throughput
 *   considerations for Global Secondary Indexes", GSI writes). Index updates propagate after
 *   the transaction commits, so they are counted at the standard rate.
 */
import { PARTITION_KEY, SORT_KEY, type IndexDefinition } from '../functions/config/table.js';

type Item = Record<string, unknown>;

/** DynamoDB's size of an attribute value. */
export function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]|e.*$/g, '').replace(/^0+/, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Item).reduce((n, [k, v]) => n + (v === undefined ? 0 : Buffer.byteLength(k) + 1 + valueSize(v)), 0);
  return 0;
}

/** A top-level item: its attribute names and values, without a map's overhead. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((n, [name, value]) => n + (value === undefined ? 0 : Buffer.byteLength(name) + valueSize(value)), 0);

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The entry an item has in an index (its keys and projected attributes), or none. */
export function indexEntry(item: Item | undefined, index: IndexDefinition): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [PARTITION_KEY, SORT_KEY, index.partitionKey, index.sortKey, ...index.projection];
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}

export interface ItemChange {
  readonly before?: Item | undefined;
  readonly after?: Item | undefined;
  /** Written inside TransactWriteItems. */
  readonly transactional: boolean;
}

export interface WriteUnits {
  readonly table: number;
  readonly indexes: Record<string, number>;
  readonly total: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** JSON.stringify compares maps by key order; an item read back may list them in any order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Item).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
}

export function writeUnits(changes: readonly ItemChange[], indexes: readonly IndexDefinition[]): WriteUnits {
  let table = 0;
  const byIndex: Record<string, number> = {};
  for (const change of changes) {
    const sizes = [change.before, change.after].filter((i): i is Item => i !== undefined).map(itemSize);
    table += units(Math.max(...sizes)) * (change.transactional ? 2 : 1);
    for (const index of indexes) {
      const before = indexEntry(change.before, index);
      const after = indexEntry(change.after, index);
      let cost = 0;
      if (before && after) {
        const keyChanged = before[index.partitionKey] !== after[index.partitionKey] || before[index.sortKey] !== after[index.sortKey];
        if (keyChanged) cost = units(itemSize(before)) + units(itemSize(after));
        else if (!same(canonical(before), canonical(after))) cost = units(Math.max(itemSize(before), itemSize(after)));
      } else if (before) cost = units(itemSize(before));
      else if (after) cost = units(itemSize(after));
      if (cost > 0) byIndex[index.indexName!] = (byIndex[index.indexName!] ?? 0) + cost;
    }
  }
  return { table, indexes: byIndex, total: table + Object.values(byIndex).reduce((a, b) => a + b, 0) };
}
