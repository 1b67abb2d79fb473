/**
 * The public REST API: one method per route of functions/api/routes.ts, a Cognito
 * authorizer that accepts access tokens (methods carry the API scope), JSON access logs,
 * X-Ray, stage throttling, CORS for the stage's origins, and a WAF web ACL in front.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { isAnonymous, ROUTES, type RouteGroup } from '../functions/api/routes.js';
import { API_SCOPE } from '../functions/config/claims.js';
import { STAGE_VARIABLES } from '../functions/config/environment.js';
import { CORS_EXPOSED_HEADERS } from '../functions/middleware/correlation.js';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from '../functions/middleware/problem.js';
import { apiGatewayThrottle, SHARED_LINK_RATE_PER_MINUTE, SHARED_PATH_PREFIX, type StageSettings, WAF_EVALUATION_WINDOW_SECONDS, wafRateLimit } from './stages.js';

/**
 * API Gateway's own answers (no function ran: authorizer refusals, throttling, unknown
 * paths, bodies too large, ...), as the functions answer: problem+json with the service's
 * problem types and the headers of every answer (API.md, "Input and answers, tightened").
 * Without `status` the answer keeps API Gateway's own code (DEFAULT_4XX covers several),
 * and its body then has no `status` member: a template cannot read the status code.
 */
export interface GatewayProblem {
  readonly id: string;
  readonly type: apigw.ResponseType;
  readonly status?: number;
  readonly code: string;
  readonly title: string;
  /** @default API Gateway's own message (`$context.error.message`) */
  readonly detail?: string;
  /** Extra headers, as API Gateway mapping values (`'static'`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  { id: 'Unauthorized', type: apigw.ResponseType.UNAUTHORIZED, status: 401, code: 'unauthenticated', title: 'Authentication required', headers: { 'WWW-Authenticate': "'Bearer'" } },
  { id: 'AccessDenied', type: apigw.ResponseType.ACCESS_DENIED, status: 403, code: 'forbidden', title: 'Forbidden' },
  // A REST API answers a path (or method) it does not know with 403 "Missing Authentication Token".
  { id: 'MissingAuthenticationToken', type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, code: 'no-route', title: 'Not found', detail: 'No endpoint has this path and method' },
  { id: 'ResourceNotFound', type: apigw.ResponseType.RESOURCE_NOT_FOUND, status: 404, code: 'no-route', title: 'Not found' },
  { id: 'BadRequestParameters', type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, status: 400, code: 'invalid-input', title: 'Invalid input' },
  { id: 'BadRequestBody', type: apigw.ResponseType.BAD_REQUEST_BODY, status: 400, code: 'invalid-input', title: 'Invalid input' },
  { id: 'RequestTooLarge', type: apigw.ResponseType.REQUEST_TOO_LARGE, status: 413, code: 'payload-too-large', title: 'Payload too large' },
  { id: 'UnsupportedMediaType', type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 415, code: 'unsupported-media-type', title: 'Unsupported media type' },
  { id: 'Throttled', type: apigw.ResponseType.THROTTLED, status: 429, code: 'throttled', title: 'Too many requests', headers: { 'Retry-After': "'1'" } },
  { id: 'IntegrationTimeout', type: apigw.ResponseType.INTEGRATION_TIMEOUT, status: 504, code: 'timeout', title: 'Endpoint request timed out' },
  { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, code: 'client-error', title: 'Request refused' },
  { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, code: 'internal', title: 'Internal error' },
];

/** On every gateway answer; `context.requestId` is what the functions answer as X-Request-Id. */
export const GATEWAY_ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': `'${PROBLEM_CONTENT_TYPE}'`,
  'X-Request-Id': 'context.requestId',
  'Cache-Control': "'no-store'",
  'X-Content-Type-Options': "'nosniff'",
  'Strict-Transport-Security': "'max-age=31536000'",
};

