/**
 * The core's ports in memory, for use-case unit tests and the bench: the same contract as the
 * DynamoDB adapters (test/contract/ports.contract.ts runs against both), with no I/O. One
 * store holds every entity, so a transaction's parts (a change, its audit event, a share)
 * land together or not at all, as in DynamoDB.
 */
import { ConcurrentUpdateError, ConflictError } from '../../functions/core/errors.js';
import type {
  AuditFilter,
  AuditLog,
  CommentRepository,
  EvidenceListScope,
  EvidenceRepository,
  EvidenceRecord,
  EvidenceShare,
  FileStatusChange,
  OrganisationDirectory,
  Page,
  PageRequest,
  RequestFilter,
  RequestListScope,
  RequestRepository,
  StoredEvidence,
  StoredRequest,
  StoredVersion,
} from '../../functions/core/ports.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import type { Evidence } from '../../functions/schemas/evidence.js';
import type { Comment } from '../../functions/schemas/comments.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';
import { SEED_ORGANISATIONS } from '../../local/seed.js';

/** Evidence versions an item may hold, as the DynamoDB adapter allows. */
const MAX_VERSIONS = 200;

/** Newest first by sort key, after the cursor (the last sort key answered). */
function page<T>(items: readonly T[], sortKey: (item: T) => string, request: PageRequest): Page<T> {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0));
  const after = request.cursor === undefined ? sorted : sorted.filter((item) => sortKey(item) < request.cursor!);
  const taken = after.slice(0, request.limit);
  const more = after.length > taken.length;
  return { items: taken, ...(more && { nextCursor: sortKey(taken.at(-1)!) }) };
}

export class MemoryStore {
  readonly requests = new Map<string, StoredRequest>();
  readonly evidence = new Map<string, { header: Omit<Evidence, 'versions'>; versions: StoredVersion[] }>();
  /** By `evidenceId|buyerOrgId|version`: a share is written once. */
  readonly shares = new Map<string, EvidenceShare>();
  readonly audit = new Map<string, AuditEvent>();
  readonly comments = new Map<string, Comment>();
  readonly organisations = new Map<string, 'buyer' | 'factory'>(SEED_ORGANISATIONS.map((o) => [o.orgId, o.kind]));

  /** Applies every check first, then every write: all or nothing. */
  transact(checks: (() => void)[], writes: (() => void)[]): void {
    for (const check of checks) check();
    for (const write of writes) write();
  }

  auditCheck(event: AuditEvent): () => void {
    return () => {
      if (this.audit.has(event.eventId)) throw new ConcurrentUpdateError();
    };
  }

  auditWrite(event: AuditEvent): () => void {
    return () => this.audit.set(event.eventId, structuredClone(event));
  }
}

export class MemoryRequestRepository implements RequestRepository {
  constructor(private readonly store: MemoryStore) {}

  async get(requestId: string): Promise<StoredRequest | undefined> {
    const stored = this.store.requests.get(requestId);
    return stored && structuredClone(stored);
  }

