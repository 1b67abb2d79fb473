/**
 * The access oracle: what API.md promises each role on each endpoint, on its own tenant's
 * object and on another tenant's, written out by hand from ../shared/API.md ("who" columns,
 * the status list under "Errors and input", the `outcome` rule under "Audit"). It is NEVER
 * derived from functions/core/permissions.ts: the permission walk
 * (test/handlers/permission-walk.test.ts) and the permission-table pin
 * (test/unit/access.test.ts) compare the product against it, so a wrong row in the
 * permission table fails them.
 *
 * HOW TO ADD A ROW (one per operation; a missing row fails test/unit/access.test.ts):
 *   myOperation: {
 *     buyer:   { own: '200 SUCCESS', other: '404 DENIED' },
 *     factory: { own: '403 DENIED',  other: '403 DENIED' },
 *     auditor: { own: '200 SUCCESS', other: '200 SUCCESS' },
 *     admin:   { own: '200 SUCCESS', other: '200 SUCCESS' },
 *   },
 * - `own`: the answer on an object of the caller's own organisation (or, for an endpoint
 *   without an object, simply the answer); `other`: on another tenant's object.
 * - A cell is '<status> <audit outcome>', or just '<status>' for an endpoint that writes no
 *   audit event (API.md, "Not audited").
 * - For an endpoint without an object in its path, `other` is 'n/a' (creating, /v1/me), or,
 *   for a list, 'hidden' (no item of another tenant is ever listed) or 'shown' (items of
 *   every tenant are listed).
 * - `shared: true` marks a buyer whose "own" objects are the ones shared with its
 *   organisation (evidence a fulfilment shared with it), not ones it owns.
 * - Roles without an organisation (auditor, admin) read `own` and `other` as "any tenant".
 * Then make sure the permission walk can build the world the operation needs (a path
 * parameter it can fill, a valid body in BODIES).
 */

export type Outcome = 'SUCCESS' | 'DENIED' | 'FAILED';
/** '200 SUCCESS', '404 DENIED', ... or a bare status for unaudited endpoints. */
export type Answer = `${number} ${Outcome}` | `${number}`;

export interface Cell {
  readonly own: Answer;
  readonly other: Answer | 'n/a' | 'hidden' | 'shown';
  readonly shared?: true;
}

export type OracleRow = Readonly<Record<'buyer' | 'factory' | 'auditor' | 'admin', Cell>>;

const FORBIDDEN: Cell = { own: '403 DENIED', other: '403 DENIED' };
const EVERY_TENANT: Cell = { own: '200 SUCCESS', other: '200 SUCCESS' };
const OWN_TENANT: Cell = { own: '200 SUCCESS', other: '404 DENIED' };
/** Refused by role on an endpoint without an object (a create, a list). */
const FORBIDDEN_HERE: Cell = { own: '403 DENIED', other: 'n/a' };
/** A list of every tenant's objects. */
const LISTS_ALL: Cell = { own: '200 SUCCESS', other: 'shown' };
/** A list of the caller's organisation's objects only. */
const LISTS_OWN: Cell = { own: '200 SUCCESS', other: 'hidden' };

