/**
 * Evidence files in AWS, in two constructs so the stateful stack keeps the bucket's own rules
 * and the stateless stack the function:
 * - EvidenceFileStorage (stateful): the bucket policy (PUTs only with a SHA-256 checksum,
 *   If-None-Match: * and the bucket's KMS key; no serving of rejected or infected objects; TLS
 *   comes with enforceSSL), EventBridge notifications, lifecycle for rejected objects, and
 *   GuardDuty Malware Protection for S3 with its service role, tagging scanned objects.
 * - EvidenceFileVerifier (stateless): the verifier Lambda on EventBridge rules for Object
 *   Created and THREATS_FOUND scan results, with its failure queue, alarms and a role that
 *   may read and tag evidence objects and update evidence and audit items, nothing else.
 */
import { Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVIDENCE_KEY_PREFIX, MALWARE_SCAN_TAG, REJECTED_TAG } from '../functions/core/evidence-files.js';
import { topicAlarm } from './monitoring.js';
import { ServiceFunction } from './service-function.js';
import { grantWritesUnderPrefix } from './table-access.js';

/** Days a rejected or infected object is kept (for forensics) before lifecycle deletes it. */
export const REJECTED_OBJECT_DAYS = 1;

/** The detail-type of GuardDuty Malware Protection for S3's scan results on EventBridge. */
export const MALWARE_SCAN_RESULT = 'GuardDuty Malware Protection Object Scan Result';

export interface EvidenceFileStorageProps {
  readonly bucket: s3.Bucket;
  readonly key: kms.IKey;
}

export class EvidenceFileStorage extends Construct {
  readonly malwareProtection: guardduty.CfnMalwareProtectionPlan;
  readonly malwareProtectionRole: iam.Role;

  constructor(scope: Construct, id: string, props: EvidenceFileStorageProps) {
    super(scope, id);
    const { bucket, key } = props;
    const stack = Stack.of(this);
    const objects = bucket.arnForObjects('*');

    // GuardDuty writes a validation object and tags scanned ones with this role
    // (https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html).
    this.malwareProtectionRole = new iam.Role(this, 'MalwareProtectionRole', {
      assumedBy: new iam.ServicePrincipal('malware-protection-plan.guardduty.amazonaws.com'),
      description: `GuardDuty Malware Protection for S3 on the evidence bucket (${stack.stackName})`,
    });
    const managedRules = `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*`;
    this.malwareProtectionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManagedEventBridgeRules',
        actions: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
        resources: [managedRules],
        conditions: { StringLike: { 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' } },
      }),
    );
    this.malwareProtectionRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeManagedRules', actions: ['events:DescribeRule', 'events:ListTargetsByRule'], resources: [managedRules] }));
    this.malwareProtectionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'BucketNotifications', actions: ['s3:PutBucketNotification', 's3:GetBucketNotification', 's3:GetBucketLocation', 's3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    this.malwareProtectionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScanAndTagObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
        resources: [objects],
      }),
    );
    this.malwareProtectionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ValidationObject', actions: ['s3:PutObject'], resources: [bucket.arnForObjects('malware-protection-resource-validation-object')] }),
    );
    key.grant(this.malwareProtectionRole, 'kms:Decrypt', 'kms:GenerateDataKey');
    // cdk-nag names a resource as CloudFormation renders it: pseudo parameters in angle brackets.
    const rendered = (value: string) => (Token.isUnresolved(value) ? `<${value === stack.region ? 'AWS::Region' : value === stack.account ? 'AWS::AccountId' : 'AWS::Partition'}>` : value);
    const managedRulesFinding = `arn:<AWS::Partition>:events:${rendered(stack.region)}:<AWS::AccountId>:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*`;
    for (const finding of [`Resource::${managedRulesFinding}`, `Resource::<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`]) {
      Validations.of(this.malwareProtectionRole).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: 'GuardDuty Malware Protection for S3 scans and tags any new object of the protected bucket and manages its own DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3* rules (the prerequisite policy AWS documents).',
      });
    }

    this.malwareProtection = new guardduty.CfnMalwareProtectionPlan(this, 'MalwareProtectionPlan', {
      role: this.malwareProtectionRole.roleArn,
      protectedResource: { s3Bucket: { bucketName: bucket.bucketName, objectPrefixes: [EVIDENCE_KEY_PREFIX] } },
      actions: { tagging: { status: 'ENABLED' } },
    });
    this.malwareProtection.node.addDependency(this.malwareProtectionRole);

    // The verifier and GuardDuty hear of new objects through EventBridge: no notification
    // configuration ties the bucket to a function of the stateless stack. Set on the L1 bucket:
    // CloudFormation supports it natively, where enableEventBridgeNotification() adds a custom
    // resource Lambda (with a managed policy) only to do the same.
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);

    const everyoneButGuardDuty = { ArnNotEquals: { 'aws:PrincipalArn': this.malwareProtectionRole.roleArn } };
    const deny = (sid: string, statementActions: string[], conditions: Record<string, unknown>) =>
      bucket.addToResourcePolicy(new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: statementActions, resources: [objects], conditions }));
    // S3 checks the body against the checksum header: without it a presigned PUT binds no content.
    deny('DenyPutWithoutSha256Checksum', ['s3:PutObject'], { Null: { 's3:x-amz-checksum-sha256': 'true' }, ...everyoneButGuardDuty });
    // Write-once: a verified object can never be replaced under its key.
    deny('DenyPutWithoutIfNoneMatch', ['s3:PutObject'], { Null: { 's3:if-none-match': 'true' }, ...everyoneButGuardDuty });
    deny('DenyPutWithOtherEncryption', ['s3:PutObject'], { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    deny('DenyPutWithOtherKmsKey', ['s3:PutObject'], { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn } });
    deny('DenyServingRejectedObjects', ['s3:GetObject', 's3:GetObjectVersion'], { StringEquals: { [`s3:ExistingObjectTag/${REJECTED_TAG.key}`]: REJECTED_TAG.value } });
    deny('DenyServingInfectedObjects', ['s3:GetObject', 's3:GetObjectVersion'], { StringEquals: { [`s3:ExistingObjectTag/${MALWARE_SCAN_TAG.key}`]: MALWARE_SCAN_TAG.threatsFound } });

    const expireTagged = (ruleId: string, tag: string, value: string) =>
      bucket.addLifecycleRule({
        id: ruleId,
        tagFilters: { [tag]: value },
        expiration: Duration.days(REJECTED_OBJECT_DAYS),
        noncurrentVersionExpiration: Duration.days(REJECTED_OBJECT_DAYS),
      });
    expireTagged('expire-rejected-files', REJECTED_TAG.key, REJECTED_TAG.value);
    expireTagged('expire-infected-files', MALWARE_SCAN_TAG.key, MALWARE_SCAN_TAG.threatsFound);
    bucket.addLifecycleRule({ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) });
  }
}

