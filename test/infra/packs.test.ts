/** Packs in AWS, as synthesized: the packs bucket, the builder with its queue, dead letters and alarms, the routes and the share-link WAF rule. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/config/environment.js';
import { PACK_JOB_MAX_RECEIVES, PACK_RETENTION_DAYS } from '../../functions/core/packs.js';
import { PACK_BUILDER_MEMORY_MB } from '../../lib/packs.js';
import { SHARED_LINK_RATE_PER_MINUTE } from '../../lib/stages.js';
import { synthApp } from './app.js';

let stateful: Template;
let stateless: Template;
beforeAll(() => {
  const app = synthApp({ stage: 'dev' });
  stateful = app.statefulTemplate;
  stateless = app.statelessTemplate;
});

const one = <T>(record: Record<string, T>): [string, T] => {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};
const builder = () => one(stateless.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('pack\'s ZIP') } }));

describe('the packs bucket', () => {
  it('is KMS-encrypted with its own key, private, SSL-only, and expires ZIPs after 30 days', () => {
    const [, bucket] = one(stateful.findResources('AWS::S3::Bucket', { Properties: { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-pack-zips' })]) } } }));
    const props = (bucket as { Properties: Record<string, any> }).Properties;
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toMatchObject({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^PacksKey/), 'Arn'] } });
    expect(props.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const rules = props.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-pack-zips', Status: 'Enabled', ExpirationInDays: PACK_RETENTION_DAYS }));
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'abort-incomplete-pack-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }));
  });
});

describe('the pack builder', () => {
  it('is a 512 MB function fed one job at a time from an encrypted queue with a dead-letter queue', () => {
    const [id, fn] = builder();
    expect((fn as any).Properties).toMatchObject({ MemorySize: PACK_BUILDER_MEMORY_MB, Timeout: 900 });
    const vars = (fn as any).Properties.Environment.Variables;
    for (const name of [ENV.packsBucket, ENV.evidenceBucket, ENV.manifestSigningKeyId, ENV.tableName]) expect(vars[name], name).toBeDefined();
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: id }, BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const queues = stateless.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.objectLike({ maxReceiveCount: PACK_JOB_MAX_RECEIVES, deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PackBuilderDeadLetters'), 'Arn'] } }) },
    });
    const [, jobs] = one(queues);
    expect((jobs as any).Properties.KmsMasterKeyId).toBeDefined();
    expect((jobs as any).Properties.VisibilityTimeout).toBe(900 * 6);
  });

  it('alarms on errors, dead letters and the age of the oldest job', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms.some((a) => a.MetricName === 'Errors' && /pack builder/i.test(a.AlarmDescription))).toBe(true);
    expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && /Pack jobs/.test(a.AlarmDescription))).toBe(true);
    expect(alarms.some((a) => a.MetricName === 'ApproximateAgeOfOldestMessage' && a.Threshold === 3600)).toBe(true);
  });

  it('writes only packs/ in the packs bucket, signs with the manifest key and updates only PACK# items', () => {
    const [id] = builder();
    const roleRef = (builder()[1] as any).Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(roleRef))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = (sid: string) => statements.find((s: any) => s.Sid === sid)?.Action;
    expect(id).toMatch(/PackBuilder/);
    expect(actions('WritePackZips')).toEqual(['s3:PutObject', 's3:AbortMultipartUpload']);
    expect(JSON.stringify(statements.find((s: any) => s.Sid === 'WritePackZips').Resource)).toContain('/packs/*');
    expect(statements.some((s: any) => JSON.stringify(s.Action).includes('kms:Sign'))).toBe(true);
    expect(statements.find((s: any) => s.Sid === 'WritePACKItems')).toMatchObject({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PACK#*'] } } });
    expect(statements.some((s: any) => JSON.stringify(s.Action).includes('s3:DeleteObject'))).toBe(false);
  });
});

describe('the routes', () => {
  it('queue builds from the packs function, which may only read ZIPs (presigned GETs)', () => {
    const [, fn] = one(stateless.findResources('AWS::Lambda::Function', { Properties: { Description: 'API route group packs' } }));
    const vars = (fn as any).Properties.Environment.Variables;
    expect(vars[ENV.packQueueUrl]).toBeDefined();
    expect(vars[ENV.packsBucket]).toBeDefined();
    const statements = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('Apipacks'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.find((s: any) => s.Sid === 'PresignPackZips')).toMatchObject({ Action: 's3:GetObject' });
    expect(statements.some((s: any) => JSON.stringify(s.Action).includes('sqs:SendMessage'))).toBe(true);
  });

  it('serve GET /v1/shared/{token} without the Cognito authorizer, behind a WAF rule of 10 a minute per address on that path', () => {
    const [, acl] = one(stateless.findResources('AWS::WAFv2::WebACL'));
    const rule = (acl as any).Properties.Rules.find((r: any) => r.Name === 'SharedLinksPerAddress');
    expect(rule.Action.Block.CustomResponse.ResponseCode).toBe(429);
    expect(rule.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 60,
      Limit: SHARED_LINK_RATE_PER_MINUTE,
      ScopeDownStatement: { ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'CONTAINS', SearchString: '/v1/shared/' } },
    });
    const priorities = (acl as any).Properties.Rules.map((r: any) => r.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it('never log a share token: no raw path in the access log, the URI path redacted in WAF logs', () => {
    const [, stage] = one(stateless.findResources('AWS::ApiGateway::Stage'));
    const format = JSON.parse((stage as any).Properties.AccessLogSetting.Format);
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(Object.values(format)).not.toContain('$context.path');
    stateless.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: Match.arrayWith([{ UriPath: {} }]) });
  });
});
