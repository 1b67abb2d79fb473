/** What the use cases need from storage. Adapters implement these on DynamoDB. */
import type { AuditEvent, ListAuditQuery } from '../schemas/audit.js';
import type { Evidence, EvidenceVersion, FileInfo, FileStatus, StoredEvidenceFile } from '../schemas/evidence.js';
import type { MeasuredObject } from './evidence-files.js';
import type { EvidenceRequest, RequestStatus } from '../schemas/requests.js';
import type { Comment } from '../schemas/comments.js';
import type { OrganisationKind, OrganisationStatus, UserStatus } from '../schemas/directory.js';
import type { Role } from './permissions.js';
import type { Pack, PackStatus, ShareLink } from '../schemas/packs.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A request as stored, with the revision its next write must match. */
export interface StoredRequest {
  readonly request: EvidenceRequest;
  readonly revision: number;
}

export type RequestListScope =
  | { readonly by: 'buyer'; readonly orgId: string }
  | { readonly by: 'factory'; readonly orgId: string }
  | { readonly by: 'all' };

/** A version of an evidence made visible to a buyer organisation, by a fulfilment or by a factory's pack. */
export interface EvidenceShare {
  readonly evidenceId: string;
  readonly buyerOrgId: string;
  readonly version: number;
  readonly sharedAt: string;
  /** Set once the buyer accepted an item fulfilled with this version (expiry reminders go to such buyers). */
  readonly acceptedAt?: string;
  /** Set when the share comes from a pack (the second source of sharing) rather than a fulfilment. */
  readonly packId?: string;
}

export interface RequestRepository {
  get(requestId: string): Promise<StoredRequest | undefined>;
  /** Stores a new request and its audit event in one transaction. */
  create(request: EvidenceRequest, audit: AuditEvent): Promise<void>;
  /**
   * Replaces the request if its revision is still `expectedRevision`, with the audit event
   * (and the evidence share of a fulfilment) in the same transaction.
   * @throws ConcurrentUpdateError when another write came first.
   */
  update(next: EvidenceRequest, expectedRevision: number, audit: AuditEvent, share?: EvidenceShare): Promise<void>;
  /** Lists newest first; with a due filter, read through the due-date index (latest due date first). */
  list(scope: RequestListScope, filter: RequestFilter, page: PageRequest): Promise<Page<EvidenceRequest>>;
}

export interface RequestFilter {
  readonly status?: RequestStatus | undefined;
  /** Only requests due before this date (YYYY-MM-DD, exclusive). */
  readonly dueBefore?: string | undefined;
  /** Only requests due before this date (today) and neither COMPLETED nor CANCELLED. */
  readonly overdueOn?: string | undefined;
}

/** Comments of requests, kept beside the request they belong to. */
export interface CommentRepository {
  /** Stores the comment and its audit event in one transaction. */
  create(comment: Comment, audit: AuditEvent): Promise<void>;
  /** Oldest first. */
  list(requestId: string, page: PageRequest): Promise<Page<Comment>>;
}

/** A version as stored: its file also holds the random id of its storage key. */
export type StoredVersion = Omit<EvidenceVersion, 'file'> & { readonly file?: StoredEvidenceFile };

/** An evidence as stored, its versions with their file ids. */
export type EvidenceRecord = Omit<Evidence, 'versions'> & { readonly versions: StoredVersion[] };

/** An evidence header with every version and every share. */
export interface StoredEvidence {
  readonly evidence: Omit<Evidence, 'versions'>;
  readonly versions: StoredVersion[];
  readonly shares: EvidenceShare[];
}

/** A change of one version's file status, guarded by the statuses it may leave. */
export interface FileStatusChange {
  readonly evidenceId: string;
  readonly version: number;
  readonly fileId: string;
  readonly from: readonly FileStatus[];
  readonly to: FileStatus;
}

export type EvidenceListScope = { readonly by: 'factory'; readonly factoryId: string } | { readonly by: 'all' };

