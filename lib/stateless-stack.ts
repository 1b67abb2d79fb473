/**
 * Everything that can be replaced without losing data: the functions (one per route
 * group and per consumer), the API with its WAF, the stream consumer, the hourly export,
 * alarms, dashboard and the Athena / Glue definitions.
 */
import { CfnOutput, Duration, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTE_GROUPS, type RouteGroup } from '../functions/api/routes.js';
import { ARCHIVE_BATCH_PARTITION } from '../functions/archive/ports.js';
import { ARCHIVE_PREFIXES } from '../functions/schemas/archive.js';
import { EVIDENCE_KEY_PREFIX } from '../functions/core/evidence-files.js';
import { Analytics } from './analytics.js';
import { EvidenceApi } from './api.js';
import { AuditorRole } from './auditor-role.js';
import { BackupJobs } from './backup-jobs.js';
import { KeyTamperWatch } from './key-protection.js';
import { WafLogging } from './waf-logging.js';
import { EvidenceFileVerifier } from './evidence-files.js';
import { PackBuilder } from './packs.js';
import { PACK_KEY_PREFIX } from '../functions/core/packs.js';
import { ENV } from '../functions/config/environment.js';
import { METRIC_NAMESPACE, Monitoring, PRIVILEGED_ROLE_FILTER_PATTERN } from './monitoring.js';
import { Notifications } from './notifications.js';
import { acknowledgeWildcardResources } from './nag.js';
import { type FunctionEnvironment, ServiceFunction } from './service-function.js';
import type { StatefulStack } from './stateful-stack.js';
import type { StageSettings } from './stages.js';
import { denyItemsUnderPrefix, grantItemsInPartition, grantReadItems, grantReadWriteItems, grantSessionReads, grantWritesUnderPrefix } from './table-access.js';

/** Archive prefixes the export lists (partitions to seal; manifests for a clean 404 on a missing key). */
const EXPORT_LISTED_PREFIXES = [ARCHIVE_PREFIXES.audit, ARCHIVE_PREFIXES.changes, ARCHIVE_PREFIXES.manifests];

/** Partition-key prefixes of items that reader functions and the export may write. */
export const AUDIT_KEY_PREFIX = 'AUDIT#';
export const SYSTEM_KEY_PREFIX = 'SYSTEM#';
/** Username reservations (functions/adapters/dynamo-items.ts `keys.username`). */
export const USERNAME_KEY_PREFIX = 'USERNAME#';
/** Personal-data keys of the vault (functions/adapters/dynamo-personal-data-vault.ts). */
export const USERKEY_KEY_PREFIX = 'USERKEY#';

/** How each route group touches the table. */
/** `sessions`: only the user and organisation items every route group's session check reads. */
const GROUP_ACCESS: Readonly<Record<RouteGroup, 'read-write' | 'read-and-audit' | 'sessions'>> = {
  requests: 'read-write',
  evidence: 'read-write',
  audit: 'read-and-audit',
  public: 'sessions',
  notifications: 'read-write',
  directory: 'read-write',
  packs: 'read-write',
};

/** The Cognito admin actions the directory function calls on the user pool, and nothing else. */
export const DIRECTORY_COGNITO_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminDeleteUserAttributes',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:ListUsersInGroup',
] as const;

export interface StatelessStackProps extends StackProps {
  readonly settings: StageSettings;
  readonly stateful: StatefulStack;
}

