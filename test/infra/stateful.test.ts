import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../functions/config/table.js';
import { PROD_CONTEXT, synthApp } from './app.js';

let template: Template;
beforeAll(() => {
  template = synthApp({ stage: 'dev' }).statefulTemplate;
});

const bucketWith = (props: Record<string, unknown>) => template.findResources('AWS::S3::Bucket', { Properties: Match.objectLike(props) });
const archiveBucket = () => {
  const found = Object.entries(bucketWith({ ObjectLockEnabled: true }));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('table', () => {
  it('is on-demand, streamed, recoverable, KMS-encrypted, deletion-protected and has TTL', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: Match.anyValue() },
          }),
        ],
      }),
    });
  });

  it('has every index of functions/config/table.ts', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    const indexes = (table!.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: Array<{ AttributeName: string }> }>).map(
      (i) => [i.IndexName, i.KeySchema.map((k) => k.AttributeName)],
    );
    expect(indexes).toEqual(Object.values(INDEXES).map((i) => [i.indexName, [i.partitionKey, i.sortKey]]));
  });

  it('projects audit events whole and the lists of mutable entities with their filter attributes only', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    const projections = Object.fromEntries(
      (table!.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }>).map((i) => [i.IndexName, i.Projection]),
    );
    const filtered = { ProjectionType: 'INCLUDE', NonKeyAttributes: ['entity', 'status', 'kind', 'role', 'orgId', 'events', 'nameLower', 'docType'] };
    expect(projections).toEqual({
      gsi1: filtered,
      gsi2: filtered,
      gsi3: filtered,
      gsi4: filtered,
      gsi5: filtered,
      gsi6: filtered,
      gsi7: { ProjectionType: 'ALL' },
      gsi8: { ProjectionType: 'ALL' },
    });
  });
});

describe('keys', () => {
  it('rotates every symmetric customer-managed key and retains all keys', () => {
    const keys = template.findResources('AWS::KMS::Key');
    for (const key of Object.values(keys)) {
      expect(key.DeletionPolicy).toBe('Retain');
      if (key.Properties.KeySpec === undefined) expect(key.Properties.EnableKeyRotation).toBe(true);
    }
    expect(Object.keys(keys).length).toBeGreaterThanOrEqual(5);
  });

  it('has an asymmetric signing key for manifests', () => {
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });
});

describe('archive bucket', () => {
  it('locks objects in COMPLIANCE mode for 7 whole years (Years, not 365-day multiples) in prod', () => {
    synthApp(PROD_CONTEXT).statefulTemplate.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } } },
    });
  });

  it('locks dev archives in GOVERNANCE mode by default, so a dev deploy leaves no bucket nobody can delete', () => {
    const [, bucket] = archiveBucket();
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: 7 } },
    });
  });

  it('takes its retention from the stage settings', () => {
    const t = synthApp({ stage: 'dev', retentionYears: '10', objectLockMode: 'COMPLIANCE' }).statefulTemplate;
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 10 } } },
    });
  });

  it('is versioned, SSE-KMS, private, retained, logged and moves to colder storage after 90 days', () => {
    const [, bucket] = archiveBucket();
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: expect.anything() },
    });
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }),
    );
    for (const rule of rules) {
      expect(rule).not.toHaveProperty('ExpirationInDays');
      expect(rule).not.toHaveProperty('NoncurrentVersionExpiration');
    }
  });

  it('is never auto-deleted', () => {
    expect(template.findResources('Custom::S3AutoDeleteObjects')).toEqual({});
  });

  it('refuses plain HTTP and denies deletes and retention changes to everyone', () => {
    const [id] = archiveBucket();
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: id } } }));
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']),
      }),
    );
  });
});

describe('other buckets', () => {
  it('makes every bucket private, SSL-only, retained and versioned', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    // Archive, evidence, packs, Athena results, access logs, archiver failures, table exports, CloudTrail logs, web console files.
    expect(Object.keys(buckets)).toHaveLength(9);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(9);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('encrypts the evidence and Athena results buckets with KMS and expires query results', () => {
    // Archive, evidence, packs, Athena results, archiver failures, table exports.
    expect(Object.keys(bucketWith({ BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] } }))).toHaveLength(6);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-query-results', ExpirationInDays: 30 })]) },
    });
  });

  it('lets the web console and the configured origins PUT into the evidence bucket (presigned uploads)', () => {
    const consoleOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebConsoleDistribution'), 'DomainName'] }]] };
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'], AllowedOrigins: [consoleOrigin, 'http://localhost:5173'] })] },
    });
  });
});

describe('prod stage', () => {
  it('uses the threat-protected Plus plan', () => {
    synthApp(PROD_CONTEXT).statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });
});

describe('the cursor key', () => {
  it('is a generated secret of the stateful stack, kept on stack deletion', () => {
    const template = synthApp({ stage: 'dev' }).statefulTemplate;
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } },
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});