export interface EvidenceRepository {
  get(evidenceId: string): Promise<StoredEvidence | undefined>;
  create(evidence: Omit<Evidence, 'versions'>, first: StoredVersion, audit: AuditEvent): Promise<void>;
  /**
   * Appends version latestVersion + 1 with its audit event in one transaction.
   * @throws ConcurrentUpdateError when another version was added first (retry with the new latest).
   */
  appendVersion(evidenceId: string, expectedLatest: number, version: StoredVersion, audit: AuditEvent): Promise<void>;
  /**
   * Sets a version's file status if its file is still `fileId` in one of `from`, with the audit event.
   * @throws ConcurrentUpdateError when the file is not (or no longer) in one of those statuses.
   */
  setFileStatus(change: FileStatusChange, audit: AuditEvent): Promise<void>;
  list(scope: EvidenceListScope, filter: { docType?: string | undefined }, page: PageRequest): Promise<Page<EvidenceRecord>>;
}

export interface AuditFilter extends Omit<ListAuditQuery, 'limit' | 'cursor'> {
  /** Only events of actors of these organisations (a party reading a request's history). */
  readonly actorOrgIds?: readonly string[];
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>>;
}

export interface OrganisationDirectory {
  kindOf(orgId: string): Promise<'buyer' | 'factory' | undefined>;
}

/** A presigned address and the moment it stops working. */
export interface PresignedUrl {
  readonly url: string;
  readonly expiresAt: Date;
}

/** Presigned addresses of evidence files in the evidence bucket. */
export interface EvidenceFileUrls {
  /** A PUT that accepts exactly this size, SHA-256 and content type, once (If-None-Match: *). */
  upload(key: string, file: Pick<FileInfo, 'contentType' | 'size' | 'sha256'>): Promise<PresignedUrl>;
  /** A GET that downloads the object as an attachment under `fileName`. */
  download(key: string, file: Pick<FileInfo, 'fileName' | 'contentType'>): Promise<PresignedUrl>;
}

/** The stored objects themselves, for the file verifier. */
export interface EvidenceObjects {
  /** Streams the object and answers its size and SHA-256; undefined when there is no such object. */
  measure(key: string): Promise<MeasuredObject | undefined>;
  /** Tags the object REJECTED: the bucket refuses to serve it and its lifecycle removes it. */
  tagRejected(key: string): Promise<void>;
}

/** First answers of POSTs sent with an `Idempotency-Key`: the port and its logic live in idempotency.ts. */
export type { IdempotencyStore } from './idempotency.js';

/** One e-mail message as the product sends it (invitations, notifications). */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** Sends e-mail: SES in AWS; locally one `.eml` file per message under `.local/mail/`. */
export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
}

/** A user as the table keeps it, for listing and for the freshness of sessions. */
export interface UserRecord {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly orgId?: string;
  readonly status: UserStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Tokens issued at or before this moment (ISO) are refused: the last change of role, org or status. */
  readonly revokedAt?: string;
  /** Set once the user was erased: the username and e-mail above are pseudonyms. */
  readonly erasedAt?: string;
}

/** An organisation as the table keeps it. */
export interface OrganisationRecord {
  readonly orgId: string;
  readonly kind: OrganisationKind;
  readonly name: string;
  readonly country?: string;
  readonly status: OrganisationStatus;
  readonly createdAt: string;
  readonly suspendedAt?: string;
}

export interface StoredUser {
  readonly user: UserRecord;
  readonly revision: number;
}

export interface OrganisationListFilter {
  readonly kind?: OrganisationKind | undefined;
  readonly namePrefix?: string | undefined;
  /** Only factories and this organisation (a buyer's or factory's view); absent: every organisation. */
  readonly visibleTo?: { readonly orgId: string | undefined } | undefined;
}

export interface UserListFilter {
  readonly orgId?: string | undefined;
  readonly role?: Role | undefined;
}

/** Another user record that must not have changed for a write to go through. */
export interface RevisionGuard {
  readonly userId: string;
  readonly revision: number;
}

