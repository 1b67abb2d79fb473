/**
 * The composition root's notification half (see root.ts): the inbox and webhook adapters,
 * the delivery queue (SQS, or the configuration's own queue locally), the URL guard's policy
 * and resolver, for the notifications route group, the notifier and the webhook worker.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { dnsHostResolver } from '../adapters/dns-host-resolver.js';
import { DynamoEventMarkers, DynamoInbox, DynamoWebhookRepository } from '../adapters/dynamo-notifications.js';
import { DynamoOrganisationMembers } from '../adapters/dynamo-organisation-members.js';
import { DynamoDateIndex } from '../adapters/dynamo-date-index.js';
import type { ReminderDeps } from '../core/use-cases/reminders.js';
import { nodeWebhookTransport } from '../adapters/node-webhook-transport.js';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.js';
import type { Configuration } from '../config/configuration.js';
import type { DeliveryQueue } from '../core/notification-ports.js';
import type { DeliveryDeps, NotifierDeps } from '../core/use-cases/notifications.js';
import type { UrlPolicy } from '../core/webhook-url.js';
import type { NotificationsDeps } from './dependencies.js';
import { clientBase, cursorSealer, perConfiguration, verifier } from './root.js';
import { auditLog, documentClient, evidenceRepository, idempotencyStore, requestRepository } from './table.js';

const table = (config: Configuration) => ({ tableName: config.tableName, auditTtlDays: config.auditTtlDays });

export const inbox = /* @__PURE__ */ perConfiguration((config) => new DynamoInbox(documentClient(config), table(config)));
export const webhookRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoWebhookRepository(documentClient(config), table(config)));
export const eventMarkers = /* @__PURE__ */ perConfiguration((config) => new DynamoEventMarkers(documentClient(config), config.tableName));
export const organisationMembers = /* @__PURE__ */ perConfiguration((config) => new DynamoOrganisationMembers(documentClient(config), config.tableName));

export const deliveryQueue = /* @__PURE__ */ perConfiguration((config): DeliveryQueue => {
  if (config.deliveryQueue) return config.deliveryQueue;
  if (!config.webhookQueueUrl) throw new Error('Configuration has no webhook queue: set WEBHOOK_QUEUE_URL (or pass deliveryQueue locally)');
  return new SqsDeliveryQueue(new SQSClient(clientBase(config)), config.webhookQueueUrl);
});

const urlPolicy = (config: Configuration): UrlPolicy => ({ allowLocalHttp: config.allowLocalWebhooks === true });
const resolver = (config: Configuration) => config.hostResolver ?? dnsHostResolver;

export const notificationsDeps = /* @__PURE__ */ perConfiguration(
  (config): NotificationsDeps => ({
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
  (config): NotifierDeps & { readonly requests: ReturnType<typeof requestRepository> } => ({
    members: organisationMembers(config),
    inbox: inbox(config),
    webhooks: webhookRepository(config),
    queue: deliveryQueue(config),
    consoleBaseUrl: config.consoleBaseUrl,
    now: () => new Date(),
    requests: requestRepository(config),
  }),
);

export const webhookWorkerDeps = /* @__PURE__ */ perConfiguration(
  (config): DeliveryDeps => ({
    webhooks: webhookRepository(config),
    queue: deliveryQueue(config),
    transport: nodeWebhookTransport,
    resolveHost: resolver(config),
    urlPolicy: urlPolicy(config),
    now: () => new Date(),
  }),
);

export const reminderDeps = /* @__PURE__ */ perConfiguration(
  (config): ReminderDeps => ({
    dates: new DynamoDateIndex(documentClient(config), config.tableName),
    evidence: evidenceRepository(config),
    markers: eventMarkers(config),
    now: () => new Date(),
  }),
);
