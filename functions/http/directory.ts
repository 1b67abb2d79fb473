/** The route group of the directory: organisations, users, and privacy requests (export, erasure). */
import type { DirectoryDeps } from '../composition/dependencies.js';
import type { Operation } from '../core/permissions.js';
import * as useCases from '../core/use-cases/directory.js';
import { apiOperation, type OperationSpec } from '../middleware/api-operation.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: DirectoryDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('directory', {
    listOrganisations: op({ operation: 'listOrganisations', run: async (input, ctx) => ({ body: await useCases.listOrganisations(deps, ctx, input) }) }),
    getOrganisation: op({ operation: 'getOrganisation', run: async (input, ctx) => ({ body: await useCases.getOrganisation(deps, ctx, input) }) }),
    createOrganisation: op({
      operation: 'createOrganisation',
      run: async (input, ctx) => {
        const org = await useCases.createOrganisation(deps, ctx, input);
        return { body: org, headers: { Location: `/v1/organisations/${org.orgId}` } };
      },
    }),
    suspendOrganisation: op({ operation: 'suspendOrganisation', run: async (input, ctx) => ({ body: await useCases.suspendOrganisation(deps, ctx, input) }) }),
    listUsers: op({ operation: 'listUsers', run: async (input, ctx) => ({ body: await useCases.listUsers(deps, ctx, input) }) }),
    createUser: op({
      operation: 'createUser',
      run: async (input, ctx) => {
        const user = await useCases.createUser(deps, ctx, input);
        return { body: user, headers: { Location: `/v1/users/${user.userId}` } };
      },
    }),
    changeUserRole: op({ operation: 'changeUserRole', run: async (input, ctx) => ({ body: await useCases.changeUserRole(deps, ctx, input) }) }),
    disableUser: op({ operation: 'disableUser', run: async (input, ctx) => ({ body: await useCases.setUserEnabled(deps, ctx, 'disableUser', input) }) }),
    enableUser: op({ operation: 'enableUser', run: async (input, ctx) => ({ body: await useCases.setUserEnabled(deps, ctx, 'enableUser', input) }) }),
    exportUserData: op({ operation: 'exportUserData', run: async (input, ctx) => ({ body: await useCases.exportUserData(deps, ctx, input) }) }),
    eraseUser: op({ operation: 'eraseUser', run: async (input, ctx) => ({ body: await useCases.eraseUser(deps, ctx, input) }) }),
  });
}
