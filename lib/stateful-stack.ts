/**
 * Everything that holds data and must outlive any deployment: the table, the buckets,
 * the keys and the user pool. Every resource here is retained and deletion-protected.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PACK_RETENTION_DAYS } from '../functions/core/packs.js';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../functions/config/table.js';
import { EvidenceBackups } from './backups.js';
import { BucketDataTrail, daysInYears } from './cloudtrail.js';
import { EvidenceFileStorage } from './evidence-files.js';
import { Identity, managedLoginBaseUrl } from './identity.js';
import { WebConsole } from './web-console.js';
import { KeyProtection } from './key-protection.js';
import type { StageSettings } from './stages.js';

/** After this many days archive objects move to Glacier Instant Retrieval (still queryable by Athena). */
export const ARCHIVE_COLD_AFTER_DAYS = 90;

export interface StatefulStackProps extends StackProps {
  readonly settings: StageSettings;
  /** The second region's backup vault (BackupCopyStack.vaultArn). */
  readonly backupCopyVaultArn: string;
}

export class StatefulStack extends Stack {
  readonly settings: StageSettings;
  readonly table: dynamodb.TableV2;
  readonly tableKey: kms.Key;
  /** Write-once audit archive (Object Lock COMPLIANCE). */
  readonly archiveBucket: s3.Bucket;
  readonly archiveKey: kms.Key;
  /** Files uploaded through presigned PUT URLs. */
  readonly evidenceBucket: s3.Bucket;
  readonly evidenceKey: kms.Key;
  /** Pack ZIPs (KMS, never public, expired by lifecycle after 30 days). */
  readonly packsBucket: s3.Bucket;
  readonly packsKey: kms.Key;
  /** Athena query results. */
  readonly resultsBucket: s3.Bucket;
  /** S3 server access logs of the other buckets. */
  readonly accessLogBucket: s3.Bucket;
  /** Asymmetric key that signs the archive manifests. */
  readonly signingKey: kms.Key;
  /** Encrypts log groups, the alarm topic and the failure queues. */
  readonly opsKey: kms.Key;
  /**
   * The archiver event source's on-failure destination: one object per abandoned batch, the
   * whole invocation record (payload included), for `npm run archive:redrive`.
   */
  readonly archiverFailureBucket: s3.Bucket;
  readonly identity: Identity;
  /** The web console's bucket and CloudFront distribution. */
  readonly webConsole: WebConsole;
  /** Keys the API's sealed cursors (AES-256-GCM); the API functions read it once per container. */
  readonly cursorKeySecret: secretsmanager.Secret;
  readonly keyProtection: KeyProtection;
  readonly backups: EvidenceBackups;
  readonly dataTrail: BucketDataTrail;
  /**
   * Export names of the ARNs other stacks put in IAM policies. Importing them by a name
   * we chose keeps the rendered ARNs stable, so cdk-nag findings on them can be
   * acknowledged one by one.
   */
  readonly exports: {
    readonly tableArn: string;
    readonly tableName: string;
    readonly archiveBucketArn: string;
    readonly evidenceBucketArn: string;
    readonly resultsBucketArn: string;
    readonly archiverFailureBucketArn: string;
    readonly tableExportBucketArn: string;
    readonly consoleOrigin: string;
    readonly packsBucketArn: string;
  };

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.settings = props.settings;

