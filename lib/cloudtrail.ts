/**
 * A CloudTrail trail for the stage's buckets: write management events (KMS key actions
 * among them, which the key tamper watch reads from EventBridge) and every S3 data event on
 * the audit archive and the evidence bucket: who read or wrote which object, kept as long as
 * the archive itself.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageSettings } from './stages.js';

/** Days in `years` calendar years, leap days included, so a log never expires before the archive's lock. */
export function daysInYears(years: number): number {
  return Math.ceil(years * 365.25);
}

export interface BucketDataTrailProps {
  readonly settings: StageSettings;
  /** Buckets whose object-level reads and writes are recorded. */
  readonly buckets: readonly s3.IBucket[];
  readonly accessLogBucket: s3.IBucket;
}

export class BucketDataTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BucketDataTrailProps) {
    super(scope, id);
    // CloudTrail writes SSE-S3 unless given a key whose policy admits it; the log files are
    // digest-signed (file validation), which is what proves them unaltered.
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'CloudTrailLogBucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'keep-as-long-as-the-archive',
          expiration: Duration.days(daysInYears(props.settings.retentionYears)),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.logBucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
    });
    this.trail.addS3EventSelector(
      props.buckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false },
    );
  }
}
