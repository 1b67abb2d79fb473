/** The route group of the evidence routes: create, list, read, add a version, upload and download files. */
import type { EvidenceDeps } from '../composition/dependencies.js';
import * as fileUseCases from '../core/use-cases/evidence-files.js';
import type { Operation } from '../core/permissions.js';
import * as useCases from '../core/use-cases/evidence.js';
import { apiOperation, type OperationSpec } from '../middleware/api-operation.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: EvidenceDeps) {
  const op = <O extends Operation>(spec: OperationSpec<O>) => apiOperation(spec, deps);
  return routeGroup('evidence', {
    createEvidence: op({
      operation: 'createEvidence',
      run: async (input, ctx) => {
        const evidence = await useCases.createEvidence(deps, ctx, input);
        return { body: evidence, headers: { Location: `/v1/evidence/${evidence.evidenceId}` } };
      },
    }),
    listEvidence: op({ operation: 'listEvidence', run: async (input, ctx) => ({ body: await useCases.listEvidence(deps, ctx, input) }) }),
    getEvidence: op({ operation: 'getEvidence', run: async (input, ctx) => ({ body: await useCases.getEvidence(deps, ctx, input) }) }),
    addEvidenceVersion: op({
      operation: 'addEvidenceVersion',
      run: async (input, ctx) => ({ body: await useCases.addEvidenceVersion(deps, ctx, input) }),
    }),
    issueUploadUrl: op({
      operation: 'issueUploadUrl',
      run: async (input, ctx) => ({ body: await fileUseCases.issueUploadUrl(deps, ctx, input) }),
    }),
    downloadEvidenceFile: op({
      operation: 'downloadEvidenceFile',
      run: async (input, ctx) => ({ body: await fileUseCases.downloadEvidenceFile(deps, ctx, input) }),
    }),
  });
}
