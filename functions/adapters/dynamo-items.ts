/** How domain objects become table items and back: key builders and attribute stripping. */
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, type IndexName } from '../config/table.js';
import type { AuditEvent } from '../schemas/audit.js';
import type { Evidence } from '../schemas/evidence.js';
import type { EvidenceRequest } from '../schemas/requests.js';
import type { EvidenceShare, OrganisationRecord, UserRecord } from '../core/ports.js';

/** Bumped when an item's stored shape changes, so readers can migrate old items. */
export const ITEM_SCHEMA_VERSION = 1;

const { auditByActor, auditByResource } = INDEXES;
const KEY_ATTRIBUTES = new Set<string>([
  PARTITION_KEY,
  SORT_KEY,
  TTL_ATTRIBUTE,
  'entity',
  'revision',
  'schemaVersion',
  'nameLower',
  ...Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

export const keys = {
  organisation: (orgId: string) => ({ [PARTITION_KEY]: `ORG#${orgId}`, [SORT_KEY]: 'ORG' }),
  request: (requestId: string) => ({ [PARTITION_KEY]: `REQUEST#${requestId}`, [SORT_KEY]: 'REQUEST' }),
  evidence: (evidenceId: string) => ({ [PARTITION_KEY]: `EVIDENCE#${evidenceId}`, [SORT_KEY]: 'EVIDENCE' }),
  share: (share: Pick<EvidenceShare, 'evidenceId' | 'buyerOrgId' | 'version'>) => ({
    [PARTITION_KEY]: `EVIDENCE#${share.evidenceId}`,
    [SORT_KEY]: `SHARE#${share.buyerOrgId}#${String(share.version).padStart(10, '0')}`,
  }),
  /** The every-tenant audit log is the table itself: eight partitions by event id, sorted by time. */
  audit: (event: Pick<AuditEvent, 'eventId' | 'occurredAt'>) => ({ [PARTITION_KEY]: partitions.allAudit.of(event.eventId), [SORT_KEY]: `${event.occurredAt}#${event.eventId}` }),
  /** A version's expiry, beside its evidence: the reminder sweep finds it through byDate. */
  expiry: (evidenceId: string, version: number) => ({ [PARTITION_KEY]: `EVIDENCE#${evidenceId}`, [SORT_KEY]: `EXPIRY#${String(version).padStart(10, '0')}` }),
  comment: (comment: { requestId: string; createdAt: string; commentId: string }) => ({
    [PARTITION_KEY]: `REQUEST#${comment.requestId}`,
    [SORT_KEY]: `${COMMENT_PREFIX}${comment.createdAt}#${comment.commentId}`,
  }),
  user: (userId: string) => ({ [PARTITION_KEY]: `USER#${userId}`, [SORT_KEY]: 'USER' }),
  /** Reserves a username; never archived (its key is the name itself). */
  username: (username: string) => ({ [PARTITION_KEY]: `USERNAME#${username}`, [SORT_KEY]: 'USERNAME' }),
  /** A user's personal-data key (AES-256-GCM); never archived, destroyed at erasure. */
  userKey: (userId: string) => ({ [PARTITION_KEY]: `USERKEY#${userId}`, [SORT_KEY]: 'KEY' }),
  pack: (packId: string) => ({ [PARTITION_KEY]: `PACK#${packId}`, [SORT_KEY]: 'PACK' }),
  /** The copy of a shared pack listed under the org it is shared with. */
  packListedForSharedOrg: (packId: string) => ({ [PARTITION_KEY]: `PACK#${packId}`, [SORT_KEY]: 'SHARED' }),
  shareLink: (packId: string, linkId: string) => ({ [PARTITION_KEY]: `PACK#${packId}`, [SORT_KEY]: `LINK#${linkId}` }),
  /** Finds a link by the SHA-256 of its token (the token itself is never stored). */
  shareToken: (tokenHash: string) => ({ [PARTITION_KEY]: `SHARETOKEN#${tokenHash}`, [SORT_KEY]: 'SHARETOKEN' }),
  /** The versions of one evidence a pack shares with a buyer org, beside the evidence. */
  packGrant: (grant: { evidenceId: string; buyerOrgId: string; packId: string }) => ({
    [PARTITION_KEY]: `EVIDENCE#${grant.evidenceId}`,
    [SORT_KEY]: `PACKSHARE#${grant.buyerOrgId}#${grant.packId}`,
  }),
};

/** Sort keys of a request's comments begin with it. */
export const COMMENT_PREFIX = 'COMMENT#';

/**
 * Every-tenant lists spread their writes over shards: one index partition takes about
 * 1,000 writes a second, and every API call writes an audit event. Readers merge the shards.
 */
export const KIND_SHARDS = 8;

function shardOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % KIND_SHARDS;
}

const sharded = (kind: string) => ({
  of: (id: string) => `${kind}#${shardOf(id)}`,
  all: Array.from({ length: KIND_SHARDS }, (_, shard) => `${kind}#${shard}`),
});

/** Index partitions, by purpose. */
export const partitions = {
  requestsOfBuyer: (orgId: string) => `BUYER#${orgId}`,
  requestsOfFactory: (orgId: string) => `FACTORY#${orgId}`,
  allRequests: sharded('REQUEST'),
  evidenceOfFactory: (orgId: string) => `FACTORY#${orgId}`,
  allEvidence: sharded('EVIDENCE'),
  auditOfActor: (userId: string) => `ACTOR#${userId}`,
  auditOfResource: (resourceId: string) => `RESOURCE#${resourceId}`,
  allAudit: sharded('AUDIT'),
  dueOfBuyer: (orgId: string) => `DUE#BUYER#${orgId}`,
  dueOfFactory: (orgId: string) => `DUE#FACTORY#${orgId}`,
  allDue: sharded('DUE'),
  allExpiring: sharded('EXPIRES'),
  /** Few and rarely written: one partition each. */
  allOrganisations: 'ORGANISATIONS',
  allUsers: 'USERS',
  membersOf: (orgId: string) => `MEMBERS#${orgId}`,
  usersInRole: (role: string) => `ROLE#${role}`,
  /** An org's packs and the packs shared with it, in one partition. */
  packsOfOrg: (orgId: string) => `PACKS#${orgId}`,
  allPacks: sharded('PACK'),
};

/** An item's entries in some indexes, all under one sort key value (indexes that share a sort key attribute store it once). */
export function listedIn(sortKey: string, entries: Partial<Record<IndexName, string | undefined>>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, partition] of Object.entries(entries)) {
    if (partition === undefined) continue;
    const index = INDEXES[name as IndexName];
    attributes[index.partitionKey] = partition;
    attributes[index.sortKey] = sortKey;
  }
  return attributes;
}