/** The directory's records in the table: organisations, users, and the username index. */
export interface DirectoryRepository {
  getOrganisation(orgId: string): Promise<OrganisationRecord | undefined>;
  listOrganisations(filter: OrganisationListFilter, page: PageRequest): Promise<Page<OrganisationRecord>>;
  /** @throws ConflictError (`organisation-not-found` never): the id is taken. */
  createOrganisation(org: OrganisationRecord, audit: AuditEvent): Promise<void>;
  /** Replaces an ACTIVE organisation with its SUSPENDED self. @throws ConcurrentUpdateError when it is no longer ACTIVE. */
  suspendOrganisation(next: OrganisationRecord, audit: AuditEvent): Promise<void>;
  getUser(userId: string): Promise<StoredUser | undefined>;
  findUserByUsername(username: string): Promise<StoredUser | undefined>;
  listUsers(filter: UserListFilter, page: PageRequest): Promise<Page<UserRecord>>;
  /** Stores the user and reserves the username, with the audit event. @throws ConflictError `username-taken`. */
  createUser(user: UserRecord, audit: AuditEvent): Promise<void>;
  /**
   * Replaces the user if its revision is still `expectedRevision` (and, with `unchanged`, only
   * if that other user's record is still at its revision: the acting admin, so two admins
   * removing each other at once cannot both succeed). @throws ConcurrentUpdateError.
   */
  updateUser(next: UserRecord, expectedRevision: number, audit: AuditEvent, unchanged?: RevisionGuard): Promise<void>;
  /**
   * Replaces the user with its erased self, frees the username and destroys the user's
   * personal-data key, with the audit event, in one transaction.
   */
  eraseUser(next: UserRecord, expectedRevision: number, previousUsername: string, audit: AuditEvent, unchanged?: RevisionGuard): Promise<void>;
}

/** Names one identity: Cognito addresses it by `sub`, the local user store by username. */
export interface IdentityRef {
  readonly userId: string;
  readonly username: string;
}

/** What a new identity is created with. */
export interface NewIdentity {
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly orgId?: string | undefined;
}

/**
 * The sign-in identities: the Cognito user pool in AWS (AdminCreateUser with an e-mailed
 * temporary password, group = role, the org in the attribute only admins write), the local
 * token issuer's user store locally (invitation in the local mail folder).
 */
export interface IdentityDirectory {
  /** Creates the identity, sends the invitation, and answers its immutable id (`sub`). @throws ConflictError `username-taken`. */
  create(identity: NewIdentity): Promise<{ readonly userId: string }>;
  /** Moves the identity to the role's group and sets (or clears) its organisation. */
  changeRole(identity: IdentityRef, change: { readonly from: Role; readonly to: Role; readonly orgId?: string | undefined }): Promise<void>;
  setEnabled(identity: IdentityRef, enabled: boolean): Promise<void>;
  /** Revokes every refresh token (AdminUserGlobalSignOut). */
  signOut(identity: IdentityRef): Promise<void>;
  /** Deletes the identity (erasure); an identity already gone is not an error. */
  remove(identity: IdentityRef): Promise<void>;
  /** Active (enabled) members of the admin group. */
  activeAdminCount(): Promise<number>;
}

/** What decides whether a session still stands: its user's and its organisation's records. */
export interface SessionState {
  /** Absent when the table keeps no record of the user (a pool user the directory never saw). */
  readonly user?: { readonly status: UserStatus; readonly revokedAt?: string | undefined; readonly erased: boolean };
  readonly org?: { readonly status: OrganisationStatus };
}

/** Reads the session state of a user and organisation (two eventually consistent item reads). */
export interface SessionStates {
  read(userId: string, orgId: string | undefined): Promise<SessionState>;
}

/**
 * Personal data in audit events (the actor's username, source address and user agent) is
 * sealed with a key of that actor before the event is stored, in the table and therefore
 * in the archive; erasure destroys the key, and every copy becomes unreadable at once
 * (crypto-shredding) while the events themselves stay whole and verifiable.
 */