export interface EvidenceFileVerifierProps {
  readonly bucketName: string;
  /** Export name of the evidence bucket's ARN (stateful stack): imported, it renders stably for cdk-nag. */
  readonly bucketArnExport: string;
  readonly bucketKey: kms.IKey;
  readonly tableName: string;
  readonly tableArn: string;
  readonly tableKey: kms.IKey;
  readonly auditTtlDays: number;
  /** Encrypts the function's logs and its failure queue. */
  readonly opsKey: kms.IKey;
  /** Where the verifier's alarms go. */
  readonly alarmTopic: sns.ITopic;
}

export class EvidenceFileVerifier extends Construct {
  readonly verifier: ServiceFunction;
  readonly failures: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EvidenceFileVerifierProps) {
    super(scope, id);
    this.verifier = new ServiceFunction(this, 'Function', {
      handler: 'file-verifier',
      description: 'Checks each uploaded evidence file against its declared size and SHA-256',
      // A 100 MiB object streams through SHA-256 in a few seconds; the margin covers a slow read.
      timeout: Duration.minutes(2),
      memorySize: 512,
      logKey: props.opsKey,
      environment: { tableName: props.tableName, evidenceBucket: props.bucketName, auditTtlDays: String(props.auditTtlDays) },
    });
    const role = this.verifier.role;
    const evidenceObjects = `${Fn.importValue(props.bucketArnExport)}/${EVIDENCE_KEY_PREFIX}*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadEvidenceObjects', actions: ['s3:GetObject'], resources: [evidenceObjects] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'TagEvidenceObjects', actions: ['s3:GetObjectTagging', 's3:PutObjectTagging'], resources: [evidenceObjects] }));
    props.bucketKey.grant(role, 'kms:Decrypt');
    // Reads an evidence's partition, updates its file status, writes its audit event: nothing else.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadEvidenceItems',
        actions: ['dynamodb:Query', 'dynamodb:GetItem'],
        resources: [props.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVIDENCE#*'] } },
      }),
    );
    props.tableKey.grant(role, 'kms:Decrypt');
    grantWritesUnderPrefix(role, props.tableArn, props.tableKey, 'EVIDENCE#', ['dynamodb:UpdateItem']);
    grantWritesUnderPrefix(role, props.tableArn, props.tableKey, 'AUDIT#', ['dynamodb:PutItem']);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.bucketArnExport}/${EVIDENCE_KEY_PREFIX}*]`,
      reason: 'Reads and tags any uploaded evidence object (keys evidence/<factory>/<evidence>/v<n>/<random id> chosen by the server); GetObject and tagging only.',
    });

    this.failures = new sqs.Queue(this, 'Failures', { encryptionMasterKey: props.opsKey, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination of the file verifier (async invocations and EventBridge deliveries); its depth is alarmed.',
    });
    this.verifier.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failures),
    });
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: "Granted by CDK's grantSendMessages on the KMS-encrypted failure queue, on the ops key only: SQS needs data keys to encrypt the failure records.",
      });
    }
    const target = new targets.LambdaFunction(this.verifier.function, { deadLetterQueue: this.failures, retryAttempts: 8, maxEventAge: Duration.hours(6) });
    new events.Rule(this, 'ObjectCreated', {
      description: 'New evidence objects to the file verifier',
      eventPattern: { source: ['aws.s3'], detailType: ['Object Created'], detail: { bucket: { name: [props.bucketName] }, object: { key: [{ prefix: EVIDENCE_KEY_PREFIX }] } } },
      targets: [target],
    });
    new events.Rule(this, 'ThreatsFound', {
      description: 'GuardDuty found malware in an evidence object: the file verifier rejects its file',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: [MALWARE_SCAN_RESULT],
        detail: { s3ObjectDetails: { bucketName: [props.bucketName] }, scanResultDetails: { scanResultStatus: [MALWARE_SCAN_TAG.threatsFound] } },
      },
      targets: [target],
    });

    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric) => topicAlarm(this, alarmId, props.alarmTopic, description, metric);
    const fiveMinutes = Duration.minutes(5);
    this.alarms = [
      alarm('VerifierErrors', 'The file verifier failed: uploaded files may stay PENDING_UPLOAD', this.verifier.function.metricErrors({ period: fiveMinutes })),
      alarm(
        'VerifierFailureQueueDepth',
        'Events the file verifier gave up on: re-drive them (files stay PENDING_UPLOAD until verified)',
        this.failures.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      ),
    ];
  }
}
