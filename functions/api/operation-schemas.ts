/**
 * The payload schemas of every operation: the handlers parse with them and the OpenAPI
 * document is generated from them, so the two cannot drift.
 */
import type * as z from 'zod/mini';
import type { Operation } from '../core/permissions.js';
import { AuditPage, HistoryQuery, ListAuditQuery } from '../schemas/audit.js';
import {
  AddVersionBody,
  AddVersionResult,
  CreateEvidenceBody,
  CreateEvidenceResult,
  Evidence,
  EvidencePage,
  EvidencePath,
  FileDownload,
  ListEvidenceQuery,
  UploadUrlBody,
  UploadUrlResult,
  VersionPath,
} from '../schemas/evidence.js';
import { CommentPage, Comment, CreateCommentBody } from '../schemas/comments.js';
import {
  CreatedWebhook,
  CreateWebhookBody,
  DeliveriesQuery,
  DeliveryPage,
  EmptyBody,
  ListNotificationsQuery,
  Notification,
  NotificationPage,
  NotificationPath,
  Webhook,
  WebhookList,
  WebhookPath,
} from '../schemas/notifications.js';
import {
  ChangeRoleBody,
  CreateOrganisationBody,
  CreateUserBody,
  DataExport,
  EraseResult,
  ListOrganisationsQuery,
  ListUsersQuery,
  Organisation,
  OrganisationPage,
  OrganisationPath,
  SuspendOrganisationBody,
  User,
  UserPage,
  UserPath,
  UserStatusBody,
} from '../schemas/directory.js';
import {
  CreatePackBody,
  CreatedShareLink,
  CreateShareLinkBody,
  ListPacksQuery,
  Pack,
  PackDownload,
  PackPage,
  PackPath,
  RevokeShareLinkBody,
  SharedPack,
  SharedPath,
  ShareLink,
  ShareLinkList,
  ShareLinkPath,
} from '../schemas/packs.js';
import { Me } from '../schemas/public.js';
import {
  CancelBody,
  CreateRequestBody,
  EvidenceRequest,
  FulfilBody,
  ItemPath,
  ListRequestsQuery,
  PageQuery,
  RequestPath,
  RequestPage,
  ReviewBody,
} from '../schemas/requests.js';

export interface OperationSchemas {
  readonly path?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly body?: z.ZodMiniType;
  readonly response: z.ZodMiniType;
  /** @default 200 */
  readonly status?: number;
}

export const OPERATION_SCHEMAS = {
  createRequest: { body: CreateRequestBody, response: EvidenceRequest, status: 201 },
  listRequests: { query: ListRequestsQuery, response: RequestPage },
  listFactoryRequests: { query: ListRequestsQuery, response: RequestPage },
  getRequest: { path: RequestPath, response: EvidenceRequest },
  fulfilItem: { path: ItemPath, body: FulfilBody, response: EvidenceRequest },
  reviewItem: { path: ItemPath, body: ReviewBody, response: EvidenceRequest },
  cancelRequest: { path: RequestPath, body: CancelBody, response: EvidenceRequest },
  getRequestHistory: { path: RequestPath, query: HistoryQuery, response: AuditPage },
  createEvidence: { body: CreateEvidenceBody, response: CreateEvidenceResult, status: 201 },
  listEvidence: { query: ListEvidenceQuery, response: EvidencePage },
  getEvidence: { path: EvidencePath, response: Evidence },
  addEvidenceVersion: { path: EvidencePath, body: AddVersionBody, response: AddVersionResult, status: 201 },
  issueUploadUrl: { path: VersionPath, body: UploadUrlBody, response: UploadUrlResult },
  downloadEvidenceFile: { path: VersionPath, response: FileDownload },
  listAudit: { query: ListAuditQuery, response: AuditPage },
  getMe: { response: Me },
  createComment: { path: RequestPath, body: CreateCommentBody, response: Comment, status: 201 },
  listComments: { path: RequestPath, query: PageQuery, response: CommentPage },
  listNotifications: { query: ListNotificationsQuery, response: NotificationPage },
  readNotification: { path: NotificationPath, body: EmptyBody, response: Notification },
  createWebhook: { body: CreateWebhookBody, response: CreatedWebhook, status: 201 },
  listWebhooks: { response: WebhookList },
  disableWebhook: { path: WebhookPath, body: EmptyBody, response: Webhook },
  listWebhookDeliveries: { path: WebhookPath, query: DeliveriesQuery, response: DeliveryPage },
  listOrganisations: { query: ListOrganisationsQuery, response: OrganisationPage },
  getOrganisation: { path: OrganisationPath, response: Organisation },
  createOrganisation: { body: CreateOrganisationBody, response: Organisation, status: 201 },
  suspendOrganisation: { path: OrganisationPath, body: SuspendOrganisationBody, response: Organisation },
  listUsers: { query: ListUsersQuery, response: UserPage },
  createUser: { body: CreateUserBody, response: User, status: 201 },
  changeUserRole: { path: UserPath, body: ChangeRoleBody, response: User },
  disableUser: { path: UserPath, body: UserStatusBody, response: User },
  enableUser: { path: UserPath, body: UserStatusBody, response: User },
  exportUserData: { path: UserPath, response: DataExport },
  eraseUser: { path: UserPath, response: EraseResult },
  createPack: { body: CreatePackBody, response: Pack, status: 202 },
  listPacks: { query: ListPacksQuery, response: PackPage },
  getPack: { path: PackPath, response: Pack },
  downloadPack: { path: PackPath, response: PackDownload },
  createShareLink: { path: PackPath, body: CreateShareLinkBody, response: CreatedShareLink, status: 201 },
  listShareLinks: { path: PackPath, response: ShareLinkList },
  revokeShareLink: { path: ShareLinkPath, body: RevokeShareLinkBody, response: ShareLink },
  accessShareLink: { path: SharedPath, response: SharedPack },
} as const satisfies Record<Operation, OperationSchemas>;

type Schemas = typeof OPERATION_SCHEMAS;
type Part<O extends Operation, K extends 'path' | 'query' | 'body'> = Schemas[O] extends Record<K, infer S extends z.ZodMiniType> ? z.infer<S> : undefined;

export interface InputOf<O extends Operation> {
  readonly path: Part<O, 'path'>;
  readonly query: Part<O, 'query'>;
  readonly body: Part<O, 'body'>;
}

export type ResponseOf<O extends Operation> = z.infer<Schemas[O]['response']>;
