/**
 * The scheduled backup jobs (EventBridge Scheduler): the daily native export of the table
 * to S3, and the weekly restore drill (start, then hourly checks until the copy is compared
 * and deleted). Each job has a failure destination (the Scheduler's dead-letter queue and
 * the async invocation's on-failure queue) and alarms on errors and on that queue.
 */
import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIXES } from '../functions/schemas/archive.js';
import type { AddAlarm } from './event-alarm.js';
import { acknowledgeWildcardResources } from './nag.js';
import { ServiceFunction } from './service-function.js';
import type { StageSettings } from './stages.js';

/** The export writes under this prefix of the export bucket (functions/jobs/backup-export.ts). */
const EXPORT_PREFIX = 'exports/';

export interface BackupJobsProps {
  readonly settings: StageSettings;
  /** For the functions' environment. */
  readonly tableName: string;
  /** The same name by its named export: drill table ARNs in policies render stably. */
  readonly tableNameForPolicies: string;
  readonly tableArn: string;
  readonly tableKey: kms.IKey;
  readonly exportBucket: s3.IBucket;
  readonly archiveBucket: s3.IBucket;
  readonly archiveKey: kms.IKey;
  readonly opsKey: kms.IKey;
  readonly addAlarm: AddAlarm;
}

export class BackupJobs extends Construct {
  readonly tableExport: ServiceFunction;
  readonly drill: ServiceFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: BackupJobsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.failures = new sqs.Queue(this, 'Failures', { encryptionMasterKey: props.opsKey, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination (dead letter) of the backup schedules and invocations; its depth is alarmed.',
    });

    this.tableExport = new ServiceFunction(this, 'TableExport', {
      handler: 'backup-export',
      description: 'Starts the daily native export of the table to S3 and checks the previous one completed',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logKey: props.opsKey,
      environment: {
        tableArn: props.tableArn,
        tableExportBucket: props.exportBucket.bucketName,
        tableKeyArn: props.tableKey.keyArn,
      },
    });
    const exportRole = this.tableExport.role;
    exportRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ExportTable', actions: ['dynamodb:ExportTableToPointInTime'], resources: [props.tableArn] }));
    // DynamoDB writes the export with the caller's permissions.
    exportRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteExports',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl', 's3:GetObject'],
        resources: [props.exportBucket.arnForObjects(`${EXPORT_PREFIX}*`)],
      }),
    );
    exportRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListExports',
        actions: ['s3:ListBucket'],
        resources: [props.exportBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${EXPORT_PREFIX}*`] } },
      }),
    );
    props.tableKey.grant(exportRole, 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');

    this.drill = new ServiceFunction(this, 'Drill', {
      handler: 'backup-drill',
      description: 'Weekly restore drill: PITR restore into a new table, compare with the source and the archive, delete the copy',
      timeout: Duration.minutes(15),
      memorySize: 2048,
      logKey: props.opsKey,
      environment: {
        tableName: props.tableName,
        tableArn: props.tableArn,
        tableKeyArn: props.tableKey.keyArn,
        archiveBucket: props.archiveBucket.bucketName,
        auditTtlDays: String(props.settings.auditTtlDays),
      },
    });
    const drillRole = this.drill.role;
    // Restoring writes the copy with the caller's permissions on the target table
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/backuprestore_IAM.html);
    // only tables named <table>-drill-* are targets, never the live table.
    const drillTables = Fn.join('', [`arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/`, props.tableNameForPolicies, '-drill-*']);
    drillRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'RestoreSource', actions: ['dynamodb:RestoreTableToPointInTime', 'dynamodb:Scan', 'dynamodb:DescribeTable'], resources: [props.tableArn] }),
    );
    drillRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DrillTables',
        actions: [
          'dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:DeleteTable', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
          'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem',
        ],
        resources: [drillTables, Fn.join('', [drillTables, '/index/*'])],
      }),
    );
    props.tableKey.grant(drillRole, 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKey');
    drillRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadArchivedAudit', actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects(`${ARCHIVE_PREFIXES.audit}*`)] }),
    );
    drillRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListArchivedAudit',
        actions: ['s3:ListBucket'],
        resources: [props.archiveBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIXES.audit}*`] } },
      }),
    );
    props.archiveKey.grant(drillRole, 'kms:Decrypt');

    // One Scheduler role for both jobs: invoke them and dead-letter to the failure queue, nothing else.
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'EventBridge Scheduler: invokes the backup jobs',
    });
    const schedule = (scheduleId: string, fn: ServiceFunction, expression: scheduler.ScheduleExpression, input: Record<string, unknown>, description: string) =>
      new scheduler.Schedule(this, scheduleId, {
        description,
        schedule: expression,
        target: new schedulerTargets.LambdaInvoke(fn.function, {
          role: schedulerRole,
          input: scheduler.ScheduleTargetInput.fromObject(input),
          deadLetterQueue: this.failures,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      });
    schedule('TableExportSchedule', this.tableExport, scheduler.ScheduleExpression.cron({ minute: '30', hour: '2' }), {}, 'Daily native export of the table to S3');
    schedule('DrillStartSchedule', this.drill, scheduler.ScheduleExpression.cron({ minute: '0', hour: '5', weekDay: 'MON' }), { phase: 'start' }, 'Weekly restore drill: start the PITR restore');
    schedule('DrillCheckSchedule', this.drill, scheduler.ScheduleExpression.rate(Duration.hours(1)), { phase: 'check' }, 'Restore drill: compare the restored copy once it is ACTIVE');

    for (const fn of [this.tableExport, this.drill]) {
      fn.function.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.hours(1), onFailure: new destinations.SqsDestination(this.failures) });
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: "Granted by CDK's grantSendMessages on the KMS-encrypted failure queue, on the ops key only: SQS needs data keys to encrypt the failure records.",
        });
      }
    }
    acknowledgeWildcardResources(this.tableExport.role, [props.exportBucket.arnForObjects(`${EXPORT_PREFIX}*`)], 'Native exports write objects DynamoDB names under exports/ of the export bucket only; nothing else is granted on S3.');
    acknowledgeWildcardResources(
      drillRole,
      [drillTables, Fn.join('', [drillTables, '/index/*']), props.archiveBucket.arnForObjects(`${ARCHIVE_PREFIXES.audit}*`)],
      'The drill restores into, reads and deletes only tables named <table>-drill-* (and their indexes), and reads archived audit objects under audit/ only.',
    );
    acknowledgeWildcardResources(
      schedulerRole,
      [this.tableExport, this.drill].map((fn) => `${fn.function.functionArn}:*`),
      'Lambda invoke grants cover the function and its versions (<arn>:*): these two functions only.',
    );

    props.addAlarm('TableExportErrors', 'The daily native table export failed, or yesterday\'s export never completed', this.tableExport.function.metricErrors({ period: Duration.hours(1) }));
    props.addAlarm('BackupDrillErrors', 'The weekly restore drill failed (restored copy differs from the source or the archive, or the restore hung)', this.drill.function.metricErrors({ period: Duration.hours(1) }));
    props.addAlarm(
      'BackupJobFailureQueueDepth',
      'A backup job invocation failed after its retries (export or drill never ran)',
      this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    );
  }
}
