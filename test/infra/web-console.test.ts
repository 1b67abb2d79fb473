/** The web console on S3 behind CloudFront: private bucket read through origin access control, strict headers, the console's routes, outputs. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../../lib/console-security.js';
import { CONSOLE_ROUTES_FUNCTION } from '../../lib/web-console.js';
import { synthApp } from './app.js';

let template: Template;
beforeAll(() => {
  template = synthApp({ stage: 'dev' }).statefulTemplate;
});

type Resource = { Properties: Record<string, any>; DeletionPolicy?: string };
const only = (type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const consoleBucket = (): [string, Resource] => {
  const found = Object.entries(template.findResources('AWS::S3::Bucket') as Record<string, Resource>).filter(([id]) => id.startsWith('WebConsoleFiles'));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('files bucket', () => {
  it('is private, SSE-S3, versioned, logged and retained', () => {
    const [, bucket] = consoleBucket();
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogBucket/) }, LogFilePrefix: 'WebConsole/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('is read by this distribution only, through origin access control, over TLS', () => {
    const [bucketId] = consoleBucket();
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy') as Record<string, Resource>).find((p) => p.Properties.Bucket.Ref === bucketId)!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const reads = statements.filter((s) => s.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Join': ['', expect.arrayContaining([{ Ref: distributionId }])] } } },
    });
    const origin = template.toJSON().Resources[distributionId].Properties.DistributionConfig.Origins[0];
    expect(origin).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } });
  });
});

describe('distribution', () => {
  it('redirects to HTTPS, serves GET and HEAD only, with the headers policy and the routes function', () => {
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const [headersId] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const [functionId, fn] = only('AWS::CloudFront::Function');
    const config = distribution.Properties.DistributionConfig;
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', Enabled: true, HttpVersion: 'http2and3' });
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: headersId },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
    });
    expect(fn.Properties).toMatchObject({ FunctionCode: CONSOLE_ROUTES_FUNCTION, FunctionConfig: { Runtime: 'cloudfront-js-2.0' }, AutoPublish: true });
  });

  it('answers the console routes with its page and leaves files alone', () => {
    const handler = new Function(`${CONSOLE_ROUTES_FUNCTION}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
    const route = (uri: string) => handler({ request: { uri } }).uri;
    expect(route('/requests/req_1')).toBe('/index.html');
    expect(route('/callback')).toBe('/index.html');
    expect(route('/')).toBe('/');
    expect(route('/assets/index-abc.js')).toBe('/assets/index-abc.js');
    expect(route('/config.json')).toBe('/config.json');
  });

  it('sends a strict CSP, HSTS for a year, no framing, nosniff and a referrer policy', () => {
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Preload: true, Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
      ContentSecurityPolicy: { Override: true },
    });
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    const expected = consoleContentSecurityPolicy({ connectSources: ['AUTH', 'S3'] });
    for (const directive of expected.split('; ').filter((d) => !d.startsWith('connect-src'))) expect(csp).toContain(directive);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).toContain('.auth.eu-west-1.amazoncognito.com');
    expect(csp).toContain('https://*.s3.eu-west-1.amazonaws.com');
    expect(csp).toContain('https://*.execute-api.eu-west-1.amazonaws.com');
  });
});

describe('outputs', () => {
  it('name the console URL and bucket, and export the origin for the API\'s CORS', () => {
    template.hasOutput('WebConsoleUrl', { Value: Match.anyValue() });
    template.hasOutput('WebConsoleBucketName', { Value: { Ref: consoleBucket()[0] } });
    template.hasOutput('WebConsoleOrigin', { Export: { Name: 'EvidenceRequests-dev-Stateful-WebConsoleOrigin' } });
  });
});