export class StatelessStack extends Stack {
  readonly apiFunctions: Record<RouteGroup, ServiceFunction>;
  readonly archiver: ServiceFunction;
  readonly exporter: ServiceFunction;
  readonly api: EvidenceApi;
  readonly exportFailures: sqs.Queue;
  readonly monitoring: Monitoring;
  readonly analytics: Analytics;
  readonly backupJobs: BackupJobs;
  readonly auditor: AuditorRole;
  /** Checks uploaded evidence files (and GuardDuty's findings) and marks them AVAILABLE or REJECTED. */
  readonly fileVerifier: EvidenceFileVerifier;
  /** The notifier, webhook deliveries, SES and the reminder schedule. */
  readonly notifications: Notifications;
  /** Builds pack ZIPs from the pack job queue. */
  readonly packBuilder: PackBuilder;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;
    const { table, tableKey, opsKey } = stateful;
    const tableArn = Fn.importValue(stateful.exports.tableArn);
    const archiveArn = Fn.importValue(stateful.exports.archiveBucketArn);
    const evidenceArn = Fn.importValue(stateful.exports.evidenceBucketArn);
    // Buckets by their named exports, so policies (and cdk-nag findings) render stable names.
    const importedBucket = (bucketId: string, exportName: string, key?: kms.IKey) =>
      s3.Bucket.fromBucketAttributes(this, bucketId, { bucketArn: Fn.importValue(exportName), ...(key && { encryptionKey: key }) });
    const archiveBucket = importedBucket('ArchiveBucketRef', stateful.exports.archiveBucketArn, stateful.archiveKey);
    const failureBucket = importedBucket('ArchiverFailureBucketRef', stateful.exports.archiverFailureBucketArn, opsKey);
    const tableIndexes = `Resource::${stateful.exports.tableArn}/index/*`;
    const pool = stateful.identity;
    const failureQueue = (scope: Construct, queueId: string): sqs.Queue => {
      const queue = new sqs.Queue(scope, queueId, { encryptionMasterKey: opsKey, enforceSSL: true, retentionPeriod: Duration.days(14) });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the failure destination (dead letter) of a consumer; its depth is alarmed.',
      });
      return queue;
    };

    const apiEnvironment: FunctionEnvironment = {
      userPoolId: pool.userPool.userPoolId,
      clientIds: pool.clientIds.join(','),
    };
    const tableEnvironment: FunctionEnvironment = { tableName: table.tableName, auditTtlDays: String(settings.auditTtlDays) };

    const apiFunctions = {} as Record<RouteGroup, ServiceFunction>;
    for (const group of ROUTE_GROUPS) {
      const access = GROUP_ACCESS[group];
      const fn = new ServiceFunction(this, `Api-${group}`, {
        handler: group,
        description: `API route group ${group}`,
        timeout: Duration.seconds(group === 'public' ? 5 : 10),
        memorySize: group === 'public' ? 512 : 1024,
        logKey: opsKey,
        environment: {
          ...apiEnvironment,
          ...tableEnvironment,
          ...(access === 'sessions' ? {} : { cursorKeySecretArn: stateful.cursorKeySecret.secretArn }),
          ...(group === 'evidence' ? { evidenceBucket: stateful.evidenceBucket.bucketName } : {}),
          ...(group === 'packs' ? { packsBucket: stateful.packsBucket.bucketName } : {}),
        },
      });
      if (access !== 'sessions') stateful.cursorKeySecret.grantRead(fn.role);
      if (access === 'sessions') grantSessionReads(fn.role, tableArn, tableKey);
      if (access === 'read-write') grantReadWriteItems(fn.role, tableArn, tableKey);
      if (access === 'read-and-audit') {
        grantReadItems(fn.role, tableArn, tableKey);
        grantWritesUnderPrefix(fn.role, tableArn, tableKey, AUDIT_KEY_PREFIX, ['dynamodb:PutItem']);
        // Its audit events are sealed with the caller's personal-data key, made on first use.
        grantWritesUnderPrefix(fn.role, tableArn, tableKey, USERKEY_KEY_PREFIX, ['dynamodb:PutItem']);
      }
      // The manifest head and the archive batch ranges belong to the archive functions alone.
      denyItemsUnderPrefix(fn.role, tableArn, SYSTEM_KEY_PREFIX);
      apiFunctions[group] = fn;
    }
    // Presigned PUT and GET URLs are signed by the evidence function's role: it must be allowed the calls themselves.
    const evidenceFn = apiFunctions.evidence;
    evidenceFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'PresignEvidenceFiles', actions: ['s3:PutObject', 's3:GetObject'], resources: [`${evidenceArn}/${EVIDENCE_KEY_PREFIX}*`] }),
    );
    // SSE-KMS PUTs need a data key, presigned GETs of SSE-KMS objects a decrypt (kms:Encrypt is never called for S3 objects).
    stateful.evidenceKey.grant(evidenceFn.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    const INDEX_REASON = 'Queries the table\'s own global secondary indexes (gsi1..gsi8); the ARN prefix is this table\'s.';
    // Erasure frees the username: its reservation (whose key is the name itself) is the one item any API function deletes.
    grantWritesUnderPrefix(apiFunctions.directory.role, tableArn, tableKey, USERNAME_KEY_PREFIX, ['dynamodb:DeleteItem']);
    // The directory administers identities in this user pool only (no pool-wide or account-wide Cognito rights).
    apiFunctions.directory.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'AdministerUsers', actions: [...DIRECTORY_COGNITO_ACTIONS], resources: [pool.userPool.userPoolArn] }),
    );
    for (const fn of [apiFunctions.requests, apiFunctions.evidence, apiFunctions.audit, apiFunctions.notifications, apiFunctions.directory, apiFunctions.packs]) acknowledge(fn, tableIndexes, INDEX_REASON);
    // Presigned GETs of pack ZIPs are signed by the packs function's role: it may read them, nothing else of the bucket.
    const packsFn = apiFunctions.packs;
    const packsArn = Fn.importValue(stateful.exports.packsBucketArn);
    packsFn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PresignPackZips', actions: ['s3:GetObject'], resources: [`${packsArn}/${PACK_KEY_PREFIX}*`] }));
    stateful.packsKey.grant(packsFn.role, 'kms:Decrypt');
    acknowledge(packsFn, `Resource::${stateful.exports.packsBucketArn}/${PACK_KEY_PREFIX}*`, 'Presigned GETs of pack ZIPs (packs/<packId>.zip); GetObject only.');
    acknowledge(apiFunctions.evidence, `Resource::${stateful.exports.evidenceBucketArn}/${EVIDENCE_KEY_PREFIX}*`, 'Presigned PUTs and GETs of evidence files under server-chosen keys (evidence/<factory>/<evidence>/v<n>/<random id>); no delete, no tagging.');
    this.apiFunctions = apiFunctions;

    // Stream consumer.
    this.archiver = new ServiceFunction(this, 'Archiver', {
      handler: 'archiver',
      description: 'Archives table stream records to the write-once audit archive',
      timeout: Duration.seconds(60),
      memorySize: 1024,
      logKey: opsKey,
      environment: { archiveBucket: stateful.archiveBucket.bucketName, tableName: table.tableName },
    });
    // Batch ranges (`SYSTEM#archive-batch` items): read and conditionally create, nothing else.
    grantItemsInPartition(this.archiver.role, tableArn, tableKey, ARCHIVE_BATCH_PARTITION, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    this.archiver.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteArchiveObjects',
        actions: ['s3:PutObject'],
        resources: [`${archiveArn}/${ARCHIVE_PREFIXES.audit}*`, `${archiveArn}/${ARCHIVE_PREFIXES.changes}*`],
      }),
    );
    stateful.archiveKey.grant(this.archiver.role, 'kms:GenerateDataKey');
    this.archiver.function.addEventSource(
      new sources.DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        // Lambda hands over a batch at 1,000 records (or its 6 MB payload limit), else when the
        // window below closes. The archiver writes one object per batch and day partition, so a
        // burst lands in a few large objects instead of one per 100 records (fewer PUTs, better
        // gzip, cheaper Athena scans). The price is lag: below ~200 events/s per shard an event
        // reaches the archive up to 5 s after its write (plus polling). That is immaterial next to
        // the 5 min iterator-age alarm and the export's 5 min settle, and the trail itself is in
        // the table at once (same transaction); a longer window would only add lag, a shorter one
        // more objects for steady traffic.
        batchSize: 1000,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        retryAttempts: 10,
        // The stream keeps records 24 h; give up well before. The failure record in S3 holds the
        // whole batch, so `npm run archive:redrive` can replay it after the stream dropped it.
        maxRecordAge: Duration.hours(12),
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new PutOnlyS3OnFailureDestination(failureBucket),
      }),
    );
    for (const prefix of [ARCHIVE_PREFIXES.audit, ARCHIVE_PREFIXES.changes]) {
      acknowledge(this.archiver, `Resource::${stateful.exports.archiveBucketArn}/${prefix}*`, `New objects under ${prefix} (one per batch and day); PutObject only: no delete, no retention change.`);
    }

    // Hourly export: manifests, signatures, reconciliation.
    this.exportFailures = failureQueue(this, 'ExportFailures');
    this.exporter = new ServiceFunction(this, 'Export', {
      handler: 'export',
      description: 'Seals archived objects into signed, chained manifests and reconciles table and archive',
      timeout: Duration.minutes(10),
      memorySize: 1024,
      logKey: opsKey,
      // No reserved concurrency unless the stage asks: the manifest head's conditional write
      // already refuses a second export's chain, and reserving fails deploys in new accounts.
      ...(settings.exportReservedConcurrency !== undefined && { reservedConcurrentExecutions: settings.exportReservedConcurrency }),
      environment: {
        ...tableEnvironment,
        archiveBucket: stateful.archiveBucket.bucketName,
        manifestSigningKeyId: stateful.signingKey.keyId,
      },
    });
    const exportRole = this.exporter.role;
    exportRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListArchive',
        actions: ['s3:ListBucket'],
        resources: [archiveArn],
        conditions: { StringLike: { 's3:prefix': EXPORT_LISTED_PREFIXES.map((prefix) => `${prefix}*`) } },
      }),
    );
    exportRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadArchive', actions: ['s3:GetObject'], resources: [`${archiveArn}/*`] }));
    exportRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteManifests', actions: ['s3:PutObject'], resources: [`${archiveArn}/${ARCHIVE_PREFIXES.manifests}*`] }),
    );
    stateful.archiveKey.grant(exportRole, 'kms:Decrypt', 'kms:GenerateDataKey');
    stateful.signingKey.grant(exportRole, 'kms:Sign', 'kms:GetPublicKey');
    grantReadItems(exportRole, tableArn, tableKey);
    // The manifest head is replaced by a conditional PutItem; the heartbeat is an audit event.
    grantWritesUnderPrefix(exportRole, tableArn, tableKey, SYSTEM_KEY_PREFIX, ['dynamodb:PutItem']);
    grantWritesUnderPrefix(exportRole, tableArn, tableKey, AUDIT_KEY_PREFIX, ['dynamodb:PutItem']);
    acknowledge(this.exporter, tableIndexes, INDEX_REASON);
    for (const fn of [this.exporter]) {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        acknowledge(fn, `Action::${action}`, 'Granted by CDK\'s grantSendMessages on the KMS-encrypted failure queue, on the ops key only: SQS needs data keys to encrypt the failure records.');
      }
    }
    acknowledge(this.exporter, `Resource::${stateful.exports.archiveBucketArn}/*`, 'Reads (GetObject only) every archived object it hashes into a manifest.');
    acknowledge(this.exporter, `Resource::${stateful.exports.archiveBucketArn}/${ARCHIVE_PREFIXES.manifests}*`, 'Writes new manifests under manifests/ only.');
    this.exporter.function.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(this.exportFailures),
    });
    new events.Rule(this, 'ExportSchedule', {
      description: 'Hourly archive manifest and reconciliation',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.exporter.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    this.api = new EvidenceApi(this, 'Api', {
      settings,
      userPool: pool.userPool,
      handlers: {
        requests: apiFunctions.requests.function,
        evidence: apiFunctions.evidence.function,
        audit: apiFunctions.audit.function,
        public: apiFunctions.public.function,
        notifications: apiFunctions.notifications.function,
        directory: apiFunctions.directory.function,
        packs: apiFunctions.packs.function,
      },
      logKey: opsKey,
      consoleOrigin: Fn.importValue(stateful.exports.consoleOrigin),
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      topicKey: opsKey,
      api: this.api.api,
      webAclMetricName: this.api.webAclMetricName,
      apiFunctions: ROUTE_GROUPS.map((g) => ({ name: g, fn: apiFunctions[g].function, logGroup: apiFunctions[g].logGroup, audited: g !== 'public' })),
      archiver: this.archiver.function,
      archiverFailureBucket: stateful.archiverFailureBucket,
      exporter: this.exporter.function,
      exporterLogGroup: this.exporter.logGroup,
      exportFailures: this.exportFailures,
    });

    // Any change of an admin's or auditor's role alarms at once (one line per change in the directory's log).
    const privilegedChanges = new logs.MetricFilter(this, 'PrivilegedRoleChanges', {
      logGroup: apiFunctions.directory.logGroup,
      filterPattern: PRIVILEGED_ROLE_FILTER_PATTERN,
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'PrivilegedRoleChanges',
      metricValue: '1',
    });
    this.monitoring.addAlarm(
      'PrivilegedRoleChange',
      'An admin\'s or auditor\'s role changed, or an admin or auditor was created: check the user.change-role / user.create audit events',
      privilegedChanges.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
      { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING },
    );

    this.analytics = new Analytics(this, 'Analytics', {
      settings,
      archiveBucket: stateful.archiveBucket,
      resultsBucket: stateful.resultsBucket,
      resultsKey: stateful.archiveKey,
    });

    const addAlarm = this.monitoring.addAlarm.bind(this.monitoring);
    new WafLogging(this, 'WafLogging', { webAcl: this.api.webAcl, name: `evidence-requests-${settings.stage}-${this.stackName}`, logKey: opsKey });
    new KeyTamperWatch(this, 'KeyTamperWatch', { topic: this.monitoring.topic, addAlarm });
    this.backupJobs = new BackupJobs(this, 'BackupJobs', {
      settings,
      tableName: table.tableName,
      tableNameForPolicies: Fn.importValue(stateful.exports.tableName),
      tableArn,
      tableKey,
      exportBucket: importedBucket('TableExportBucketRef', stateful.exports.tableExportBucketArn, tableKey),
      archiveBucket,
      archiveKey: stateful.archiveKey,
      opsKey,
      addAlarm,
    });
    this.auditor = new AuditorRole(this, 'Auditor', {
      settings,
      workGroup: this.analytics.workGroup,
      databaseName: this.analytics.databaseName,
      archiveBucket,
      archiveKey: stateful.archiveKey,
      resultsBucket: importedBucket('AthenaResultsBucketRef', stateful.exports.resultsBucketArn, stateful.archiveKey),
    });

    this.fileVerifier = new EvidenceFileVerifier(this, 'FileVerifier', {
      bucketName: stateful.evidenceBucket.bucketName,
      bucketArnExport: stateful.exports.evidenceBucketArn,
      bucketKey: stateful.evidenceKey,
      tableName: table.tableName,
      tableArn,
      tableKey,
      auditTtlDays: settings.auditTtlDays,
      opsKey,
      alarmTopic: this.monitoring.topic,
    });

    this.notifications = new Notifications(this, 'Notifications', {
      settings,
      table,
      tableArn,
      tableKey,
      opsKey,
      addAlarm,
      tableIndexesFinding: tableIndexes,
    });
    this.packBuilder = new PackBuilder(this, 'PackBuilder', {
      evidenceBucketName: stateful.evidenceBucket.bucketName,
      evidenceBucketArnExport: stateful.exports.evidenceBucketArn,
      evidenceKey: stateful.evidenceKey,
      packsBucketName: stateful.packsBucket.bucketName,
      packsBucketArnExport: stateful.exports.packsBucketArn,
      packsKey: stateful.packsKey,
      signingKey: stateful.signingKey,
      tableArn,
      tableKey,
      environment: tableEnvironment,
      opsKey,
      alarmTopic: this.monitoring.topic,
    });
    // The packs route group queues each new pack's build.
    this.packBuilder.jobs.grantSendMessages(packsFn.role);
    packsFn.function.addEnvironment(ENV.packQueueUrl, this.packBuilder.jobs.queueUrl);
    for (const fn of [packsFn, this.packBuilder.builder]) {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        acknowledge(fn, `Action::${action}`, "Granted by CDK's SQS grants on the KMS-encrypted pack queue, on the ops key only: SQS needs data keys for the messages.");
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.analytics.workGroup.name });
    new CfnOutput(this, 'GlueDatabase', { value: this.analytics.databaseName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'AuditorRoleArn', { value: this.auditor.role.roleArn });
    new CfnOutput(this, 'BackupDrillFunction', { value: this.backupJobs.drill.function.functionName });
    new CfnOutput(this, 'ArchiverFailureBucketName', { value: stateful.archiverFailureBucket.bucketName });
  }
}

/**
 * The S3 on-failure destination, granting the function only what Lambda needs to write the
 * failure record (S3OnFailureDestination grants read-write, which includes deletes).
 */
class PutOnlyS3OnFailureDestination extends sources.S3OnFailureDestination {
  constructor(private readonly target: s3.IBucket) {
    super(target);
  }

  override bind(_mapping: lambda.IEventSourceMapping, fn: lambda.IFunction): lambda.DlqDestinationConfig {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'WriteFailureRecords', actions: ['s3:PutObject'], resources: [this.target.arnForObjects('*')] }));
    if (fn.role) acknowledgeWildcardResources(fn.role, [this.target.arnForObjects('*')], 'Lambda names each failure record itself (aws/lambda/<mapping>/<shard>/...); PutObject only, in the failure bucket only.');
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListFailureRecords', actions: ['s3:ListBucket'], resources: [this.target.bucketArn] }));
    this.target.encryptionKey?.grant(fn, 'kms:GenerateDataKey');
    return { destination: this.target.bucketArn };
  }
}

/** Acknowledges one cdk-nag IAM5 finding (a wildcard) on a function's role, with its reason. */
function acknowledge(fn: ServiceFunction, finding: string, reason: string): void {
  Validations.of(fn.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}
