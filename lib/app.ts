/** Builds both stacks of one stage into an app; bin/app.ts and the infra tests share it. */
import type { App } from 'aws-cdk-lib';
import { BackupCopyStack } from './backups.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';
import { stageFromContext } from './stage-context.js';

export interface EvidenceStacks {
  /** The second-region vault that receives a copy of every backup. */
  readonly backupCopy: BackupCopyStack;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Feature flags this app relies on (cdk.json carries none). */
export const FEATURE_FLAGS: Record<string, unknown> = {
  // Access-log delivery by bucket policy instead of ACLs, so every bucket enforces owner-only objects.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Named exports lock the stateful stack's outputs while the stateless stack imports them.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

export function buildApp(app: App): EvidenceStacks {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const settings = stageFromContext(app.node);
  // The region is the stage's (lib/stages.ts, or -c region=...), never CDK_DEFAULT_REGION:
  // the CLI always sets that one (to us-east-1 when nothing is configured), so it would
  // silently decide. It must be concrete anyway (a TableV2 with a customer-managed key cannot
  // render region-agnostic); the account stays agnostic, so synth needs no credentials.
  const env = { region: settings.region };
  const prefix = `EvidenceRequests-${settings.stage}`;
  const backupCopy = new BackupCopyStack(app, `${prefix}-BackupCopy`, {
    env: { region: settings.backupCopyRegion },
    settings,
    description: `Evidence requests (${settings.stage}): second-region backup vault`,
    terminationProtection: settings.stage === 'prod',
  });
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    settings,
    backupCopyVaultArn: backupCopy.vaultArn,
    description: `Evidence requests (${settings.stage}): table, archive, buckets, keys, user pool`,
    terminationProtection: settings.stage === 'prod',
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    env,
    settings,
    stateful,
    description: `Evidence requests (${settings.stage}): functions, API, WAF, consumers, alarms, analytics`,
  });
  stateful.addStackDependency(backupCopy);
  stateless.addStackDependency(stateful);
  return { backupCopy, stateful, stateless };
}