    const dataKey = (keyId: string, description: string): kms.Key =>
      new kms.Key(this, keyId, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    this.tableKey = dataKey('TableKey', 'Encrypts the evidence requests table');
    this.archiveKey = dataKey('ArchiveKey', 'Encrypts the audit archive and Athena results');
    this.evidenceKey = dataKey('EvidenceKey', 'Encrypts uploaded evidence files');
    this.packsKey = dataKey('PacksKey', 'Encrypts pack ZIPs');
    this.opsKey = dataKey('OpsKey', 'Encrypts log groups, the alarm topic and failure queues');
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted topic only if they may use the key.
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.signingKey = new kms.Key(this, 'ManifestSigningKey', {
      description: 'Signs audit archive manifests (ECDSA P-256); rotation is not available for asymmetric keys',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.tableKey),
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        ...(index.projection === 'ALL'
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }),
      })),
    });

    // Server access logs cannot be delivered to an SSE-KMS bucket, so this one uses SSE-S3.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          // Who read an archived object is evidence as long as the object itself.
          id: 'expire-access-logs',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(ARCHIVE_COLD_AFTER_DAYS) }],
          expiration: Duration.days(daysInYears(props.settings.retentionYears)),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket itself; logging it into itself would loop.',
    });

    const secureBucket = (bucketId: string, key: kms.IKey, extra: Partial<s3.BucketProps>): s3.Bucket =>
      new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        versioned: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogBucket,
        serverAccessLogsPrefix: `${bucketId}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        autoDeleteObjects: false,
        ...extra,
      });

    this.archiveBucket = secureBucket('ArchiveBucket', this.archiveKey, {
      objectLockEnabled: true,
      lifecycleRules: [
        {
          id: 'colder-storage',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(ARCHIVE_COLD_AFTER_DAYS) }],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(ARCHIVE_COLD_AFTER_DAYS) },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    // Whole years, not 365-day multiples (which fall short by the leap days); the construct
    // renders only Days, so the retention is set on the L1 resource.
    (this.archiveBucket.node.defaultChild as s3.CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: props.settings.objectLockMode, years: props.settings.retentionYears } },
    };
    // Defence in depth on top of Object Lock: nobody may even add delete markers or
    // touch retention settings, whatever their IAM policy says.
    this.archiveBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyArchiveTampering',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutObjectRetention',
          's3:PutObjectLegalHold',
          's3:BypassGovernanceRetention',
        ],
        resources: [this.archiveBucket.bucketArn, this.archiveBucket.arnForObjects('*')],
      }),
    );

    this.webConsole = new WebConsole(this, 'WebConsole', { accessLogBucket: this.accessLogBucket, authBaseUrl: managedLoginBaseUrl(props.settings, this) });
    // The console PUTs files straight to their presigned URLs.
    this.evidenceBucket = secureBucket('EvidenceBucket', this.evidenceKey, {
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: [this.webConsole.origin, ...props.settings.allowedOrigins], allowedHeaders: ['*'], maxAge: 3000 }],
    });

    new EvidenceFileStorage(this, 'EvidenceFiles', { bucket: this.evidenceBucket, key: this.evidenceKey });

    // A pack's ZIP is kept 30 days (API.md 1.1, "Packs"); the pack record and its audit stay in the table.
    this.packsBucket = secureBucket('PacksBucket', this.packsKey, {
      lifecycleRules: [
        { id: 'expire-pack-zips', expiration: Duration.days(PACK_RETENTION_DAYS), noncurrentVersionExpiration: Duration.days(1) },
        { id: 'abort-incomplete-pack-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.resultsBucket = secureBucket('AthenaResultsBucket', this.archiveKey, {
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
    });

    this.archiverFailureBucket = secureBucket('ArchiverFailureBucket', this.opsKey, {
      lifecycleRules: [{ id: 'expire-failure-records', expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
    });
    // EventBridge notifications straight on the L1 (the construct's route is a custom-resource Lambda):
    // each new failure record triggers the monitoring rule.
    (this.archiverFailureBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    // EventBridge rules publish to the KMS-encrypted alarm topic (key tampering, failure records).
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.identity = new Identity(this, 'Identity', { settings: props.settings, logKey: this.opsKey, consoleUrl: this.webConsole.origin });
    this.keyProtection = new KeyProtection(this, 'KeyProtection', { settings: props.settings, keys: [this.archiveKey, this.signingKey] });
    this.backups = new EvidenceBackups(this, 'Backups', {
      settings: props.settings,
      tableArn: this.table.tableArn,
      tableKey: this.tableKey,
      evidenceBucket: this.evidenceBucket,
      evidenceKey: this.evidenceKey,
      copyVaultArn: props.backupCopyVaultArn,
      accessLogBucket: this.accessLogBucket,
    });
    this.dataTrail = new BucketDataTrail(this, 'DataTrail', {
      settings: props.settings,
      buckets: [this.archiveBucket, this.evidenceBucket],
      accessLogBucket: this.accessLogBucket,
    });

    this.cursorKeySecret = new secretsmanager.Secret(this, 'CursorKey', {
      description: 'Keys the sealed pagination cursors of the API (random, never shown to anyone)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.cursorKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A random key of the stack\'s own, no credential of another system: rotating it only voids the cursors clients hold (they start again from page one), so it is replaced by hand if ever exposed.',
    });

    const exported = (outputId: string, value: string): string => {
      const exportName = `${this.stackName}-${outputId}`;
      new CfnOutput(this, outputId, { value, exportName });
      return exportName;
    };
    this.exports = {
      tableArn: exported('TableArn', this.table.tableArn),
      tableName: exported('TableNameExport', this.table.tableName),
      archiveBucketArn: exported('ArchiveBucketArn', this.archiveBucket.bucketArn),
      evidenceBucketArn: exported('EvidenceBucketArn', this.evidenceBucket.bucketArn),
      resultsBucketArn: exported('AthenaResultsBucketArn', this.resultsBucket.bucketArn),
      archiverFailureBucketArn: exported('ArchiverFailureBucketArn', this.archiverFailureBucket.bucketArn),
      tableExportBucketArn: exported('TableExportBucketArn', this.backups.exportBucket.bucketArn),
      consoleOrigin: exported('WebConsoleOrigin', this.webConsole.origin),
      packsBucketArn: exported('PacksBucketArn', this.packsBucket.bucketArn),
    };
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archiveBucket.bucketName });
    new CfnOutput(this, 'EvidenceBucketName', { value: this.evidenceBucket.bucketName });
    new CfnOutput(this, 'PacksBucketName', { value: this.packsBucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'WebClientId', { value: this.identity.webClient.userPoolClientId });
    new CfnOutput(this, 'MachineClientId', { value: this.identity.machineClient.userPoolClientId });
    new CfnOutput(this, 'ManagedLoginDomain', { value: this.identity.domain.baseUrl() });
    new CfnOutput(this, 'WebConsoleUrl', { value: `${this.webConsole.origin}/` });
    new CfnOutput(this, 'WebConsoleBucketName', { value: this.webConsole.bucket.bucketName });
  }
}
