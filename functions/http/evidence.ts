/** Lambda entry for the evidence routes: create, list, read, add a version, upload and download files. */
import * as useCases from '../core/use-cases/evidence.js';
import * as fileUseCases from '../core/use-cases/evidence-files.js';
import type { Operation } from '../core/permissions.js';
import { apiOperation, type OperationSpec } from '../middleware/api-route.js';
import type { EvidenceDeps } from './dependencies.js';
import { routeGroup } from './router.js';

export function createHandler(deps: EvidenceDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('evidence', {
    createEvidence: op({
      operation: 'createEvidence',
      run: async ({ body }, ctx) => {
        const evidence = await useCases.createEvidence(deps, ctx, body);
        return { body: evidence, headers: { Location: `/v1/evidence/${evidence.evidenceId}` } };
      },
    }),
    listEvidence: op({
      operation: 'listEvidence',
      run: async ({ query }, ctx) => ({ body: await useCases.listEvidence(deps, ctx, query) }),
    }),
    getEvidence: op({
      operation: 'getEvidence',
      run: async ({ path }, ctx) => ({ body: await useCases.getEvidence(deps, ctx, path.evidenceId) }),
    }),
    addEvidenceVersion: op({
      operation: 'addEvidenceVersion',
      run: async ({ path, body }, ctx) => ({ body: await useCases.addEvidenceVersion(deps, ctx, path.evidenceId, body) }),
    }),
    issueUploadUrl: op({
      operation: 'issueUploadUrl',
      run: async ({ path }, ctx) => ({ body: await fileUseCases.issueUploadUrl(deps, ctx, path.evidenceId, path.version) }),
    }),
    downloadEvidenceFile: op({
      operation: 'downloadEvidenceFile',
      run: async ({ path }, ctx) => ({ body: await fileUseCases.downloadEvidenceFile(deps, ctx, path.evidenceId, path.version) }),
    }),
  });
}

