/**
 * The archive and signing keys outlive any admin's mistake: their key policies deny the
 * destructive key actions to everyone but one named break-glass role (MFA required to assume
 * it), and an EventBridge rule on CloudTrail's KMS management events alarms on any attempt,
 * refused or not, by anyone.
 *
 * Without the archive key the COMPLIANCE archive is unreadable; without the signing key
 * its manifests are unverifiable, and Object Lock cannot help with either.
 * PutKeyPolicy is watched but not denied: KMS refuses a policy that locks out the principal
 * setting it (the policy lockout safety check), and CloudFormation must keep updating it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type AddAlarm, EventAlarm } from './event-alarm.js';
import type { StageSettings } from './stages.js';

/** Actions no one but the break-glass role may call on a protected key. */
export const DESTRUCTIVE_KEY_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DeleteImportedKeyMaterial', 'kms:DisableKeyRotation'];
/** CloudTrail event names the watch alarms on (any key of the account). */
export const WATCHED_KEY_EVENTS = ['ScheduleKeyDeletion', 'DisableKey', 'DeleteImportedKeyMaterial', 'DisableKeyRotation', 'PutKeyPolicy'];

export interface KeyProtectionProps {
  readonly settings: StageSettings;
  readonly keys: readonly kms.Key[];
}

export class KeyProtection extends Construct {
  /** The only principal the key policies let schedule deletion or disable the keys. */
  readonly breakGlassRole: iam.Role;

  constructor(scope: Construct, id: string, props: KeyProtectionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.breakGlassRole = new iam.Role(this, 'BreakGlassRole', {
      roleName: props.settings.breakGlassRoleName,
      description: 'Break glass: the only principal that may schedule deletion of, or disable, the audit archive and manifest signing keys',
      assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(1),
    });
    const breakGlassArn = `arn:${stack.partition}:iam::${stack.account}:role/${props.settings.breakGlassRoleName}`;
    for (const key of props.keys) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyKeyDestructionButBreakGlass',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: DESTRUCTIVE_KEY_ACTIONS,
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassArn } },
        }),
      );
      key.grant(this.breakGlassRole, 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:DisableKey', 'kms:EnableKey', 'kms:DescribeKey');
    }
  }
}

export interface KeyTamperWatchProps {
  readonly topic: sns.ITopic;
  readonly addAlarm: AddAlarm;
}

/** EventBridge rule on CloudTrail KMS management events: any destructive attempt reaches the alarm topic. */
export class KeyTamperWatch extends EventAlarm {
  constructor(scope: Construct, id: string, props: KeyTamperWatchProps) {
    super(scope, id, {
      description: 'Any attempt to delete, disable or re-police a KMS key (CloudTrail management events)',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: WATCHED_KEY_EVENTS },
      },
      topic: props.topic,
      addAlarm: props.addAlarm,
      alarmId: 'KeyTamperAttempts',
      alarmDescription: `Someone tried ${WATCHED_KEY_EVENTS.join(', ')} on a KMS key: check CloudTrail for who and which key`,
    });
  }
}
