/**
 * The route table: every public endpoint, the Lambda (route group) that serves it, and
 * what its audit event records. API Gateway (CDK), the local HTTP adapter, the OpenAPI
 * document and the tests all derive from this list.
 */
import { ANONYMOUS_OPERATIONS, type Operation } from '../core/permissions.js';
import type { AuditAction, ResourceType } from '../schemas/audit.js';

export type HttpMethod = 'GET' | 'POST';

/** One Lambda function per group. */
export const ROUTE_GROUPS = ['requests', 'evidence', 'audit', 'public', 'notifications', 'directory', 'packs'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway style path, `{name}` for path parameters. */
  readonly path: string;
  readonly group: RouteGroup;
  /** Set for authenticated routes: the permission table row and the OpenAPI operationId. */
  readonly operation?: Operation;
  /** Set for audited routes. */
  readonly audit?: { readonly action: AuditAction; readonly resourceType: ResourceType; readonly idParam?: string };
  readonly summary: string;
}

/** A route of an anonymous operation (a share link): no authorizer in front, no token read. */
export function isAnonymous(route: Route): boolean {
  return route.operation !== undefined && ANONYMOUS_OPERATIONS.includes(route.operation);
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/health', group: 'public', summary: 'Liveness' },
  { method: 'GET', path: '/v1/openapi.json', group: 'public', summary: 'This API as OpenAPI 3.1' },
  { method: 'GET', path: '/v1/me', group: 'public', operation: 'getMe', summary: 'The signed-in user' },
  {
    method: 'POST', path: '/v1/requests', group: 'requests', operation: 'createRequest',
    audit: { action: 'request.create', resourceType: 'request' }, summary: 'Ask a factory for documents',
  },
  {
    method: 'GET', path: '/v1/requests', group: 'requests', operation: 'listRequests',
    audit: { action: 'request.list', resourceType: 'request' }, summary: 'List requests visible to the caller',
  },
  {
    method: 'GET', path: '/v1/factory/requests', group: 'requests', operation: 'listFactoryRequests',
    audit: { action: 'request.list', resourceType: 'request' }, summary: 'List requests addressed to the caller\'s factory',
  },
  {
    method: 'GET', path: '/v1/requests/{requestId}', group: 'requests', operation: 'getRequest',
    audit: { action: 'request.read', resourceType: 'request', idParam: 'requestId' }, summary: 'Read one request',
  },
  {
    method: 'POST', path: '/v1/requests/{requestId}/items/{itemId}/fulfill', group: 'requests', operation: 'fulfilItem',
    audit: { action: 'request.item.fulfill', resourceType: 'request', idParam: 'requestId' },
    summary: 'Fulfil an item with an evidence version',
  },
  {
    method: 'POST', path: '/v1/requests/{requestId}/items/{itemId}/review', group: 'requests', operation: 'reviewItem',
    audit: { action: 'request.item.review', resourceType: 'request', idParam: 'requestId' },
    summary: 'Accept or reject a fulfilled item',
  },
  {
    method: 'POST', path: '/v1/requests/{requestId}/cancel', group: 'requests', operation: 'cancelRequest',
    audit: { action: 'request.cancel', resourceType: 'request', idParam: 'requestId' }, summary: 'Cancel a request',
  },
  {
    method: 'GET', path: '/v1/requests/{requestId}/history', group: 'requests', operation: 'getRequestHistory',
    audit: { action: 'request.history.read', resourceType: 'request', idParam: 'requestId' },
    summary: 'Audit events of one request',
  },
  {
    method: 'POST', path: '/v1/evidence', group: 'evidence', operation: 'createEvidence',
    audit: { action: 'evidence.create', resourceType: 'evidence' }, summary: 'Add a document to the factory\'s library',
  },
  {
    method: 'GET', path: '/v1/evidence', group: 'evidence', operation: 'listEvidence',
    audit: { action: 'evidence.list', resourceType: 'evidence' }, summary: 'List evidence',
  },
  {
    method: 'GET', path: '/v1/evidence/{evidenceId}', group: 'evidence', operation: 'getEvidence',
    audit: { action: 'evidence.read', resourceType: 'evidence', idParam: 'evidenceId' }, summary: 'Read one evidence',
  },
  {
    method: 'POST', path: '/v1/evidence/{evidenceId}/versions', group: 'evidence', operation: 'addEvidenceVersion',
    audit: { action: 'evidence.version.create', resourceType: 'evidence', idParam: 'evidenceId' },
    summary: 'Add a version to an evidence',
  },
  {
    method: 'POST', path: '/v1/evidence/{evidenceId}/versions/{version}/upload-url', group: 'evidence', operation: 'issueUploadUrl',
    audit: { action: 'evidence.file.upload-url', resourceType: 'evidence', idParam: 'evidenceId' },
    summary: 'A new upload URL for a version\'s file still PENDING_UPLOAD',
  },
  {
    method: 'GET', path: '/v1/evidence/{evidenceId}/versions/{version}/file', group: 'evidence', operation: 'downloadEvidenceFile',
    audit: { action: 'evidence.file.download', resourceType: 'evidence', idParam: 'evidenceId' },
    summary: 'A download URL for a version\'s AVAILABLE file',
  },
  {
    method: 'GET', path: '/v1/audit', group: 'audit', operation: 'listAudit',
    audit: { action: 'audit.read', resourceType: 'audit' }, summary: 'Query the audit trail',
  },
  {
    method: 'POST', path: '/v1/requests/{requestId}/comments', group: 'requests', operation: 'createComment',
    audit: { action: 'request.comment.create', resourceType: 'request', idParam: 'requestId' }, summary: 'Comment on a request or one of its items',
  },
  {
    method: 'GET', path: '/v1/requests/{requestId}/comments', group: 'requests', operation: 'listComments',
    audit: { action: 'request.comment.list', resourceType: 'request', idParam: 'requestId' }, summary: 'Comments of a request, oldest first',
  },
  {
    method: 'GET', path: '/v1/notifications', group: 'notifications', operation: 'listNotifications',
    audit: { action: 'notification.list', resourceType: 'notification' }, summary: 'The caller\'s notifications, newest first',
  },
  {
    method: 'POST', path: '/v1/notifications/{notificationId}/read', group: 'notifications', operation: 'readNotification',
    audit: { action: 'notification.read', resourceType: 'notification', idParam: 'notificationId' }, summary: 'Mark one of the caller\'s notifications read',
  },
  {
    method: 'POST', path: '/v1/webhooks', group: 'notifications', operation: 'createWebhook',
    audit: { action: 'webhook.create', resourceType: 'webhook' }, summary: 'Register a webhook for the caller\'s organisation (the secret is answered once)',
  },
  {
    method: 'GET', path: '/v1/webhooks', group: 'notifications', operation: 'listWebhooks',
    audit: { action: 'webhook.list', resourceType: 'webhook' }, summary: 'The organisation\'s webhooks (admin: all)',
  },
  {
    method: 'POST', path: '/v1/webhooks/{webhookId}/disable', group: 'notifications', operation: 'disableWebhook',
    audit: { action: 'webhook.disable', resourceType: 'webhook', idParam: 'webhookId' }, summary: 'Disable a webhook',
  },
  {
    method: 'GET', path: '/v1/webhooks/{webhookId}/deliveries', group: 'notifications', operation: 'listWebhookDeliveries',
    audit: { action: 'webhook.deliveries.read', resourceType: 'webhook', idParam: 'webhookId' }, summary: 'The delivery log of a webhook, newest first',
  },
  {
    method: 'GET', path: '/v1/organisations', group: 'directory', operation: 'listOrganisations',
    audit: { action: 'organisation.list', resourceType: 'organisation' }, summary: 'List organisations (factories and the own one; admins and auditors all)',
  },
  {
    method: 'GET', path: '/v1/organisations/{orgId}', group: 'directory', operation: 'getOrganisation',
    audit: { action: 'organisation.read', resourceType: 'organisation', idParam: 'orgId' }, summary: 'Read one organisation',
  },
  {
    method: 'POST', path: '/v1/organisations', group: 'directory', operation: 'createOrganisation',
    audit: { action: 'organisation.create', resourceType: 'organisation' }, summary: 'Register a buyer or factory organisation',
  },
  {
    method: 'POST', path: '/v1/organisations/{orgId}/suspend', group: 'directory', operation: 'suspendOrganisation',
    audit: { action: 'organisation.suspend', resourceType: 'organisation', idParam: 'orgId' }, summary: 'Suspend an organisation: its users are refused within 60 s',
  },
  {
    method: 'GET', path: '/v1/users', group: 'directory', operation: 'listUsers',
    audit: { action: 'user.list', resourceType: 'user' }, summary: 'List users (admins: all; buyers and factories: their own organisation\'s members)',
  },
  {
    method: 'POST', path: '/v1/users', group: 'directory', operation: 'createUser',
    audit: { action: 'user.create', resourceType: 'user' }, summary: 'Invite a user (an e-mailed temporary password)',
  },
  {
    method: 'POST', path: '/v1/users/{userId}/change-role', group: 'directory', operation: 'changeUserRole',
    audit: { action: 'user.change-role', resourceType: 'user', idParam: 'userId' }, summary: 'Change a user\'s role and organisation',
  },
  {
    method: 'POST', path: '/v1/users/{userId}/disable', group: 'directory', operation: 'disableUser',
    audit: { action: 'user.disable', resourceType: 'user', idParam: 'userId' }, summary: 'Disable a user: their tokens are refused within 60 s',
  },
  {
    method: 'POST', path: '/v1/users/{userId}/enable', group: 'directory', operation: 'enableUser',
    audit: { action: 'user.enable', resourceType: 'user', idParam: 'userId' }, summary: 'Enable a disabled user',
  },
  {
    method: 'GET', path: '/v1/users/{userId}/data-export', group: 'directory', operation: 'exportUserData',
    audit: { action: 'user.data-export', resourceType: 'user', idParam: 'userId' }, summary: 'Everything held about a user (GDPR access)',
  },
  {
    method: 'POST', path: '/v1/users/{userId}/erase', group: 'directory', operation: 'eraseUser',
    audit: { action: 'user.erase', resourceType: 'user', idParam: 'userId' }, summary: 'Erase a user: identity deleted, name pseudonymised, audit records unlinkable',
  },
  {
    method: 'POST', path: '/v1/packs', group: 'packs', operation: 'createPack',
    audit: { action: 'pack.create', resourceType: 'pack' }, summary: 'Pack evidence versions into one signed ZIP (built asynchronously)',
  },
  {
    method: 'GET', path: '/v1/packs', group: 'packs', operation: 'listPacks',
    audit: { action: 'pack.list', resourceType: 'pack' }, summary: 'List the org\'s packs and packs shared with it',
  },
  {
    method: 'GET', path: '/v1/packs/{packId}', group: 'packs', operation: 'getPack',
    audit: { action: 'pack.read', resourceType: 'pack', idParam: 'packId' }, summary: 'Read one pack',
  },
  {
    method: 'GET', path: '/v1/packs/{packId}/download', group: 'packs', operation: 'downloadPack',
    audit: { action: 'pack.download', resourceType: 'pack', idParam: 'packId' }, summary: 'A download URL for a READY pack\'s ZIP',
  },
  {
    method: 'POST', path: '/v1/packs/{packId}/links', group: 'packs', operation: 'createShareLink',
    audit: { action: 'share.create', resourceType: 'share' }, summary: 'Create a share link for someone without an account',
  },
  {
    method: 'GET', path: '/v1/packs/{packId}/links', group: 'packs', operation: 'listShareLinks',
    audit: { action: 'share.list', resourceType: 'pack', idParam: 'packId' }, summary: 'List a pack\'s share links (no tokens)',
  },
  {
    method: 'POST', path: '/v1/packs/{packId}/links/{linkId}/revoke', group: 'packs', operation: 'revokeShareLink',
    audit: { action: 'share.revoke', resourceType: 'share', idParam: 'linkId' }, summary: 'Revoke a share link',
  },
  {
    // No idParam: the audit event names the link, never the token in the path.
    method: 'GET', path: '/v1/shared/{token}', group: 'packs', operation: 'accessShareLink',
    audit: { action: 'share.access', resourceType: 'share' }, summary: 'A pack through a share link, without signing in',
  },
];

export function findRoute(operation: Operation): Route {
  const route = ROUTES.find((r) => r.operation === operation);
  if (!route) throw new Error(`No route serves operation ${operation}`);
  return route;
}
