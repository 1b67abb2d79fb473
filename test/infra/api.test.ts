import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAnonymous, ROUTES } from '../../functions/api/routes.js';
import { API_SCOPE } from '../../functions/config/claims.js';
import { apiGatewayThrottle, DEFAULT_RATE_LIMITS, WAF_EVALUATION_WINDOW_SECONDS, wafRateLimit } from '../../lib/stages.js';
import { synthApp } from './app.js';

let template: Template;
beforeAll(() => {
  template = synthApp({ stage: 'dev' }).statelessTemplate;
});

type Resource = { Properties: Record<string, any> };
const resources = (type: string) => template.findResources(type) as Record<string, Resource>;

/** Rebuilds each method's full path from the AWS::ApiGateway::Resource tree. */
function methodsByRoute(): Map<string, Record<string, any>> {
  const apiResources = resources('AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (!id) return '';
    const r = apiResources[id]!;
    return `${pathOf(r.Properties.ParentId)}/${r.Properties.PathPart}`;
  };
  const map = new Map<string, Record<string, any>>();
  for (const m of Object.values(resources('AWS::ApiGateway::Method'))) {
    map.set(`${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`, m.Properties);
  }
  return map;
}

describe('routes', () => {
  it('has a method for every route, and no others but CORS preflights', () => {
    const methods = [...methodsByRoute().keys()].filter((k) => !k.startsWith('OPTIONS'));
    expect(methods.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('puts a Cognito authorizer with the API scope on every method but health, openapi and the share links', () => {
    const methods = methodsByRoute();
    for (const route of ROUTES) {
      const m = methods.get(`${route.method} ${route.path}`)!;
      if (route.operation && !isAnonymous(route)) {
        expect(m).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: [API_SCOPE], AuthorizerId: expect.anything() });
      } else {
        expect(['/v1/health', '/v1/openapi.json', '/v1/shared/{token}']).toContain(route.path);
        expect(m.AuthorizationType).toBe('NONE');
      }
    }
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', IdentitySource: 'method.request.header.Authorization' });
  });

  it('routes each method to the Lambda of its group', () => {
    const methods = methodsByRoute();
    const fnIds = Object.fromEntries(Object.keys(resources('AWS::Lambda::Function')).map((id) => [id, id]));
    for (const route of ROUTES) {
      const uri = JSON.stringify(methods.get(`${route.method} ${route.path}`)!.Integration.Uri);
      const target = Object.keys(fnIds).find((id) => uri.includes(id));
      expect(target, `${route.method} ${route.path}`).toMatch(new RegExp(`^Api${route.group}`));
    }
  });

  it('validates requests: required path parameters, with a request validator on every method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    const m = methodsByRoute().get('POST /v1/requests/{requestId}/items/{itemId}/fulfill')!;
    expect(m.RequestParameters).toEqual({ 'method.request.path.requestId': true, 'method.request.path.itemId': true });
    for (const [key, method] of methodsByRoute()) {
      if (!key.startsWith('OPTIONS')) expect(method.RequestValidatorId, key).toBeDefined();
    }
  });
});

describe('stage', () => {
  it('writes JSON access logs, traces with X-Ray, logs errors without bodies and throttles from the stage settings', () => {
    const throttle = apiGatewayThrottle(DEFAULT_RATE_LIMITS);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: throttle.ratePerSecond,
          ThrottlingBurstLimit: throttle.burst,
        }),
      ],
    });
    const [stage] = Object.values(resources('AWS::ApiGateway::Stage'));
    expect(() => JSON.parse(stage!.Properties.AccessLogSetting.Format)).not.toThrow();
    expect(throttle.ratePerSecond).toBeGreaterThanOrEqual(DEFAULT_RATE_LIMITS.perAddress.ratePerSecond);
  });

  it('answers 401 with WWW-Authenticate: Bearer from the authorizer', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }),
    });
  });
});

