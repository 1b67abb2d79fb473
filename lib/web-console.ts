/**
 * The web console in AWS: its static files in a private S3 bucket, read only by CloudFront
 * through origin access control, served with a response headers policy (the strict CSP of
 * lib/console-security.ts, HSTS, frame-ancestors none / X-Frame-Options DENY, nosniff,
 * referrer policy) and a viewer-request function that answers the console's routes with its
 * page. No custom-resource Lambda: `npm run console:deploy` uploads a build (docs/deploy.md).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from './console-security.js';

export interface WebConsoleProps {
  /** Receives the bucket's server access logs. */
  readonly accessLogBucket: s3.IBucket;
  /** The managed-login domain (`https://<prefix>.auth.<region>.amazoncognito.com`): the console fetches tokens from it. */
  readonly authBaseUrl: string;
}

/**
 * Paths without a file extension are the console's screens (`/requests/req_1`, `/callback`):
 * they get its page, so deep links and reloads work. CloudFront's error responses would do
 * it for every 403/404 of the distribution; a function limits it to those paths.
 */
export const CONSOLE_ROUTES_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (request.uri !== '/' && last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

export class WebConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`, the console's origin. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new s3.Bucket(this, 'Files', {
      // Public build output, no tenant data: SSE-S3 lets CloudFront read it without a key grant.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'WebConsole/',
      lifecycleRules: [{ id: 'expire-old-builds', noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Web console: strict CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // Tokens come from managed login, data from the API (its stack is deployed after this one,
          // so by region), files go straight to the evidence bucket by presigned URL.
          contentSecurityPolicy: consoleContentSecurityPolicy({
            connectSources: [props.authBaseUrl, `https://*.execute-api.${region}.amazonaws.com`, `https://*.s3.${region}.amazonaws.com`],
          }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    const routes = new cloudfront.Function(this, 'Routes', {
      comment: 'Answers the console routes with index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(CONSOLE_ROUTES_FUNCTION),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Evidence requests web console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Honours each object's Cache-Control: a year for hashed assets, revalidate the page.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: routes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const reasons: Record<string, string> = {
      'AwsSolutions-CFR1': 'Buyers and factories work from many countries; the console is static files holding no data, so no geographic restriction.',
      'AwsSolutions-CFR2': 'The distribution serves only the static console (GET/HEAD, no data, no origin compute); the API it calls has its own WAF with rate rules. A CloudFront web ACL would have to live in us-east-1.',
      'AwsSolutions-CFR3': 'Standard CloudFront logs need an ACL-enabled bucket; every bucket here enforces owner-only objects. The files bucket has S3 server access logs, the API keeps its own access and WAF logs.',
      'AwsSolutions-CFR4': 'The default *.cloudfront.net certificate is served with TLSv1 allowed by CloudFront; minimumProtocolVersion TLSv1.2_2021 takes effect with a custom domain certificate.',
    };
    for (const [rule, reason] of Object.entries(reasons)) Validations.of(this.distribution).acknowledge({ id: rule, reason });
  }
}
