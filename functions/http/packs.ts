/** The route group of packs and share links: create, list, read, download; links: create, list, revoke, and their anonymous use. */
import type { PacksDeps } from '../composition/dependencies.js';
import type { Operation } from '../core/permissions.js';
import * as useCases from '../core/use-cases/packs.js';
import { apiOperation, type OperationSpec } from '../middleware/api-operation.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: PacksDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('packs', {
    createPack: op({
      operation: 'createPack',
      run: async (input, ctx) => {
        const pack = await useCases.createPack(deps, ctx, input);
        return { body: pack, headers: { Location: `/v1/packs/${pack.packId}` } };
      },
    }),
    listPacks: op({ operation: 'listPacks', run: async (input, ctx) => ({ body: await useCases.listPacks(deps, ctx, input) }) }),
    getPack: op({ operation: 'getPack', run: async (input, ctx) => ({ body: await useCases.getPack(deps, ctx, input) }) }),
    downloadPack: op({ operation: 'downloadPack', run: async (input, ctx) => ({ body: await useCases.downloadPack(deps, ctx, input) }) }),
    createShareLink: op({ operation: 'createShareLink', run: async (input, ctx) => ({ body: await useCases.createShareLink(deps, ctx, input) }) }),
    listShareLinks: op({ operation: 'listShareLinks', run: async (input, ctx) => ({ body: await useCases.listShareLinks(deps, ctx, input) }) }),
    revokeShareLink: op({ operation: 'revokeShareLink', run: async (input, ctx) => ({ body: await useCases.revokeShareLink(deps, ctx, input) }) }),
    accessShareLink: op({ operation: 'accessShareLink', run: async (input, ctx) => ({ body: await useCases.accessShareLink(deps, ctx, input) }) }),
  });
}