export interface PersonalDataVault {
  /** The event as stored: `actor.username`, `sourceIp` and `userAgent` sealed with the actor's key. */
  seal(event: AuditEvent): Promise<AuditEvent>;
  /** Events as answered: sealed fields opened; an erased actor's read as ERASED_USERNAME, without address or agent. */
  reveal(events: readonly AuditEvent[]): Promise<AuditEvent[]>;
  /** Drops what this container remembers of the user's key (called after the key is destroyed). */
  forget(userId: string): void;
}

/** The versions of one evidence a factory's pack shares with its buyer org. */
export interface PackShareGrant {
  readonly evidenceId: string;
  readonly buyerOrgId: string;
  readonly packId: string;
  readonly versions: readonly number[];
  readonly sharedAt: string;
}

/** The manifest signature of a pack, kept once so every build of the pack writes the same bytes. */
export interface ManifestSignature {
  readonly keyId: string;
  readonly algorithm: string;
  /** base64 of the DER signature. */
  readonly value: string;
}

export interface StoredPack {
  readonly pack: Pack;
  readonly signature?: ManifestSignature;
}

export type PackListScope = { readonly by: 'org'; readonly orgId: string } | { readonly by: 'all' };

/** How a build ended: READY with the ZIP's facts, or FAILED with a reason. */
export type PackBuildResult =
  | { readonly status: 'READY'; readonly readyAt: string; readonly size: number; readonly sha256: string }
  | { readonly status: 'FAILED'; readonly failureReason: string };

export interface PackRepository {
  get(packId: string): Promise<StoredPack | undefined>;
  /**
   * Stores a new pack with its audit event. A factory's pack first writes its share grants
   * (idempotent puts beside each evidence); they count only once the pack exists, so a pack
   * that was never stored shares nothing.
   */
  create(pack: Pack, grants: readonly PackShareGrant[], audit: AuditEvent): Promise<void>;
  list(scope: PackListScope, filter: { status?: PackStatus | undefined }, page: PageRequest): Promise<Page<Pack>>;
  /** Keeps the first signature a build made for the pack and answers the one kept. */
  keepSignature(packId: string, signature: ManifestSignature): Promise<ManifestSignature>;
  /**
   * Moves the pack PENDING -> READY | FAILED with its audit event, in one transaction.
   * @throws ConcurrentUpdateError when the pack is no longer PENDING (another delivery finished it).
   */
  finish(packId: string, result: PackBuildResult, audit: AuditEvent): Promise<void>;
  /** Stores a link, the hash of its token and its audit event in one transaction. */
  createLink(link: ShareLink, tokenHash: string, audit: AuditEvent): Promise<void>;
  listLinks(packId: string): Promise<ShareLink[]>;
  getLink(packId: string, linkId: string): Promise<ShareLink | undefined>;
  /** Sets revokedAt (kept if already set) with the audit event. */
  revokeLink(packId: string, linkId: string, at: string, audit: AuditEvent): Promise<void>;
  /** The link whose token has this hash. */
  findLink(tokenHash: string): Promise<ShareLink | undefined>;
  /** Counts one access (accessCount + 1, lastAccessAt) with its audit event. */
  recordAccess(packId: string, linkId: string, at: string, audit: AuditEvent): Promise<void>;
}

/** Presigned GETs of pack ZIPs in the packs bucket. */
export interface PackFileUrls {
  download(key: string, fileName: string, ttlSeconds: number): Promise<PresignedUrl>;
}

/** The queue of pack builds. */
export interface PackJobs {
  enqueue(job: { readonly packId: string }): Promise<void>;
}

/** The evidence bucket's objects, read as streams by the pack builder. */
export interface EvidenceObjectReader {
  open(key: string): Promise<NodeJS.ReadableStream>;
}

/** The packs bucket: one ZIP per pack, uploaded as a stream (multipart). */
export interface PackObjectWriter {
  /** Streams `body` to `key`; answers once the object is complete. */
  put(key: string, body: NodeJS.ReadableStream): Promise<void>;
}

/** Signs manifests with the product's key (KMS in AWS, a local key file locally). */
export interface PackSigner {
  readonly algorithm: string;
  readonly keyId: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  publicKeyPem(keyId: string): Promise<string>;
}