/** The problem+json body template; `$context.error.messageString` is API Gateway's message, JSON-quoted. */
export function gatewayProblemBody(answer: GatewayProblem): string {
  const head = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${answer.code}`, title: answer.title, ...(answer.status !== undefined && { status: answer.status }) });
  const detail = answer.detail !== undefined ? JSON.stringify(answer.detail) : '$context.error.messageString';
  return `${head.slice(0, -1)},"detail":${detail},"correlationId":"$context.requestId"}`;
}

/** Headers a browser may send cross-origin. */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
export const CORS_EXPOSE_HEADERS = [...CORS_EXPOSED_HEADERS];

export interface EvidenceApiProps {
  readonly settings: StageSettings;
  readonly userPool: cognito.IUserPool;
  /** The Lambda serving each route group. */
  readonly handlers: Readonly<Record<RouteGroup, lambda.IFunction>>;
  /** Encrypts the access log group. */
  readonly logKey: kms.IKey;
  /** The web console's origin (CloudFront), allowed by CORS beside the stage's allowedOrigins. @default none */
  readonly consoleOrigin?: string;
}

export class EvidenceApi extends Construct {
  readonly api: apigw.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly accessLogs: logs.LogGroup;
  /** The web ACL's CloudWatch metric name (dimension `WebACL` of AWS/WAFV2 metrics). */
  readonly webAclMetricName: string;

  constructor(scope: Construct, id: string, props: EvidenceApiProps) {
    super(scope, id);
    const allowedOrigins = [...(props.consoleOrigin ? [props.consoleOrigin] : []), ...props.settings.allowedOrigins];
    const { settings } = props;
    const throttle = apiGatewayThrottle(settings.rateLimits);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `evidence-requests-${settings.stage}`,
      description: 'Evidence requests between buyers and factories',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: settings.stage,
        // The handlers answer CORS for these origins (functions/middleware/correlation.ts).
        ...(allowedOrigins.length > 0 && { variables: { [STAGE_VARIABLES.allowedOrigins]: allowedOrigins.join(',') } }),
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request and response bodies hold compliance data: never in execution logs.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            extendedRequestId: '$context.extendedRequestId',
            requestTime: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            user: '$context.authorizer.claims.sub',
            clientId: '$context.authorizer.claims.client_id',
            method: '$context.httpMethod',
            // The resource path only: the raw path of `GET /v1/shared/{token}` would put a share token in the log.
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integration.latency',
            authorizerError: '$context.authorizer.error',
            wafStatus: '$context.waf.status',
            errorType: '$context.error.responseType',
          }),
        ),
        throttlingRateLimit: throttle.ratePerSecond,
        throttlingBurstLimit: throttle.burst,
      },
      defaultCorsPreflightOptions: allowedOrigins.length
        ? {
            allowOrigins: allowedOrigins,
            allowMethods: ['GET', 'POST', 'OPTIONS'],
            allowHeaders: CORS_ALLOW_HEADERS,
            exposeHeaders: CORS_EXPOSE_HEADERS,
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role needs AmazonAPIGatewayPushToCloudWatchLogs (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).',
    });

    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const integrations = new Map<RouteGroup, apigw.LambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.group);
      if (!integration) {
        integration = new apigw.LambdaIntegration(props.handlers[route.group], { proxy: true, allowTestInvoke: false });
        integrations.set(route.group, integration);
      }
      const requestParameters = Object.fromEntries(
        [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => [`method.request.path.${m[1]}`, true]),
      );
      const resource = this.api.root.resourceForPath(route.path);
      const method = resource.addMethod(route.method, integration, {
        operationName: route.operation ?? route.summary,
        requestValidator: validator,
        requestParameters,
        ...(route.operation && !isAnonymous(route)
          ? { authorizer, authorizationType: apigw.AuthorizationType.COGNITO, authorizationScopes: [API_SCOPE] }
          : { authorizationType: apigw.AuthorizationType.NONE }),
      });
      if (isAnonymous(route)) {
        for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(method).acknowledge({
            id: rule,
            reason: `${route.method} ${route.path} is a share link for someone without an account (API.md 1.1): the 256-bit token in the path is the credential, checked by the function; WAF limits it to ${SHARED_LINK_RATE_PER_MINUTE} requests a minute per address.`,
          });
        }
      }
      if (!route.operation) {
        for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(method).acknowledge({
            id: rule,
            reason: `${route.method} ${route.path} is public by the API contract (liveness / API description), holds no tenant data and is rate-limited by WAF.`,
          });
        }
      }
    }
    // CORS preflights cannot carry credentials, so their OPTIONS methods have no authorizer.
    for (const child of this.api.root.node.findAll()) {
      if (child instanceof apigw.Method && child.httpMethod === 'OPTIONS') {
        for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(child).acknowledge({ id: rule, reason: 'CORS preflight (OPTIONS) requests never carry credentials; the mock integration returns only CORS headers.' });
        }
      }
    }

    const corsHeaders: Record<string, string> = allowedOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${allowedOrigins[0]}'` } : {};
    for (const answer of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(answer.id, {
        type: answer.type,
        ...(answer.status !== undefined && { statusCode: String(answer.status) }),
        responseHeaders: { ...GATEWAY_ANSWER_HEADERS, ...answer.headers, ...corsHeaders },
        // API Gateway picks a template by the request's Accept; every key gets the same body.
        templates: { 'application/json': gatewayProblemBody(answer), 'application/problem+json': gatewayProblemBody(answer) },
      });
    }

    this.webAclMetricName = `evidence-requests-${settings.stage}`;
    this.webAcl = this.createWebAcl(settings, this.webAclMetricName);
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  private createWebAcl(settings: StageSettings, name: string): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const rateLimited: wafv2.CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'rateLimited',
          // WAF answers before API Gateway: it has no request id to give, the rest it can carry.
          responseHeaders: [
            { name: 'Retry-After', value: String(WAF_EVALUATION_WINDOW_SECONDS) },
            ...Object.entries(GATEWAY_ANSWER_HEADERS)
              .filter(([header]) => header !== 'X-Request-Id' && header !== 'Content-Type')
              .map(([header, value]) => ({ name: header, value: value.slice(1, -1) })),
          ],
        },
      },
    };
    const managed = (ruleName: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name: ruleName,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: ruleName } },
      visibilityConfig: visibility(ruleName),
    });
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${name}-${Stack.of(this).stackName}`.slice(0, 128),
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ type: `${PROBLEM_TYPE_BASE}rate-limited`, title: 'Too many requests', status: 429 }),
        },
      },
      rules: [
        {
          name: 'RatePerAddress',
          priority: 0,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              evaluationWindowSec: WAF_EVALUATION_WINDOW_SECONDS,
              limit: wafRateLimit(settings.rateLimits.perAddress),
            },
          },
          visibilityConfig: visibility('RatePerAddress'),
        },
        {
          // Per bearer token, i.e. per signed-in session: WAF cannot read the user out of
          // the JWT, and a token lives at most 15 minutes. Requests without one are not counted.
          name: 'RatePerToken',
          priority: 1,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              evaluationWindowSec: WAF_EVALUATION_WINDOW_SECONDS,
              limit: wafRateLimit(settings.rateLimits.perUser),
            },
          },
          visibilityConfig: visibility('RatePerToken'),
        },
        {
          // Share links are the one route without sign-in: 10 a minute per address, so a token cannot be guessed by volume.
          name: 'SharedLinksPerAddress',
          priority: 2,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              evaluationWindowSec: 60,
              limit: SHARED_LINK_RATE_PER_MINUTE,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'CONTAINS',
                  // The stage name precedes the path on the execute-api host: match anywhere in it.
                  searchString: SHARED_PATH_PREFIX,
                  textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('SharedLinksPerAddress'),
        },
        managed('AWSManagedRulesCommonRuleSet', 3),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 4),
      ],
    });
  }
}
