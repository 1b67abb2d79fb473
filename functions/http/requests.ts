/** The route group of the request routes: create, list, read, fulfil, review, cancel, history, comments. */
import * as useCases from '../core/use-cases/requests.js';
import type { Operation } from '../core/permissions.js';
import { apiOperation, type OperationSpec } from '../middleware/api-operation.js';
import type { RequestsDeps } from '../composition/dependencies.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: RequestsDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('requests', {
    createRequest: op({
      operation: 'createRequest',
      run: async (input, ctx) => {
        const request = await useCases.createRequest(deps, ctx, input);
        return { body: request, headers: { Location: `/v1/requests/${request.requestId}` } };
      },
    }),
    listRequests: op({
      operation: 'listRequests',
      run: async (input, ctx) => ({ body: await useCases.listRequests(deps, ctx, 'listRequests', input) }),
    }),
    listFactoryRequests: op({
      operation: 'listFactoryRequests',
      run: async (input, ctx) => ({ body: await useCases.listRequests(deps, ctx, 'listFactoryRequests', input) }),
    }),
    getRequest: op({
      operation: 'getRequest',
      run: async (input, ctx) => ({ body: await useCases.getRequest(deps, ctx, input) }),
    }),
    fulfilItem: op({
      operation: 'fulfilItem',
      run: async (input, ctx) => ({ body: await useCases.fulfilItem(deps, ctx, input) }),
    }),
    reviewItem: op({
      operation: 'reviewItem',
      run: async (input, ctx) => ({ body: await useCases.reviewItem(deps, ctx, input) }),
    }),
    cancelRequest: op({
      operation: 'cancelRequest',
      run: async (input, ctx) => ({ body: await useCases.cancelRequest(deps, ctx, input) }),
    }),
    getRequestHistory: op({
      operation: 'getRequestHistory',
      run: async (input, ctx) => ({ body: await useCases.getRequestHistory(deps, ctx, input) }),
    }),
    createComment: op({
      operation: 'createComment',
      run: async (input, ctx) => ({ body: await useCases.createComment(deps, ctx, input) }),
    }),
    listComments: op({
      operation: 'listComments',
      run: async (input, ctx) => ({ body: await useCases.listComments(deps, ctx, input) }),
    }),
  });
}