  async create(request: EvidenceRequest, audit: AuditEvent): Promise<void> {
    this.store.transact(
      [() => {
        if (this.store.requests.has(request.requestId)) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [() => this.store.requests.set(request.requestId, { request: structuredClone(request), revision: 1 }), this.store.auditWrite(audit)],
    );
  }

  async update(next: EvidenceRequest, expectedRevision: number, audit: AuditEvent, share?: EvidenceShare): Promise<void> {
    const shareKey = share && `${share.evidenceId}|${share.buyerOrgId}|${share.version}`;
    this.store.transact(
      [() => {
        if (this.store.requests.get(next.requestId)?.revision !== expectedRevision) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [
        () => this.store.requests.set(next.requestId, { request: structuredClone(next), revision: expectedRevision + 1 }),
        this.store.auditWrite(audit),
        () => {
          if (share && shareKey) {
            const kept = this.store.shares.get(shareKey);
            // Written once; an acceptance is added once.
            if (!kept) this.store.shares.set(shareKey, { ...share });
            else if (share.acceptedAt !== undefined && kept.acceptedAt === undefined) this.store.shares.set(shareKey, { ...kept, acceptedAt: share.acceptedAt });
          }
        },
      ],
    );
  }

  async list(scope: RequestListScope, filter: RequestFilter, request: PageRequest): Promise<Page<EvidenceRequest>> {
    const all = [...this.store.requests.values()].map((s) => s.request);
    const inScope = all.filter((r) => (scope.by === 'buyer' ? r.buyerOrgId === scope.orgId : scope.by === 'factory' ? r.factoryId === scope.orgId : true));
    const before = [filter.dueBefore, filter.overdueOn].filter((d): d is string => d !== undefined).sort()[0];
    const filtered = inScope.filter(
      (r) =>
        (filter.status === undefined || r.status === filter.status) &&
        (before === undefined || (r.dueDate !== undefined && r.dueDate < before)) &&
        (filter.overdueOn === undefined || (r.status !== 'COMPLETED' && r.status !== 'CANCELLED')),
    );
    // With a due filter the list reads the due-date index: latest due date first.
    const sortKey = (r: EvidenceRequest) => `${before === undefined ? '' : `${r.dueDate}#`}${r.createdAt}#${r.requestId}`;
    const result = page(filtered, sortKey, request);
    return { ...result, items: structuredClone(result.items) };
  }
}

export class MemoryEvidenceRepository implements EvidenceRepository {
  constructor(private readonly store: MemoryStore) {}

  async get(evidenceId: string): Promise<StoredEvidence | undefined> {
    const stored = this.store.evidence.get(evidenceId);
    if (!stored) return undefined;
    const shares = [...this.store.shares.values()]
      .filter((s) => s.evidenceId === evidenceId)
      .sort((a, b) => (a.buyerOrgId === b.buyerOrgId ? a.version - b.version : a.buyerOrgId < b.buyerOrgId ? -1 : 1));
    return structuredClone({ evidence: stored.header, versions: stored.versions, shares });
  }

  async create(evidence: Omit<Evidence, 'versions'>, first: StoredVersion, audit: AuditEvent): Promise<void> {
    this.store.transact(
      [() => {
        if (this.store.evidence.has(evidence.evidenceId)) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [() => this.store.evidence.set(evidence.evidenceId, { header: structuredClone(evidence), versions: [structuredClone(first)] }), this.store.auditWrite(audit)],
    );
  }

  async appendVersion(evidenceId: string, expectedLatest: number, version: StoredVersion, audit: AuditEvent): Promise<void> {
    if (version.version > MAX_VERSIONS) throw new ConflictError('too-many-versions', `An evidence holds at most ${MAX_VERSIONS} versions`);
    const stored = this.store.evidence.get(evidenceId);
    this.store.transact(
      [() => {
        if (!stored || stored.header.latestVersion !== expectedLatest) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [
        () => {
          stored!.versions.push(structuredClone(version));
          stored!.header = { ...stored!.header, latestVersion: version.version, updatedAt: version.createdAt };
        },
        this.store.auditWrite(audit),
      ],
    );
  }

  async setFileStatus(change: FileStatusChange, audit: AuditEvent): Promise<void> {
    const stored = this.store.evidence.get(change.evidenceId);
    const at = change.version - 1;
    this.store.transact(
      [() => {
        const file = stored?.versions[at]?.version === change.version ? stored.versions[at]!.file : undefined;
        if (!file || file.fileId !== change.fileId || !change.from.includes(file.status)) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [() => {
        const version = stored!.versions[at]!;
        stored!.versions[at] = { ...version, file: { ...version.file!, status: change.to } };
      }, this.store.auditWrite(audit)],
    );
  }

  async list(scope: EvidenceListScope, filter: { docType?: string | undefined }, request: PageRequest): Promise<Page<EvidenceRecord>> {
    const all = [...this.store.evidence.values()].map(({ header, versions }) => ({ ...header, versions }));
    const filtered = all.filter((e) => (scope.by === 'all' || e.factoryId === scope.factoryId) && (filter.docType === undefined || e.docType === filter.docType));
    const result = page(filtered, (e) => `${e.createdAt}#${e.evidenceId}`, request);
    return { ...result, items: structuredClone(result.items) };
  }
}

export class MemoryAuditLog implements AuditLog {
  constructor(private readonly store: MemoryStore) {}

  async record(event: AuditEvent): Promise<void> {
    this.store.transact([this.store.auditCheck(event)], [this.store.auditWrite(event)]);
  }

  async list(filter: AuditFilter, request: PageRequest): Promise<Page<AuditEvent>> {
    const sortKey = (e: AuditEvent) => `${e.occurredAt}#${e.eventId}`;
    const matching = [...this.store.audit.values()].filter(
      (e) =>
        (filter.resourceId === undefined || e.resource.id === filter.resourceId) &&
        (filter.actorId === undefined || e.actor.userId === filter.actorId) &&
        (filter.action === undefined || e.action === filter.action) &&
        (filter.outcome === undefined || e.outcome === filter.outcome) &&
        (filter.resourceType === undefined || e.resource.type === filter.resourceType) &&
        (filter.actorOrgIds === undefined || (e.actor.orgId !== undefined && filter.actorOrgIds.includes(e.actor.orgId))) &&
        // `from` is inclusive; `to` excludes events at exactly `to` (sort keys extend the timestamp).
        (filter.from === undefined || sortKey(e) >= filter.from) &&
        (filter.to === undefined || sortKey(e) <= filter.to),
    );
    const result = page(matching, sortKey, request);
    return { ...result, items: structuredClone(result.items) };
  }
}

export class MemoryCommentRepository implements CommentRepository {
  constructor(private readonly store: MemoryStore) {}

  async create(comment: Comment, audit: AuditEvent): Promise<void> {
    this.store.transact(
      [() => {
        if (this.store.comments.has(comment.commentId)) throw new ConcurrentUpdateError();
      }, this.store.auditCheck(audit)],
      [() => this.store.comments.set(comment.commentId, structuredClone(comment)), this.store.auditWrite(audit)],
    );
  }

  /** Oldest first: the cursor is the last sort key answered. */
  async list(requestId: string, request: PageRequest): Promise<Page<Comment>> {
    const sortKey = (c: Comment) => `${c.createdAt}#${c.commentId}`;
    const sorted = [...this.store.comments.values()].filter((c) => c.requestId === requestId).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const after = request.cursor === undefined ? sorted : sorted.filter((c) => sortKey(c) > request.cursor!);
    const taken = after.slice(0, request.limit);
    return { items: structuredClone(taken), ...(after.length > taken.length && { nextCursor: sortKey(taken.at(-1)!) }) };
  }
}

export class MemoryOrganisationDirectory implements OrganisationDirectory {
  constructor(private readonly store: MemoryStore) {}

  async kindOf(orgId: string): Promise<'buyer' | 'factory' | undefined> {
    return this.store.organisations.get(orgId);
  }
}

export { memoryFileUrls } from './memory-file-urls.js';
import { memoryFileUrls } from './memory-file-urls.js';

/** Every port over one fresh store. */
export function memoryPorts(store = new MemoryStore()) {
  return {
    store,
    requests: new MemoryRequestRepository(store),
    evidence: new MemoryEvidenceRepository(store),
    auditLog: new MemoryAuditLog(store),
    organisations: new MemoryOrganisationDirectory(store),
    comments: new MemoryCommentRepository(store),
    fileUrls: memoryFileUrls,
  };
}
