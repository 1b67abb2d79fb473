import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalKeyManifestSigner } from '../../functions/adapters/local-key-signer.js';
import { canonicalJson, MANIFEST_FORMAT, reconcile, signedBytes, verifyManifestSignature, type Manifest } from '../../functions/archive/manifest.js';
import { ArchiveRecordError, objectKey, parseObjectKey, planObjects, shapeRecord, type StreamChange } from '../../functions/archive/records.js';
import { duckdbType, glueType, GLUE_TABLES } from '../../functions/schemas/archive.js';
import { AuditEvent } from '../../functions/schemas/audit.js';

const event = {
  eventId: 'e1',
  occurredAt: '2026-11-22T23:59:59.999Z',
  action: 'request.read',
  outcome: 'SUCCESS',
  actor: { userId: 'u1', role: 'buyer', orgId: 'B001' },
  resource: { type: 'request', id: 'r1' },
  statusCode: 200,
  correlationId: 'c1',
} as const;

const change = (overrides: Partial<StreamChange>): StreamChange => ({
  eventName: 'INSERT',
  sequenceNumber: '100',
  streamLabel: '2026-11-22T10:00:00.000',
  changedAt: '2026-11-23T00:00:00.000Z',
  keys: { pk: 'AUDIT#e1', sk: 'AUDIT' },
  newImage: { pk: 'AUDIT#e1', sk: 'AUDIT', gsi3pk: 'AUDIT', ttl: 1, entity: 'audit', ...event },
  ...overrides,
});

describe('archive record shaping', () => {
  it('turns an audit INSERT into the API AuditEvent, dated by occurredAt', () => {
    expect(shapeRecord(change({}))).toEqual({ kind: 'audit', dt: '2026-11-22', sequenceNumber: '100', record: event });
  });

  it('skips SYSTEM# and IDEMPOTENCY# items', () => {
    expect(shapeRecord(change({ keys: { pk: 'SYSTEM#manifest-head', sk: 'manifest-head' } }))).toBeUndefined();
    expect(shapeRecord(change({ keys: { pk: 'IDEMPOTENCY#abc', sk: 'IDEMPOTENCY' } }))).toBeUndefined();
  });

  it('skips inboxes, webhooks (their signing secrets) and job markers, but archives comments', () => {
    for (const [pk, sk] of [['INBOX#u1', 'NOTIFICATION#ntf_1'], ['WEBHOOK#whk_1', 'WEBHOOK'], ['WEBHOOK#whk_1', 'DELIVERY#x'], ['EVENT#request.overdue/req_1', 'EVENT']]) {
      expect(shapeRecord(change({ eventName: 'MODIFY', keys: { pk: pk!, sk: sk! }, newImage: { secret: 'whsec_x' } })), pk).toBeUndefined();
    }
    const comment = shapeRecord(change({ eventName: 'INSERT', keys: { pk: 'REQUEST#req_1', sk: 'COMMENT#2026-11-22T10:00:00.000Z#cmt_1' }, newImage: { text: 'hi' } }));
    expect(comment).toMatchObject({ kind: 'changes', record: { entityType: 'request', sk: 'COMMENT#2026-11-22T10:00:00.000Z#cmt_1' } });
  });

  it('records a TTL expiry of an audit item as a system expiry change, not a deletion by a user', () => {
    const expired = shapeRecord(
      change({ eventName: 'REMOVE', oldImage: change({}).newImage, newImage: undefined, userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }),
    );
    expect(expired).toMatchObject({ kind: 'changes', record: { entityType: 'audit', eventName: 'REMOVE', removalCause: 'SYSTEM_EXPIRY' } });
    const deleted = shapeRecord(change({ eventName: 'REMOVE', oldImage: change({}).newImage, newImage: undefined }));
    expect(deleted).toMatchObject({ record: { removalCause: 'USER' } });
  });

  it('names the entity of every key shape', () => {
    const of = (pk: string, sk: string) => (shapeRecord(change({ keys: { pk, sk }, newImage: { pk, sk } }))!.record as { entityType: string; entityId: string });
    expect(of('REQUEST#r1', 'REQUEST')).toMatchObject({ entityType: 'request', entityId: 'r1' });
    expect(of('EVIDENCE#e1', 'EVIDENCE')).toMatchObject({ entityType: 'evidence', entityId: 'e1' });
    expect(of('EVIDENCE#e1', 'VERSION#0000000002')).toMatchObject({ entityType: 'evidence-version' });
    expect(of('EVIDENCE#e1', 'SHARE#B001#0000000002')).toMatchObject({ entityType: 'evidence-share' });
    expect(of('ORG#F001', 'ORG')).toMatchObject({ entityType: 'organisation', entityId: 'F001' });
  });

  it('refuses an audit item that is not an AuditEvent, naming its sequence number', () => {
    expect(() => shapeRecord(change({ sequenceNumber: '7', newImage: { pk: 'AUDIT#x', sk: 'AUDIT', eventId: 'x' } }))).toThrow(ArchiveRecordError);
  });
});

