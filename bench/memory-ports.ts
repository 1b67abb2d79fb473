/** In-memory ports for I/O-free measurements: the same contracts as the DynamoDB adapters, no network. */
import type { AuditLog, EvidenceRepository, FileStatusChange, OrganisationDirectory, Page, RequestRepository, StoredEvidence, StoredRequest } from '../functions/core/ports.js';
import type { AuditEvent } from '../functions/schemas/audit.js';

export class MemoryRequests implements RequestRepository {
  readonly items = new Map<string, StoredRequest>();
  async get(id: string) {
    return this.items.get(id);
  }
  async create(request: StoredRequest['request'], _audit: AuditEvent) {
    this.items.set(request.requestId, { request, revision: 1 });
  }
  async update(next: StoredRequest['request'], expected: number) {
    this.items.set(next.requestId, { request: next, revision: expected + 1 });
  }
  async list(): Promise<Page<StoredRequest['request']>> {
    return { items: [...this.items.values()].slice(0, 20).map((s) => s.request) };
  }
}

export class MemoryEvidence implements EvidenceRepository {
  readonly items = new Map<string, StoredEvidence>();
  async get(id: string) {
    return this.items.get(id);
  }
  async create(evidence: StoredEvidence['evidence'], first: StoredEvidence['versions'][number]) {
    this.items.set(evidence.evidenceId, { evidence, versions: [first], shares: [] });
  }
  async appendVersion(id: string, _expected: number, version: StoredEvidence['versions'][number]) {
    const stored = this.items.get(id)!;
    this.items.set(id, { ...stored, evidence: { ...stored.evidence, latestVersion: version.version }, versions: [...stored.versions, version] });
  }
  async setFileStatus(change: FileStatusChange) {
    const stored = this.items.get(change.evidenceId)!;
    const versions = stored.versions.map((v) => (v.version === change.version && v.file ? { ...v, file: { ...v.file, status: change.to } } : v));
    this.items.set(change.evidenceId, { ...stored, versions });
  }
  async list() {
    return { items: [] };
  }
}

export class MemoryAuditLog implements AuditLog {
  count = 0;
  async record() {
    this.count += 1;
  }
  async list() {
    return { items: [] };
  }
}

export const memoryOrganisations: OrganisationDirectory = {
  kindOf: async (orgId) => (orgId.startsWith('F') ? 'factory' : orgId.startsWith('B') ? 'buyer' : undefined),
};

export { memoryFileUrls } from '../test/support/memory-file-urls.js';

