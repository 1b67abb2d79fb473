/** The route group of notifications: the caller's inbox, and the organisation's webhooks. */
import type { NotificationsDeps } from '../composition/dependencies.js';
import * as useCases from '../core/use-cases/notifications.js';
import type { Operation } from '../core/permissions.js';
import { apiOperation, type OperationSpec } from '../middleware/api-operation.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: NotificationsDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('notifications', {
    listNotifications: op({ operation: 'listNotifications', run: async (input, ctx) => ({ body: await useCases.listNotifications(deps, ctx, input) }) }),
    readNotification: op({ operation: 'readNotification', run: async (input, ctx) => ({ body: await useCases.readNotification(deps, ctx, input) }) }),
    createWebhook: op({
      operation: 'createWebhook',
      run: async (input, ctx) => {
        const webhook = await useCases.createWebhook(deps, ctx, input);
        return { body: webhook, headers: { Location: `/v1/webhooks/${webhook.webhookId}` } };
      },
    }),
    listWebhooks: op({ operation: 'listWebhooks', run: async (_input, ctx) => ({ body: await useCases.listWebhooks(deps, ctx) }) }),
    disableWebhook: op({ operation: 'disableWebhook', run: async (input, ctx) => ({ body: await useCases.disableWebhook(deps, ctx, input) }) }),
    listWebhookDeliveries: op({ operation: 'listWebhookDeliveries', run: async (input, ctx) => ({ body: await useCases.listWebhookDeliveries(deps, ctx, input) }) }),
  });
}