describe('archive object keys', () => {
  it('derive from the stream and sequence numbers, sort in stream order and parse back', () => {
    const a = objectKey('audit', '2026-11-22', '2026-11-22T10:00:00.000', '9', '120');
    const b = objectKey('audit', '2026-11-22', '2026-11-22T10:00:00.000', '121', '1000');
    expect(a).toMatch(/^audit\/dt=2026-11-22\/2026-11-22T100000\.000_0+9_0+120\.json\.gz$/);
    expect(a < b).toBe(true);
    expect(parseObjectKey(b)).toEqual({ kind: 'audit', dt: '2026-11-22', streamLabel: '2026-11-22T100000.000', firstSequenceNumber: '121', lastSequenceNumber: '1000' });
  });

  it('group records by kind and day, in order', () => {
    const shaped = [
      shapeRecord(change({ sequenceNumber: '1' }))!,
      shapeRecord(change({ sequenceNumber: '2', keys: { pk: 'REQUEST#r', sk: 'REQUEST' }, newImage: { pk: 'REQUEST#r', sk: 'REQUEST' } }))!,
      shapeRecord(change({ sequenceNumber: '3' }))!,
    ];
    const planned = planObjects('label', shaped);
    expect(planned.map((p) => [p.kind, p.dt, p.firstSequenceNumber, p.lastSequenceNumber, p.records.length])).toEqual([
      ['audit', '2026-11-22', '1', '3', 2],
      ['changes', '2026-11-23', '2', '2', 1],
    ]);
  });
});

describe('manifests', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('reconciliation finds missing, unknown and duplicated events', () => {
    expect(reconcile('a', 'b', ['1', '2', '3'], ['1', '3', '3', '4'])).toMatchObject({
      status: 'MISMATCH',
      missingFromArchive: ['2'],
      notInTable: ['4'],
      duplicates: ['3'],
    });
    expect(reconcile('a', 'b', ['1'], ['1']).status).toBe('MATCH');
  });

  it('a signature verifies, and fails for any change to the manifest', async () => {
    const signer = new LocalKeyManifestSigner(join(mkdtempSync(join(tmpdir(), 'archive-key-')), 'key.pem'));
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      manifestKey: 'manifests/0000000001_x.json',
      sequence: 1,
      createdAt: '2026-11-22T10:00:00.000Z',
      previous: null,
      objects: [{ key: 'audit/dt=2026-11-22/x.json.gz', sha256: 'a'.repeat(64), size: 10, records: 1, firstSequenceNumber: '1', lastSequenceNumber: '1' }],
      reconciliation: reconcile('a', 'b', [], []),
      signing: { keyId: signer.keyId, algorithm: signer.algorithm },
    };
    const signature = Buffer.from(await signer.sign(signedBytes(manifest))).toString('base64');
    const pem = await signer.publicKeyPem(signer.keyId);
    expect(verifyManifestSignature({ manifest, signature }, pem)).toBe(true);
    expect(verifyManifestSignature({ manifest: { ...manifest, manifestKey: 'manifests/elsewhere.json' }, signature }, pem)).toBe(false);
    expect(verifyManifestSignature({ manifest: { ...manifest, objects: [] }, signature }, pem)).toBe(false);
  });
});

describe('Glue and DuckDB columns', () => {
  it('derive from the AuditEvent schema', () => {
    expect(GLUE_TABLES.auditEvents.columns.map((c) => c.name)).toEqual(Object.keys(AuditEvent.def.shape));
    expect(glueType(AuditEvent.def.shape.resource)).toBe('struct<type:string,id:string>');
    expect(glueType(AuditEvent.def.shape.changes)).toBe('string');
    expect(duckdbType(AuditEvent.def.shape.actor)).toBe('STRUCT("userId" VARCHAR, "role" VARCHAR, "orgId" VARCHAR)');
    expect(GLUE_TABLES.entityChanges.columns).toContainEqual({ name: 'newImage', type: 'string' });
  });
});
