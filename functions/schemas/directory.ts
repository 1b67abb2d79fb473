/** Organisations and users (API.md 1.1 "Organisations and users", "Privacy requests"). */
import * as z from 'zod/mini';
import { AuditEvent } from './audit.js';
import { Comment } from './comments.js';
import { Cursor, Id, Limit, Name, Role, ShortText, Timestamp, freeText, text } from './common.js';
import { Notification } from './notifications.js';
import { EvidenceRequest } from './requests.js';

export const OrganisationKind = z.enum(['buyer', 'factory']);
export type OrganisationKind = z.infer<typeof OrganisationKind>;
export const OrganisationStatus = z.enum(['ACTIVE', 'SUSPENDED']);
export type OrganisationStatus = z.infer<typeof OrganisationStatus>;
export const UserStatus = z.enum(['ACTIVE', 'DISABLED']);
export type UserStatus = z.infer<typeof UserStatus>;

/** ISO 3166-1 alpha-2, upper case. */
export const Country = z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as PT'));

/**
 * An organisation. Admins and auditors see every field; other callers see a factory's
 * `orgId`, `kind`, `name` and `country` only (and every field of their own organisation).
 */
export const Organisation = z
  .object({
    orgId: Id,
    kind: OrganisationKind,
    name: Name,
    country: z.optional(Country),
    status: z.optional(OrganisationStatus),
    createdAt: z.optional(Timestamp),
  })
  .register(z.globalRegistry, { id: 'Organisation' });
export type Organisation = z.infer<typeof Organisation>;

export const OrganisationPath = z.strictObject({ orgId: Id });
export const ListOrganisationsQuery = z.strictObject({
  kind: z.optional(OrganisationKind),
  /** A prefix of the name, compared without regard to case. */
  q: z.optional(text(1, 200)),
  limit: Limit,
  cursor: Cursor,
});
export type ListOrganisationsQuery = z.infer<typeof ListOrganisationsQuery>;
export const CreateOrganisationBody = z.strictObject({ kind: OrganisationKind, name: Name, country: z.optional(Country) });
export type CreateOrganisationBody = z.infer<typeof CreateOrganisationBody>;
export const SuspendOrganisationBody = z.strictObject({ reason: freeText(1, 1000) });
export type SuspendOrganisationBody = z.infer<typeof SuspendOrganisationBody>;
export const OrganisationPage = z.object({ items: z.array(Organisation), nextCursor: z.optional(z.string()) });

/** Sign-in names: what Cognito accepts as a username, kept to a portable subset. */
export const Username = z.string().check(
  z.minLength(3),
  z.maxLength(64),
  z.regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be 3-64 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit'),
);
export const Email = z.string().check(z.maxLength(254), z.email());

/**
 * A user. Admins see every field; a buyer or factory listing its own organisation's members
 * sees `userId`, `username` and `role`.
 */
export const User = z
  .object({
    userId: Id,
    username: z.string(),
    email: z.optional(z.string()),
    role: Role,
    orgId: z.optional(Id),
    status: z.optional(UserStatus),
    createdAt: z.optional(Timestamp),
    updatedAt: z.optional(Timestamp),
  })
  .register(z.globalRegistry, { id: 'User' });
export type User = z.infer<typeof User>;

export const UserPath = z.strictObject({ userId: Id });
export const ListUsersQuery = z.strictObject({ orgId: z.optional(Id), role: z.optional(Role), limit: Limit, cursor: Cursor });
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;
export const CreateUserBody = z.strictObject({ username: Username, email: Email, role: Role, orgId: z.optional(Id) });
export type CreateUserBody = z.infer<typeof CreateUserBody>;
export const ChangeRoleBody = z.strictObject({ role: Role, orgId: z.optional(Id) });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;
export const UserStatusBody = z.strictObject({ reason: z.optional(ShortText) });
export type UserStatusBody = z.infer<typeof UserStatusBody>;
export const UserPage = z.object({ items: z.array(User), nextCursor: z.optional(z.string()) });

export const EraseResult = z.object({ userId: Id, erasedAt: Timestamp }).register(z.globalRegistry, { id: 'Erasure' });
export type EraseResult = z.infer<typeof EraseResult>;

/** Everything held about one user (GDPR access request). */
export const DataExport = z
  .object({
    exportedAt: Timestamp,
    profile: User,
    requests: z.array(EvidenceRequest),
    evidence: z.array(z.record(z.string(), z.unknown())),
    /** The comments the user wrote, on any request. */
    comments: z.array(Comment),
    /** The user's in-app notifications. */
    notifications: z.array(Notification),
    auditEvents: z.array(AuditEvent),
    /** Set when the audit events were cut at the export's limit (the archive holds the rest). */
    auditEventsTruncated: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: 'DataExport' });
export type DataExport = z.infer<typeof DataExport>;
