/**
 * Backups beyond PITR: an AWS Backup plan (daily and weekly recovery points of the table
 * and the evidence bucket) into a locked vault, each copied to a vault in a second region
 * (BackupCopyStack), and the bucket that receives the scheduled native DynamoDB exports.
 *
 * Vault Lock: with `changeableFor` the lock turns COMPLIANCE after that cooling-off time
 * (nobody, root included, can then delete a recovery point early or lift the lock); without
 * it the lock stays GOVERNANCE. The stage's objectLockMode picks one, as for the archive.
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageSettings } from './stages.js';

/** Days each kind of recovery point is kept (in both regions). */
export const BACKUP_RETENTION = { dailyDays: 35, weeklyDays: 365 } as const;
/** AWS Backup's cooling-off period before a vault lock becomes immutable (at least 72 h). */
export const VAULT_LOCK_COOLING_OFF = Duration.days(3);
/** Native table exports are kept as long as the weekly recovery points. */
export const TABLE_EXPORT_RETENTION_DAYS = BACKUP_RETENTION.weeklyDays;

/** Vault names are fixed per stage so the source region can name the copy vault's ARN without a cross-region reference. */
export function backupVaultName(stage: string, role: 'primary' | 'copy'): string {
  return `evidence-requests-${stage}-${role}`;
}

function vaultLock(settings: StageSettings): backup.LockConfiguration {
  return {
    minRetention: Duration.days(7),
    maxRetention: Duration.days(BACKUP_RETENTION.weeklyDays),
    ...(settings.objectLockMode === 'COMPLIANCE' ? { changeableFor: VAULT_LOCK_COOLING_OFF } : {}),
  };
}

function lockedVault(scope: Construct, settings: StageSettings, role: 'primary' | 'copy'): backup.BackupVault {
  const key = new kms.Key(scope, 'BackupKey', {
    description: `Encrypts the ${role} backup vault of evidence requests (${settings.stage})`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return new backup.BackupVault(scope, 'Vault', {
    backupVaultName: backupVaultName(settings.stage, role),
    encryptionKey: key,
    lockConfiguration: vaultLock(settings),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

export interface BackupCopyStackProps extends StackProps {
  readonly settings: StageSettings;
}

/** The second region's locked vault: a regional outage or a lost primary vault leaves a copy. */
export class BackupCopyStack extends Stack {
  readonly vault: backup.BackupVault;
  /** ARN of the copy vault, rendered from fixed names (no cross-region reference needed). */
  readonly vaultArn: string;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, props);
    this.vault = lockedVault(this, props.settings, 'copy');
    this.vaultArn = `arn:${this.partition}:backup:${this.region}:${this.account}:backup-vault:${backupVaultName(props.settings.stage, 'copy')}`;
  }
}

export interface EvidenceBackupsProps {
  readonly settings: StageSettings;
  readonly tableArn: string;
  readonly tableKey: kms.IKey;
  readonly evidenceBucket: s3.IBucket;
  readonly evidenceKey: kms.IKey;
  /** The second region's vault (BackupCopyStack.vaultArn). */
  readonly copyVaultArn: string;
  readonly accessLogBucket: s3.IBucket;
}

export class EvidenceBackups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  readonly role: iam.Role;
  /** Receives the scheduled native exports of the table (ExportTableToPointInTime). */
  readonly exportBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBackupsProps) {
    super(scope, id);
    const { settings } = props;
    this.vault = lockedVault(this, settings, 'primary');
    const copyVault = backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', props.copyVaultArn);
    const copyFor = (days: number): backup.BackupPlanCopyActionProps[] => [{ destinationBackupVault: copyVault, deleteAfter: Duration.days(days) }];

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `evidence-requests-${settings.stage}`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: Duration.days(BACKUP_RETENTION.dailyDays),
          copyActions: copyFor(BACKUP_RETENTION.dailyDays),
        }),
        new backup.BackupPlanRule({
          ruleName: 'weekly',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '4', weekDay: 'SUN' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: Duration.days(BACKUP_RETENTION.weeklyDays),
          copyActions: copyFor(BACKUP_RETENTION.weeklyDays),
        }),
      ],
    });

    // AWS Backup's own managed policies: S3 backups need the S3 pair besides the default pair.
    const managed = [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup',
      'AWSBackupServiceRolePolicyForS3Restore',
    ];
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup of the evidence requests table and evidence bucket (${settings.stage})`,
      managedPolicies: managed.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    for (const name of managed) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: 'AWS Backup documents these managed policies as the permissions its service role needs for DynamoDB and S3 (https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html).',
      });
    }
    // Customer-managed keys: Backup reads the table and the bucket's objects through them.
    props.tableKey.grant(this.role, 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKey');
    props.evidenceKey.grant(this.role, 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey');
    this.plan.addSelection('Selection', {
      backupSelectionName: 'table-and-evidence',
      role: this.role,
      disableDefaultBackupPolicy: true,
      resources: [backup.BackupResource.fromArn(props.tableArn), backup.BackupResource.fromArn(props.evidenceBucket.bucketArn)],
    });

    this.exportBucket = new s3.Bucket(this, 'TableExportBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.tableKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'TableExportBucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-old-exports',
          expiration: Duration.days(TABLE_EXPORT_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}
