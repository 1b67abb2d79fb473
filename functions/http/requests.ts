/** Lambda entry for the request routes: create, list, read, fulfil, review, cancel, history. */
import * as useCases from '../core/use-cases/requests.js';
import type { Operation } from '../core/permissions.js';
import { apiOperation, type OperationSpec } from '../middleware/api-route.js';
import type { RequestsDeps } from './dependencies.js';
import { routeGroup } from './router.js';

export function createHandler(deps: RequestsDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('requests', {
    createRequest: op({
      operation: 'createRequest',
      run: async ({ body }, ctx) => {
        const request = await useCases.createRequest(deps, ctx, body);
        return { body: request, headers: { Location: `/v1/requests/${request.requestId}` } };
      },
    }),
    listRequests: op({
      operation: 'listRequests',
      run: async ({ query }, ctx) => ({ body: await useCases.listRequests(deps, ctx, 'listRequests', query) }),
    }),
    listFactoryRequests: op({
      operation: 'listFactoryRequests',
      run: async ({ query }, ctx) => ({ body: await useCases.listRequests(deps, ctx, 'listFactoryRequests', query) }),
    }),
    getRequest: op({
      operation: 'getRequest',
      run: async ({ path }, ctx) => ({ body: await useCases.getRequest(deps, ctx, path.requestId) }),
    }),
    fulfilItem: op({
      operation: 'fulfilItem',
      run: async ({ path, body }, ctx) => ({ body: await useCases.fulfilItem(deps, ctx, path, body) }),
    }),
    reviewItem: op({
      operation: 'reviewItem',
      run: async ({ path, body }, ctx) => ({ body: await useCases.reviewItem(deps, ctx, path, body) }),
    }),
    cancelRequest: op({
      operation: 'cancelRequest',
      run: async ({ path, body }, ctx) => ({ body: await useCases.cancelRequest(deps, ctx, path.requestId, body) }),
    }),
    getRequestHistory: op({
      operation: 'getRequestHistory',
      run: async ({ path, query }, ctx) => ({
        body: await useCases.getRequestHistory(deps, ctx, path.requestId, useCases.pageOf(query)),
      }),
    }),
  });
}

