/**
 * The one permission table: role x operation -> which objects the role may touch.
 * Handlers ask it before touching data; the RBAC tests walk it row by row.
 *
 * - `never`: the role may never do this (403, before anything is read);
 * - `any`: allowed without an owning object (creating one of the role's own);
 * - `own`: allowed on objects of the caller's organisation (a request's buyer org or
 *   addressed factory, a factory's own evidence); another tenant's object answers 404;
 * - `shared`: a buyer reading evidence (and downloading its files) shared with its org, by a
 *   fulfilment or by a factory's pack (the two sources of sharing, functions/core/access.ts);
 * - `all`: every tenant's objects (read-only roles, and the admin's directory commands).
 */
export const ROLES = ['buyer', 'factory', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Scope = 'never' | 'any' | 'own' | 'shared' | 'all';

export const OPERATIONS = [
  'createRequest',
  'listRequests',
  'listFactoryRequests',
  'getRequest',
  'fulfilItem',
  'reviewItem',
  'cancelRequest',
  'getRequestHistory',
  'createEvidence',
  'listEvidence',
  'getEvidence',
  'addEvidenceVersion',
  'issueUploadUrl',
  'downloadEvidenceFile',
  'listAudit',
  'getMe',
  'createComment',
  'listComments',
  'listNotifications',
  'readNotification',
  'createWebhook',
  'listWebhooks',
  'disableWebhook',
  'listWebhookDeliveries',
  'listOrganisations',
  'getOrganisation',
  'createOrganisation',
  'suspendOrganisation',
  'listUsers',
  'createUser',
  'changeUserRole',
  'disableUser',
  'enableUser',
  'exportUserData',
  'eraseUser',
  'createPack',
  'listPacks',
  'getPack',
  'downloadPack',
  'createShareLink',
  'listShareLinks',
  'revokeShareLink',
  'accessShareLink',
] as const;
export type Operation = (typeof OPERATIONS)[number];

type Row = Readonly<Record<Role, Scope>>;

export const PERMISSIONS: Readonly<Record<Operation, Row>> = {
  createRequest: { buyer: 'any', factory: 'never', auditor: 'never', admin: 'never' },
  listRequests: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  listFactoryRequests: { buyer: 'never', factory: 'own', auditor: 'never', admin: 'never' },
  getRequest: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  fulfilItem: { buyer: 'never', factory: 'own', auditor: 'never', admin: 'never' },
  reviewItem: { buyer: 'own', factory: 'never', auditor: 'never', admin: 'never' },
  cancelRequest: { buyer: 'own', factory: 'never', auditor: 'never', admin: 'never' },
  getRequestHistory: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  createEvidence: { buyer: 'never', factory: 'any', auditor: 'never', admin: 'never' },
  listEvidence: { buyer: 'never', factory: 'own', auditor: 'all', admin: 'all' },
  getEvidence: { buyer: 'shared', factory: 'own', auditor: 'all', admin: 'all' },
  addEvidenceVersion: { buyer: 'never', factory: 'own', auditor: 'never', admin: 'never' },
  issueUploadUrl: { buyer: 'never', factory: 'own', auditor: 'never', admin: 'never' },
  downloadEvidenceFile: { buyer: 'shared', factory: 'own', auditor: 'all', admin: 'all' },
  listAudit: { buyer: 'never', factory: 'never', auditor: 'all', admin: 'all' },
  getMe: { buyer: 'any', factory: 'any', auditor: 'any', admin: 'any' },
  createComment: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'never' },
  listComments: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  /** Every user has an inbox of their own: `own` is the recipient alone. The auditor stays read-only (and, in no organisation, is notified of nothing). */
  listNotifications: { buyer: 'own', factory: 'own', auditor: 'own', admin: 'own' },
  readNotification: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'own' },
  createWebhook: { buyer: 'any', factory: 'any', auditor: 'never', admin: 'never' },
  listWebhooks: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'all' },
  disableWebhook: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'all' },
  listWebhookDeliveries: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'all' },
  // The directory: `own` is the caller's own organisation (and, for organisations, every
  // factory, with its public fields only); a data export's `own` is the caller's own userId.
  listOrganisations: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  getOrganisation: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  createOrganisation: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'any' },
  suspendOrganisation: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'all' },
  listUsers: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'all' },
  createUser: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'any' },
  changeUserRole: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'all' },
  disableUser: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'all' },
  enableUser: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'all' },
  exportUserData: { buyer: 'own', factory: 'own', auditor: 'own', admin: 'all' },
  eraseUser: { buyer: 'never', factory: 'never', auditor: 'never', admin: 'all' },
  // A factory packs its own versions for one buyer org, a buyer the versions shared with it.
  createPack: { buyer: 'any', factory: 'any', auditor: 'never', admin: 'never' },
  // `own`: packs of the caller's org and packs shared with it.
  listPacks: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  getPack: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  downloadPack: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  // Share links belong to the pack's owner org alone (not the org a pack is shared with).
  createShareLink: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'never' },
  listShareLinks: { buyer: 'own', factory: 'own', auditor: 'all', admin: 'all' },
  revokeShareLink: { buyer: 'own', factory: 'own', auditor: 'never', admin: 'never' },
  // The token is the capability: anyone holding it reaches that tenant's pack, signed in or not (ANONYMOUS_OPERATIONS).
  accessShareLink: { buyer: 'all', factory: 'all', auditor: 'all', admin: 'all' },
};

/** Operations a caller without an account may perform: their route has no authorizer and ignores any token. */
export const ANONYMOUS_OPERATIONS: readonly Operation[] = ['accessShareLink'];

/** Who calls: a signed-in role, or nobody signed in (an anonymous operation only). */
export type Caller = Role | 'anonymous';

export function scopeOf(role: Caller, operation: Operation): Scope {
  if (role === 'anonymous') return ANONYMOUS_OPERATIONS.includes(operation) ? 'all' : 'never';
  return PERMISSIONS[operation][role];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