describe("API Gateway's own answers", () => {
  const gatewayResponses = () => Object.values(resources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
  const byType = (type: string) => gatewayResponses().find((r) => r.ResponseType === type);
  /** The body a template renders, with API Gateway's variables filled in as it would. */
  const rendered = (templateText: string) =>
    JSON.parse(templateText.replaceAll('$context.requestId', 'req-123').replaceAll('$context.error.messageString', '"Message from API Gateway"'));

  it.each(['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'ACCESS_DENIED', 'THROTTLED', 'MISSING_AUTHENTICATION_TOKEN', 'REQUEST_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'])(
    'answers %s as problem+json with X-Request-Id, no-store, nosniff and HSTS',
    (type) => {
      const response = byType(type);
      expect(response, type).toBeDefined();
      expect(response!.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.X-Request-Id': 'context.requestId',
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000'",
      });
      for (const templateText of Object.values(response!.ResponseTemplates as Record<string, string>)) {
        const body = rendered(templateText);
        expect(body).toMatchObject({ type: expect.stringMatching(/^urn:evidence-requests:problem:[a-z-]+$/), title: expect.any(String), detail: expect.any(String), correlationId: 'req-123' });
        if (response!.StatusCode) expect(body.status).toBe(Number(response!.StatusCode));
        else expect(body).not.toHaveProperty('status');
      }
      expect(Object.keys(response!.ResponseTemplates)).toEqual(expect.arrayContaining(['application/json', 'application/problem+json']));
    },
  );

  it('answers an unknown path or method with 404 no-route, as the functions and the local server do', () => {
    const response = byType('MISSING_AUTHENTICATION_TOKEN')!;
    expect(response.StatusCode).toBe('404');
    expect(rendered(response.ResponseTemplates['application/json'])).toMatchObject({ type: 'urn:evidence-requests:problem:no-route', status: 404, detail: 'No endpoint has this path and method' });
    expect(rendered(byType('DEFAULT_4XX')!.ResponseTemplates['application/json']).detail).toBe('Message from API Gateway');
  });

  it('answers throttling with 429 and Retry-After, and the authorizer with 401 unauthenticated', () => {
    expect(byType('THROTTLED')).toMatchObject({ StatusCode: '429', ResponseParameters: expect.objectContaining({ 'gatewayresponse.header.Retry-After': "'1'" }) });
    expect(rendered(byType('UNAUTHORIZED')!.ResponseTemplates['application/json']).type).toBe('urn:evidence-requests:problem:unauthenticated');
  });

  it('keeps API Gateway\'s own status for the catch-all 4XX and 5XX answers', () => {
    expect(byType('DEFAULT_4XX')!.StatusCode).toBeUndefined();
    expect(byType('DEFAULT_5XX')!.StatusCode).toBeUndefined();
  });

  it('sets these headers on every gateway answer it defines', () => {
    for (const response of gatewayResponses()) {
      expect(Object.keys(response.ResponseParameters)).toEqual(
        expect.arrayContaining(['gatewayresponse.header.X-Request-Id', 'gatewayresponse.header.Cache-Control', 'gatewayresponse.header.X-Content-Type-Options']),
      );
    }
  });
});

describe('CORS', () => {
  it('allows only the web console and the configured origins, in preflights and (by stage variable) in the handlers\' answers', () => {
    const consoleOrigin = { 'Fn::ImportValue': 'EvidenceRequests-dev-Stateful-WebConsoleOrigin' };
    const preflights = Object.values(resources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    for (const p of preflights) {
      const [answer] = p.Properties.Integration.IntegrationResponses;
      expect(answer.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toEqual({ 'Fn::Join': ['', ["'", consoleOrigin, "'"]] });
      expect(answer.ResponseTemplates['application/json']).toContain('#if($origin == "http://localhost:5173")');
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { Variables: { allowedOrigins: { 'Fn::Join': ['', [consoleOrigin, ',http://localhost:5173']] } } });
  });

  it('lists several origins without a wildcard', () => {
    const t = synthApp({ stage: 'dev', allowedOrigins: 'https://a.example.com,https://b.example.com' }).statelessTemplate;
    expect(JSON.stringify(t.toJSON())).not.toContain("Access-Control-Allow-Origin\":\"'*'");
    expect(JSON.stringify(t.toJSON())).toContain('https://b.example.com');
  });
});

describe('WAF', () => {
  it('is associated with the stage', () => {
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('rate-limits per client address and per bearer token from the stage settings, with managed rule groups', () => {
    const [acl] = Object.values(resources('AWS::WAFv2::WebACL'));
    expect(acl!.Properties.Scope).toBe('REGIONAL');
    const rules = acl!.Properties.Rules as Array<Record<string, any>>;
    const byName = Object.fromEntries(rules.map((r) => [r.Name, r]));
    expect(byName['RatePerAddress'].Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      EvaluationWindowSec: WAF_EVALUATION_WINDOW_SECONDS,
      Limit: wafRateLimit(DEFAULT_RATE_LIMITS.perAddress),
    });
    expect(byName['RatePerToken'].Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'CUSTOM_KEYS',
      Limit: wafRateLimit(DEFAULT_RATE_LIMITS.perUser),
    });
    expect(byName['RatePerAddress'].Action.Block.CustomResponse.ResponseCode).toBe(429);
    expect(byName['RatePerAddress'].Action.Block.CustomResponse.ResponseHeaders).toEqual(
      expect.arrayContaining([
        { Name: 'Cache-Control', Value: 'no-store' },
        { Name: 'X-Content-Type-Options', Value: 'nosniff' },
        { Name: 'Strict-Transport-Security', Value: 'max-age=31536000' },
      ]),
    );
    expect(JSON.parse(acl!.Properties.CustomResponseBodies.rateLimited.Content)).toEqual({ type: 'urn:evidence-requests:problem:rate-limited', title: 'Too many requests', status: 429 });
    for (const group of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
      expect(byName[group].Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: group });
    }
  });

  it('allows at least the contract floor per address over the evaluation window', () => {
    expect(wafRateLimit(DEFAULT_RATE_LIMITS.perAddress)).toBeGreaterThanOrEqual(500 * WAF_EVALUATION_WINDOW_SECONDS);
    expect(wafRateLimit(DEFAULT_RATE_LIMITS.perUser)).toBeGreaterThanOrEqual(50 * WAF_EVALUATION_WINDOW_SECONDS);
  });
});
