/**
 * The composition root's notification half (see root.ts): the inbox and webhook adapters,
 * the delivery queue (SQS, or the configuration's own queue locally), the URL guard's policy
 * and resolver, for the notifications route group (from the API's Configuration) and for the
 * notifier, the webhook worker and the reminder sweep (from their job settings in Lambda, from
 * the local runtime's Configuration in `npm start`: both carry what NotificationJobSettings names).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SesMailSender } from '../adapters/ses-mail-sender.js';
import { createDocumentClient } from '../adapters/dynamo-client.js';
import { SDK_POLICY, type LocalCredentials } from '../adapters/sdk-policy.js';
import { dnsHostResolver } from '../adapters/dns-host-resolver.js';
import { DynamoEventMarkers, DynamoInbox, DynamoWebhookRepository } from '../adapters/dynamo-notifications.js';
import { DynamoOrganisationMembers } from '../adapters/dynamo-organisation-members.js';
import { DynamoDateIndex } from '../adapters/dynamo-date-index.js';
import type { ReminderDeps } from '../core/use-cases/reminders.js';
import { nodeWebhookTransport } from '../adapters/node-webhook-transport.js';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.js';
import type { Configuration } from '../config/configuration.js';
import type { DeliveryQueue, HostResolver } from '../core/notification-ports.js';
import type { DeliveryDeps, NotifierDeps } from '../core/use-cases/notifications.js';
import type { UrlPolicy } from '../core/webhook-url.js';
import type { NotificationsDeps } from './dependencies.js';
import { cursorSealer, perConfiguration, verifier } from './root.js';
import { auditLog, documentClient as apiDocumentClient, idempotencyStore } from './table.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoRequestRepository } from '../adapters/dynamo-request-repository.js';
import type { NotifierHandlerDeps } from '../jobs/notifier.js';

/** What the notification adapters and jobs are built from: the API's Configuration and the jobs' settings both carry it. */
export interface NotificationJobSettings {
  readonly tableName?: string | undefined;
  readonly auditTtlDays: number;
  readonly region?: string | undefined;
  readonly dynamodbEndpoint?: string | undefined;
  readonly consoleBaseUrl: string;
  readonly webhookQueueUrl?: string | undefined;
  readonly mailFrom?: string | undefined;
  readonly mailConfigurationSet?: string | undefined;
  readonly credentials?: LocalCredentials | undefined;
  readonly allowLocalWebhooks?: boolean | undefined;
  readonly deliveryQueue?: DeliveryQueue | undefined;
  readonly hostResolver?: HostResolver | undefined;
  /** The mail sender when it is not SES (the local mail folder). */
  readonly mail?: NotifierDeps['mail'];
}

const table = (settings: NotificationJobSettings) => {
  if (!settings.tableName) throw new Error('Configuration has no table: set TABLE_NAME');
  return { tableName: settings.tableName, auditTtlDays: settings.auditTtlDays };
};
/** One document client per settings object: an API configuration's is the one its other adapters use (table.ts). */
const documentClient = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings) =>
  'userPoolId' in settings
    ? apiDocumentClient(settings as Configuration)
    : createDocumentClient({ endpoint: settings.dynamodbEndpoint, region: settings.region, credentials: settings.credentials }),
);

export const inbox = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings) => new DynamoInbox(documentClient(settings), table(settings)));
export const webhookRepository = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings) => new DynamoWebhookRepository(documentClient(settings), table(settings)));
export const eventMarkers = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings) => new DynamoEventMarkers(documentClient(settings), table(settings).tableName));
export const organisationMembers = /* @__PURE__ */ perConfiguration(
  (settings: NotificationJobSettings) => new DynamoOrganisationMembers(documentClient(settings), table(settings).tableName),
);

export const deliveryQueue = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings): DeliveryQueue => {
  if (settings.deliveryQueue) return settings.deliveryQueue;
  if (!settings.webhookQueueUrl) throw new Error('Configuration has no webhook queue: set WEBHOOK_QUEUE_URL (or pass deliveryQueue locally)');
  return new SqsDeliveryQueue(
    new SQSClient({ ...SDK_POLICY, ...(settings.region && { region: settings.region }), ...(settings.credentials && { credentials: settings.credentials }) }),
    settings.webhookQueueUrl,
  );
});

/** The local mail folder when the runtime passes one; SES from the stage's identity in AWS; else no e-mail. */
export const mailSender = /* @__PURE__ */ perConfiguration((settings: NotificationJobSettings): NotifierDeps['mail'] => {
  if (settings.mail) return settings.mail;
  if (!settings.mailFrom) return undefined;
  const ses = new SESv2Client({ ...SDK_POLICY, ...(settings.region && { region: settings.region }), ...(settings.credentials && { credentials: settings.credentials }) });
  return new SesMailSender(ses, { from: settings.mailFrom, configurationSet: settings.mailConfigurationSet });
});

const urlPolicy = (settings: NotificationJobSettings): UrlPolicy => ({ allowLocalHttp: settings.allowLocalWebhooks === true });
const resolver = (settings: NotificationJobSettings) => settings.hostResolver ?? dnsHostResolver;

export const notificationsDeps = /* @__PURE__ */ perConfiguration(
  (config: Configuration): NotificationsDeps => ({
    verifier: verifier(config),
    cursors: cursorSealer(config),
    auditLog: auditLog(config),
    idempotency: idempotencyStore(config),
    inbox: inbox(config),
    webhooks: webhookRepository(config),
    resolveHost: resolver(config),
    urlPolicy: urlPolicy(config),
  }),
);


export const notifierDeps = /* @__PURE__ */ perConfiguration(
  (settings: NotificationJobSettings): NotifierHandlerDeps => ({
    members: organisationMembers(settings),
    inbox: inbox(settings),
    mail: mailSender(settings),
    webhooks: webhookRepository(settings),
    queue: deliveryQueue(settings),
    consoleBaseUrl: settings.consoleBaseUrl,
    now: () => new Date(),
    requests: new DynamoRequestRepository(documentClient(settings), table(settings)),
  }),
);

export const webhookWorkerDeps = /* @__PURE__ */ perConfiguration(
  (settings: NotificationJobSettings): DeliveryDeps => ({
    webhooks: webhookRepository(settings),
    queue: deliveryQueue(settings),
    transport: nodeWebhookTransport,
    resolveHost: resolver(settings),
    urlPolicy: urlPolicy(settings),
    now: () => new Date(),
  }),
);

export const reminderDeps = /* @__PURE__ */ perConfiguration(
  (settings: NotificationJobSettings): ReminderDeps => ({
    dates: new DynamoDateIndex(documentClient(settings), table(settings).tableName),
    evidence: new DynamoEvidenceRepository(documentClient(settings), table(settings)),
    markers: eventMarkers(settings),
    now: () => new Date(),
  }),
);