export const ACCESS_ORACLE: Readonly<Record<string, OracleRow>> = {
  // POST /v1/requests: buyer.
  createRequest: { buyer: { own: '201 SUCCESS', other: 'n/a' }, factory: FORBIDDEN_HERE, auditor: FORBIDDEN_HERE, admin: FORBIDDEN_HERE },
  // GET /v1/requests: buyer own org's; factory addressed to it; auditor, admin all.
  listRequests: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: LISTS_ALL, admin: LISTS_ALL },
  // GET /v1/factory/requests: factory.
  listFactoryRequests: { buyer: FORBIDDEN_HERE, factory: LISTS_OWN, auditor: FORBIDDEN_HERE, admin: FORBIDDEN_HERE },
  // GET /v1/requests/{requestId}: the buyer org, the addressed factory, auditor, admin.
  getRequest: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST .../items/{itemId}/fulfill: the addressed factory.
  fulfilItem: { buyer: FORBIDDEN, factory: OWN_TENANT, auditor: FORBIDDEN, admin: FORBIDDEN },
  // POST .../items/{itemId}/review: the buyer org.
  reviewItem: { buyer: OWN_TENANT, factory: FORBIDDEN, auditor: FORBIDDEN, admin: FORBIDDEN },
  // POST .../cancel: the buyer org.
  cancelRequest: { buyer: OWN_TENANT, factory: FORBIDDEN, auditor: FORBIDDEN, admin: FORBIDDEN },
  // GET .../history: parties of the request, auditor, admin.
  getRequestHistory: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST /v1/evidence: factory.
  createEvidence: { buyer: FORBIDDEN_HERE, factory: { own: '201 SUCCESS', other: 'n/a' }, auditor: FORBIDDEN_HERE, admin: FORBIDDEN_HERE },
  // GET /v1/evidence: factory own; auditor, admin all.
  listEvidence: { buyer: FORBIDDEN_HERE, factory: LISTS_OWN, auditor: LISTS_ALL, admin: LISTS_ALL },
  // GET /v1/evidence/{evidenceId}: owning factory; a buyer org shared a version by a fulfilment; auditor, admin.
  getEvidence: { buyer: { own: '200 SUCCESS', other: '404 DENIED', shared: true }, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST /v1/evidence/{evidenceId}/versions: owning factory.
  addEvidenceVersion: { buyer: FORBIDDEN, factory: { own: '201 SUCCESS', other: '404 DENIED' }, auditor: FORBIDDEN, admin: FORBIDDEN },
  // POST .../versions/{version}/upload-url (1.1): owning factory, while PENDING_UPLOAD.
  issueUploadUrl: { buyer: FORBIDDEN, factory: OWN_TENANT, auditor: FORBIDDEN, admin: FORBIDDEN },
  // GET .../versions/{version}/file (1.1): owning factory; a buyer org the version is shared with; auditor, admin.
  downloadEvidenceFile: {
    buyer: { own: '200 SUCCESS', other: '404 DENIED', shared: true },
    factory: OWN_TENANT,
    auditor: EVERY_TENANT,
    admin: EVERY_TENANT,
  },
  // POST /v1/requests/{requestId}/comments (1.1): the buyer org, the addressed factory.
  createComment: { buyer: { own: '201 SUCCESS', other: '404 DENIED' }, factory: { own: '201 SUCCESS', other: '404 DENIED' }, auditor: FORBIDDEN, admin: FORBIDDEN },
  // GET /v1/requests/{requestId}/comments (1.1): parties, auditor, admin.
  listComments: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // GET /v1/notifications (1.1): any signed-in user, their own inbox only.
  listNotifications: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: LISTS_OWN, admin: LISTS_OWN },
  // POST /v1/notifications/{notificationId}/read (1.1): its recipient; "other" is another user's notification.
  // The auditor role is read-only ("Audit"; RISKS: "auditor role read-only"), and belongs to no organisation that is notified.
  readNotification: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: FORBIDDEN, admin: OWN_TENANT },
  // POST /v1/webhooks (1.1): buyer, factory (for the own org).
  createWebhook: { buyer: { own: '201 SUCCESS', other: 'n/a' }, factory: { own: '201 SUCCESS', other: 'n/a' }, auditor: FORBIDDEN_HERE, admin: FORBIDDEN_HERE },
  // GET /v1/webhooks (1.1): own org's; admin all.
  listWebhooks: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: FORBIDDEN_HERE, admin: LISTS_ALL },
  // POST /v1/webhooks/{webhookId}/disable (1.1): own org, admin.
  disableWebhook: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: FORBIDDEN, admin: EVERY_TENANT },
  // GET /v1/webhooks/{webhookId}/deliveries (1.1): own org, admin.
  listWebhookDeliveries: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: FORBIDDEN, admin: EVERY_TENANT },
  // POST /v1/packs (1.1, "Packs"): factory (sharedWithOrgId required), buyer (none); answered 202.
  createPack: { buyer: { own: '202 SUCCESS', other: 'n/a' }, factory: { own: '202 SUCCESS', other: 'n/a' }, auditor: FORBIDDEN_HERE, admin: FORBIDDEN_HERE },
  // GET /v1/packs: own org's packs and packs shared with it; auditor, admin: all.
  listPacks: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: LISTS_ALL, admin: LISTS_ALL },
  // GET /v1/packs/{packId}: as above.
  getPack: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // GET /v1/packs/{packId}/download: as above (the walk's packs are READY).
  downloadPack: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST /v1/packs/{packId}/links (1.1, "Share links"): the pack's owner org.
  createShareLink: { buyer: { own: '201 SUCCESS', other: '404 DENIED' }, factory: { own: '201 SUCCESS', other: '404 DENIED' }, auditor: FORBIDDEN, admin: FORBIDDEN },
  // GET /v1/packs/{packId}/links: the pack's owner org; auditor, admin.
  listShareLinks: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST /v1/packs/{packId}/links/{linkId}/revoke: the pack's owner org.
  revokeShareLink: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: FORBIDDEN, admin: FORBIDDEN },
  // GET /v1/shared/{token}: anyone holding the token, no sign-in (a signed-in caller is just as anonymous).
  accessShareLink: { buyer: EVERY_TENANT, factory: EVERY_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // GET /v1/audit: auditor, admin.
  listAudit: { buyer: FORBIDDEN_HERE, factory: FORBIDDEN_HERE, auditor: LISTS_ALL, admin: LISTS_ALL },
  // GET /v1/organisations (1.1): any signed-in user: the factories and the own org; admin, auditor: all.
  listOrganisations: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: LISTS_ALL, admin: LISTS_ALL },
  // GET /v1/organisations/{orgId} (1.1): as the list: the own org, or any factory; another
  // tenant's buyer org is refused as if absent (the walk's "other" is the other buyer org).
  getOrganisation: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: EVERY_TENANT, admin: EVERY_TENANT },
  // POST /v1/organisations (1.1): admin.
  createOrganisation: { buyer: FORBIDDEN_HERE, factory: FORBIDDEN_HERE, auditor: FORBIDDEN_HERE, admin: { own: '201 SUCCESS', other: 'n/a' } },
  // POST /v1/organisations/{orgId}/suspend (1.1): admin.
  suspendOrganisation: { buyer: FORBIDDEN, factory: FORBIDDEN, auditor: FORBIDDEN, admin: EVERY_TENANT },
  // GET /v1/users (1.1): admin all; buyer, factory their own org's members; the auditor is not named.
  listUsers: { buyer: LISTS_OWN, factory: LISTS_OWN, auditor: FORBIDDEN_HERE, admin: LISTS_ALL },
  // POST /v1/users (1.1): admin.
  createUser: { buyer: FORBIDDEN_HERE, factory: FORBIDDEN_HERE, auditor: FORBIDDEN_HERE, admin: { own: '201 SUCCESS', other: 'n/a' } },
  // POST /v1/users/{userId}/change-role, disable, enable, erase (1.1): admin.
  changeUserRole: { buyer: FORBIDDEN, factory: FORBIDDEN, auditor: FORBIDDEN, admin: EVERY_TENANT },
  disableUser: { buyer: FORBIDDEN, factory: FORBIDDEN, auditor: FORBIDDEN, admin: EVERY_TENANT },
  enableUser: { buyer: FORBIDDEN, factory: FORBIDDEN, auditor: FORBIDDEN, admin: EVERY_TENANT },
  eraseUser: { buyer: FORBIDDEN, factory: FORBIDDEN, auditor: FORBIDDEN, admin: EVERY_TENANT },
  // GET /v1/users/{userId}/data-export (1.1): admin; the user for their own userId ("own" is
  // the caller, "other" another user, refused as if absent).
  exportUserData: { buyer: OWN_TENANT, factory: OWN_TENANT, auditor: OWN_TENANT, admin: EVERY_TENANT },
  // GET /v1/me: any signed-in user; not audited.
  getMe: {
    buyer: { own: '200', other: 'n/a' },
    factory: { own: '200', other: 'n/a' },
    auditor: { own: '200', other: 'n/a' },
    admin: { own: '200', other: 'n/a' },
  },
};

/** The oracle's row for an operation; throws (failing the test) when the operation has none. */
export function oracleRow(operation: string): OracleRow {
  const row = ACCESS_ORACLE[operation];
  if (!row) throw new Error(`The access oracle (test/support/access-oracle.ts) has no row for ${operation}: write one from API.md`);
  return row;
}

/** A cell's status and audit outcome (undefined outcome: the call writes no audit event). */
export function parseAnswer(answer: Answer): { status: number; outcome?: Outcome } {
  const [status, outcome] = answer.split(' ');
  return { status: Number(status), ...(outcome && { outcome: outcome as Outcome }) };
}
