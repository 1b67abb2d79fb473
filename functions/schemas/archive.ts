/**
 * The audit archive's record formats (one JSON object per line, gzip) and the Glue / DuckDB
 * table definitions derived from the very same zod schemas, so the archive, Athena and the
 * local query command cannot drift apart.
 */
import * as z from 'zod/mini';
import { AuditEvent } from './audit.js';
import { Timestamp } from './common.js';

/**
 * An `audit/` line is the API's AuditEvent as stored: `actor.username`, `sourceIp` and
 * `userAgent` sealed (`sealed:v1:…`, AES-256-GCM under the actor's key), so an erasure
 * makes them unrecoverable without touching the locked object.
 */
export const AuditArchiveRecord = AuditEvent;
export type AuditArchiveRecord = z.infer<typeof AuditArchiveRecord>;

export const ChangeEventName = z.enum(['INSERT', 'MODIFY', 'REMOVE']);
export type ChangeEventName = z.infer<typeof ChangeEventName>;

export const EntityType = z.enum(['request', 'evidence', 'evidence-version', 'evidence-share', 'organisation', 'audit', 'other', 'user']);
export type EntityType = z.infer<typeof EntityType>;

/**
 * Who removed an item: `SYSTEM_EXPIRY` is DynamoDB's TTL (stream userIdentity
 * `Service` / `dynamodb.amazonaws.com`), never a user's deletion.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 */
export const RemovalCause = z.enum(['USER', 'SYSTEM_EXPIRY']);
export type RemovalCause = z.infer<typeof RemovalCause>;

/** A `changes/` line: one entity item change with both images. */
export const EntityChange = z
  .object({
    /** `<stream label>/<sequence number>`: unique per change. */
    changeId: z.string(),
    eventName: ChangeEventName,
    entityType: EntityType,
    entityId: z.string(),
    pk: z.string(),
    sk: z.string(),
    changedAt: Timestamp,
    sequenceNumber: z.string(),
    removalCause: z.optional(RemovalCause),
    /** The item before the change, keys removed (absent on INSERT). */
    oldImage: z.optional(z.record(z.string(), z.unknown())),
    /** The item after the change, keys removed (absent on REMOVE). */
    newImage: z.optional(z.record(z.string(), z.unknown())),
  })
  .register(z.globalRegistry, { id: 'EntityChange' });
export type EntityChange = z.infer<typeof EntityChange>;

export interface Column {
  readonly name: string;
  readonly type: string;
}

type Def = { type: string; format?: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Glue (Hive) type of a zod schema; free-form records become JSON text columns. */
export function glueType(schema: unknown): string {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return glueType(def.innerType);
    case 'string':
    case 'enum':
    case 'literal':
      return 'string';
    case 'number':
      return def.format === 'safeint' || def.format === 'int32' ? 'int' : 'double';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `array<${glueType(def.element)}>`;
    case 'object':
      return `struct<${Object.entries(def.shape ?? {})
        .map(([name, field]) => `${name}:${glueType(field)}`)
        .join(',')}>`;
    default:
      return 'string';
  }
}

/** DuckDB type of a zod schema, equivalent to its Glue type. */
export function duckdbType(schema: unknown): string {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return duckdbType(def.innerType);
    case 'string':
    case 'enum':
    case 'literal':
      return 'VARCHAR';
    case 'number':
      return def.format === 'safeint' || def.format === 'int32' ? 'INTEGER' : 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'array':
      return `${duckdbType(def.element)}[]`;
    case 'object':
      return `STRUCT(${Object.entries(def.shape ?? {})
        .map(([name, field]) => `"${name}" ${duckdbType(field)}`)
        .join(', ')})`;
    default:
      return 'JSON';
  }
}

export function columnsOf(schema: unknown, typeOf: (s: unknown) => string = glueType): Column[] {
  const def = defOf(schema);
  return Object.entries(def.shape ?? {}).map(([name, field]) => ({ name, type: typeOf(field) }));
}

export interface ArchiveTable {
  /** Glue / DuckDB table name. */
  readonly name: string;
  /** Key prefix in the archive bucket, ending with `/`. */
  readonly prefix: string;
  readonly schema: unknown;
  readonly columns: Column[];
  /** Partition keys (Hive style, `dt=YYYY-MM-DD` in the key). */
  readonly partitionKeys: Column[];
}

export const ARCHIVE_PREFIXES = { audit: 'audit/', changes: 'changes/', manifests: 'manifests/' } as const;
export const PARTITION_KEY = 'dt';

/** The Glue tables of the archive, for the CDK app and the local query command. */
export const GLUE_TABLES = {
  auditEvents: {
    name: 'audit_events',
    prefix: ARCHIVE_PREFIXES.audit,
    schema: AuditArchiveRecord,
    columns: columnsOf(AuditArchiveRecord),
    partitionKeys: [{ name: PARTITION_KEY, type: 'string' }],
  },
  entityChanges: {
    name: 'entity_changes',
    prefix: ARCHIVE_PREFIXES.changes,
    schema: EntityChange,
    columns: columnsOf(EntityChange),
    partitionKeys: [{ name: PARTITION_KEY, type: 'string' }],
  },
} as const satisfies Record<string, ArchiveTable>;

/** Storage descriptor facts shared by both tables (OpenX JSON SerDe reads the gzip lines). */
export const GLUE_STORAGE = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  serdeParameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'FALSE' },
} as const;

/**
 * Table parameters for partition projection on `dt`, so no crawler or MSCK is needed.
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 */
export function glueTableParameters(bucketName: string, table: ArchiveTable, firstDate = '2026-01-01'): Record<string, string> {
  return {
    classification: 'json',
    compressionType: 'gzip',
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': `${firstDate},NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'storage.location.template': `s3://${bucketName}/${table.prefix}dt=\${dt}/`,
  };
}