/** An organisation item: every organisation in one index partition, newest first. */
export function organisationItem(org: OrganisationRecord): Record<string, unknown> {
  return {
    ...keys.organisation(org.orgId),
    entity: 'organisation',
    schemaVersion: ITEM_SCHEMA_VERSION,
    ...listedIn(`${org.createdAt}#${org.orgId}`, { byKind: partitions.allOrganisations }),
    nameLower: org.name.toLowerCase(),
    ...org,
  };
}

/** A user item: listed by organisation, by role and all together, newest first. */
export function userItem(user: UserRecord, revision: number): Record<string, unknown> {
  const sortKey = `${user.createdAt}#${user.userId}`;
  return {
    ...keys.user(user.userId),
    entity: 'user',
    schemaVersion: ITEM_SCHEMA_VERSION,
    revision,
    ...listedIn(sortKey, {
      byOwner: user.orgId !== undefined ? partitions.membersOf(user.orgId) : undefined,
      byCounterparty: partitions.usersInRole(user.role),
      byKind: partitions.allUsers,
    }),
    ...user,
  };
}

export function requestItem(request: EvidenceRequest, revision: number): Record<string, unknown> {
  const sortKey = `${request.createdAt}#${request.requestId}`;
  return {
    ...keys.request(request.requestId),
    entity: 'request',
    schemaVersion: ITEM_SCHEMA_VERSION,
    revision,
    ...listedIn(sortKey, {
      byOwner: partitions.requestsOfBuyer(request.buyerOrgId),
      byCounterparty: partitions.requestsOfFactory(request.factoryId),
      byKind: partitions.allRequests.of(request.requestId),
    }),
    // A request with a due date sits in the due-date indexes of both parties and of every tenant.
    ...(request.dueDate !== undefined &&
      listedIn(`${request.dueDate}#${sortKey}`, {
        byDueOfOwner: partitions.dueOfBuyer(request.buyerOrgId),
        byDueOfCounterparty: partitions.dueOfFactory(request.factoryId),
        byDate: partitions.allDue.of(request.requestId),
      })),
    ...request,
  };
}

/** The expiry item of a version that expires: in byDate under EXPIRES#<shard>, sorted `<expiresAt>#<evidenceId>#<version>`. */
export function expiryItem(evidenceId: string, version: number, expiresAt: string): Record<string, unknown> {
  return {
    ...keys.expiry(evidenceId, version),
    entity: 'expiry',
    schemaVersion: ITEM_SCHEMA_VERSION,
    ...listedIn(`${expiresAt}#${evidenceId}#${String(version).padStart(10, '0')}`, { byDate: partitions.allExpiring.of(evidenceId) }),
    evidenceId,
    version,
    expiresAt,
  };
}

export function evidenceItem(evidence: Evidence): Record<string, unknown> {
  const sortKey = `${evidence.createdAt}#${evidence.evidenceId}`;
  return {
    ...keys.evidence(evidence.evidenceId),
    entity: 'evidence',
    schemaVersion: ITEM_SCHEMA_VERSION,
    ...listedIn(sortKey, { byOwner: partitions.evidenceOfFactory(evidence.factoryId), byKind: partitions.allEvidence.of(evidence.evidenceId) }),
    ...evidence,
  };
}

/** An audit event: in the table's every-tenant log by time, and listed by actor and by resource. */
export function auditItem(event: AuditEvent, ttlDays: number): Record<string, unknown> {
  return {
    ...keys.audit(event),
    entity: 'audit',
    schemaVersion: ITEM_SCHEMA_VERSION,
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(event.occurredAt) / 1000) + ttlDays * 86_400,
    // Both indexes sort by the table's own sort key.
    [auditByActor.partitionKey]: partitions.auditOfActor(event.actor.userId),
    ...(event.resource.id && { [auditByResource.partitionKey]: partitions.auditOfResource(event.resource.id) }),
    ...event,
  };
}

/** The domain object inside an item: every key and bookkeeping attribute removed. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name))) as T;
}

/** The transaction part that stores an audit event, once: an event id is never written twice. */
export function auditPut(event: AuditEvent, settings: { tableName: string; auditTtlDays: number }) {
  return {
    Put: { TableName: settings.tableName, Item: auditItem(event, settings.auditTtlDays), ConditionExpression: 'attribute_not_exists(pk)' },
  };
}
