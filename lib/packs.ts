/**
 * The pack builder in AWS: the SQS queue of pack jobs (KMS, TLS only) with its dead-letter
 * queue, the builder Lambda reading it one job at a time (partial batch failures, so a failed
 * job is redelivered after the visibility timeout, PACK_JOB_MAX_RECEIVES times at most), and
 * alarms on errors, the dead-letter depth and the age of the oldest job. Its role reads
 * evidence objects and evidence / pack items, writes the packs bucket under `packs/` only,
 * updates pack items, writes audit events and signs with the manifest key: nothing else.
 */
import { Duration, Fn, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVIDENCE_KEY_PREFIX } from '../functions/core/evidence-files.js';
import { PACK_JOB_MAX_RECEIVES, PACK_KEY_PREFIX } from '../functions/core/packs.js';
import { topicAlarm } from './monitoring.js';
import { type FunctionEnvironment, ServiceFunction } from './service-function.js';
import { grantWritesUnderPrefix } from './table-access.js';

/** A 2 GB pack streams through in a few minutes; 15 minutes is Lambda's ceiling. */
export const PACK_BUILDER_TIMEOUT = Duration.minutes(15);
/** Constant memory: a few 8 MiB upload parts and stream buffers, whatever the pack's size. */
export const PACK_BUILDER_MEMORY_MB = 512;

export interface PackBuilderProps {
  readonly evidenceBucketName: string;
  readonly evidenceBucketArnExport: string;
  readonly evidenceKey: kms.IKey;
  readonly packsBucketName: string;
  readonly packsBucketArnExport: string;
  readonly packsKey: kms.IKey;
  readonly signingKey: kms.IKey;
  readonly tableArn: string;
  readonly tableKey: kms.IKey;
  /** The table and API settings every function of the product reads. */
  readonly environment: FunctionEnvironment;
  /** Encrypts the function's logs and both queues. */
  readonly opsKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
}

export class PackBuilder extends Construct {
  readonly builder: ServiceFunction;
  readonly jobs: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PackBuilderProps) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', { encryptionMasterKey: props.opsKey, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the pack jobs; its depth is alarmed.',
    });
    this.jobs = new sqs.Queue(this, 'Jobs', {
      encryptionMasterKey: props.opsKey,
      enforceSSL: true,
      // AWS advises at least six times the function's timeout (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
      visibilityTimeout: Duration.minutes(PACK_BUILDER_TIMEOUT.toMinutes() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: PACK_JOB_MAX_RECEIVES },
    });

    this.builder = new ServiceFunction(this, 'Function', {
      handler: 'pack-builder',
      description: 'Builds each pack\'s ZIP (files, manifest, SHA256SUMS, signature) in the packs bucket',
      timeout: PACK_BUILDER_TIMEOUT,
      memorySize: PACK_BUILDER_MEMORY_MB,
      logKey: props.opsKey,
      environment: {
        ...props.environment,
        evidenceBucket: props.evidenceBucketName,
        packsBucket: props.packsBucketName,
        manifestSigningKeyId: props.signingKey.keyId,
      },
    });
    this.builder.function.addEventSource(new sources.SqsEventSource(this.jobs, { batchSize: 1, reportBatchItemFailures: true }));

    const role = this.builder.role;
    const evidenceObjects = `${Fn.importValue(props.evidenceBucketArnExport)}/${EVIDENCE_KEY_PREFIX}*`;
    const packObjects = `${Fn.importValue(props.packsBucketArnExport)}/${PACK_KEY_PREFIX}*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadEvidenceObjects', actions: ['s3:GetObject'], resources: [evidenceObjects] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WritePackZips', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [packObjects] }));
    props.evidenceKey.grant(role, 'kms:Decrypt');
    // Multipart uploads to an SSE-KMS bucket need Decrypt as well as GenerateDataKey.
    props.packsKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    props.signingKey.grant(role, 'kms:Sign', 'kms:GetPublicKey');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadEvidenceAndPackItems',
        actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
        resources: [props.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVIDENCE#*', 'PACK#*'] } },
      }),
    );
    props.tableKey.grant(role, 'kms:Decrypt');
    grantWritesUnderPrefix(role, props.tableArn, props.tableKey, 'PACK#', ['dynamodb:UpdateItem']);
    grantWritesUnderPrefix(role, props.tableArn, props.tableKey, 'AUDIT#', ['dynamodb:PutItem']);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.evidenceBucketArnExport}/${EVIDENCE_KEY_PREFIX}*]`,
      reason: 'Reads (GetObject only) the evidence objects a pack holds; their keys are chosen by the server per version.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.packsBucketArnExport}/${PACK_KEY_PREFIX}*]`,
      reason: 'Writes one ZIP per pack under packs/<packId>.zip (PutObject and aborting its own multipart uploads only).',
    });

    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric) => topicAlarm(this, alarmId, props.alarmTopic, description, metric);
    const fiveMinutes = Duration.minutes(5);
    this.alarms = [
      alarm('BuilderErrors', 'The pack builder failed: packs may stay PENDING until a retry succeeds', this.builder.function.metricErrors({ period: fiveMinutes })),
      alarm(
        'DeadLetterDepth',
        'Pack jobs whose retries are spent: their packs are FAILED; re-drive after fixing the cause',
        this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      ),
    ];
    const oldest = topicAlarm(
      this,
      'OldestJobAge',
      props.alarmTopic,
      'A pack job has waited more than an hour: the builder is not keeping up or keeps failing',
      this.jobs.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      { threshold: 3600 },
    );
    this.alarms.push(oldest);
  }
}
