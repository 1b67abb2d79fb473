/** Builds both stacks of one stage into an app; bin/app.ts and the infra tests share it. */
import type { App } from 'aws-cdk-lib';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';
import { stageFromContext } from './stage-context.js';

export interface EvidenceStacks {
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

export const DEFAULT_REGION = 'eu-west-1';

export function buildApp(app: App): EvidenceStacks {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const settings = stageFromContext(app.node);
  // The region must be concrete (a TableV2 with a customer-managed key cannot render in a
  // region-agnostic stack); the account stays agnostic, so synth needs no credentials.
  const region = String(app.node.tryGetContext('region') ?? process.env['CDK_DEFAULT_REGION'] ?? DEFAULT_REGION);
  const env = { region };
  const prefix = `EvidenceRequests-${settings.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    settings,
    description: `Evidence requests (${settings.stage}): table, archive, buckets, keys, user pool`,
    terminationProtection: settings.stage === 'prod',
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    env,
    settings,
    stateful,
    description: `Evidence requests (${settings.stage}): functions, API, WAF, consumers, alarms, analytics`,
  });
  stateless.addStackDependency(stateful);
  return { stateful, stateless };
}
