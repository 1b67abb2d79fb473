/**
 * The composition root's directory half (see root.ts): the identity directory (Cognito in
 * AWS, the local token issuer's user store locally) and the directory route group's
 * dependencies, apart because only that group carries the Cognito client.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityDirectory } from '../adapters/cognito-identity-directory.js';
import { LocalIdentityDirectory } from '../adapters/local-user-store.js';
import type { Configuration } from '../config/configuration.js';
import type { IdentityDirectory } from '../core/ports.js';
import { PRIVILEGED_ROLE_EVENT, type PrivilegedChangeSignal } from '../core/use-cases/directory.js';
import { logger } from '../observability/logger.js';
import type { DirectoryDeps } from './dependencies.js';
import { clientBase, perConfiguration } from './root.js';
import { inbox } from './notifications.js';
import { auditDeps, commentRepository, directoryRepository, evidenceRepository, idempotencyStore, requestRepository } from './table.js';

export const identityDirectory = /* @__PURE__ */ perConfiguration((config: Configuration): IdentityDirectory => {
  if (config.userStore) {
    if (!config.mail) throw new Error('A local user store needs a mail sender for its invitations: pass `mail` with `userStore`');
    return new LocalIdentityDirectory(config.userStore, config.mail);
  }
  return new CognitoIdentityDirectory(new CognitoIdentityProviderClient(clientBase(config)), config.userPoolId);
});

/**
 * One WARN line per change of an admin's or auditor's role (and per new admin or auditor):
 * the metric filter behind the privileged-role alarm (lib/monitoring.ts) matches its
 * `directory.event`.
 */
export const PRIVILEGED_ROLE_SIGNAL: PrivilegedChangeSignal = {
  privilegedRoleChanged(change) {
    logger.warn('privileged role changed', { directory: { event: PRIVILEGED_ROLE_EVENT, ...change } });
  },
};

export const directoryDeps = /* @__PURE__ */ perConfiguration(
  (config): DirectoryDeps => ({
    ...auditDeps(config),
    idempotency: idempotencyStore(config),
    directory: directoryRepository(config),
    identities: identityDirectory(config),
    requests: requestRepository(config),
    evidence: evidenceRepository(config),
    comments: commentRepository(config),
    inbox: inbox(config),
    signals: PRIVILEGED_ROLE_SIGNAL,
  }),
);
