/**
 * Log lines as the functions write them: one JSON object per line from the service logger,
 * with the call's correlation id and route, and the denial line counted by the very metric
 * filter and Contributor Insights rule the stack deploys.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/api/routes.js';
import type { RequestRepository } from '../../functions/core/ports.js';
import { logger } from '../../functions/observability/logger.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { filterMatches, insightContributor, type InsightRuleBody } from '../support/log-filter-pattern.js';
import { synthApp } from '../infra/app.js';

let api: TestApi;
let failing: TestApi;
let denialPatterns: string[];
let privilegedPatterns: string[];
let denialRule: InsightRuleBody;
let output: string[] = [];
const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

/** A CloudFormation value with its references replaced by placeholders, as text. */
function resolved(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : 'log-group')).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

beforeAll(async () => {
  const template = synthApp({ stage: 'dev' }).statelessTemplate;
  denialPatterns = Object.values(template.findResources('AWS::Logs::MetricFilter'))
    .filter((f) => f.Properties.MetricTransformations[0].MetricName === 'Denials')
    .map((f) => f.Properties.FilterPattern as string);
  privilegedPatterns = Object.values(template.findResources('AWS::Logs::MetricFilter'))
    .filter((f) => f.Properties.MetricTransformations[0].MetricName === 'PrivilegedRoleChanges')
    .map((f) => f.Properties.FilterPattern as string);
  const [rule] = Object.values(template.findResources('AWS::CloudWatch::InsightRule'));
  denialRule = JSON.parse(resolved(rule!.Properties.RuleBody)) as InsightRuleBody;
  api = await startTestApi();
  const broken = async () => {
    throw new Error('table unreachable', { cause: new Error('socket hang up') });
  };
  failing = await startTestApi({ requests: new Proxy({}, { get: () => broken }) as RequestRepository });
});
afterAll(async () => {
  await api.stop();
  await failing.stop();
});

/** Captures what the logger writes (to process.stdout and process.stderr itself, past vitest's console capture). */
function captureOutput(): void {
  output = [];
  logger.setLogLevel('INFO');
  const capture = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
}
afterEach(() => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
  logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO');
});

/** Every line written, each parsed: throws unless each line is exactly one JSON object. */
function linesOf(correlationId: string): { line: string; entry: Record<string, unknown> }[] {
  const lines = output.join('').split('\n').filter((l) => l !== '');
  const parsed = lines.map((line) => ({ line, entry: JSON.parse(line) as Record<string, unknown> }));
  return parsed.filter((p) => p.entry.correlationId === correlationId);
}

describe('log lines', () => {
  it('logs a denial as one JSON line with the correlation id and route, counted by the deployed metric filter and insight rule', async () => {
    captureOutput();
    const me = await api.call('GET', '/v1/me', { as: 'factory1' });
    const denied = await api.call('POST', '/v1/requests', { as: 'factory1', body: { factoryId: 'F001', title: 't', items: [{ docType: 'x' }] } });
    expect(denied.status).toBe(403);
    const ok = await api.call('GET', '/v1/requests', { as: 'factory1' });
    expect(ok.status).toBe(200);

    const [denial, ...more] = linesOf(denied.requestId);
    expect(more).toEqual([]);
    expect(denial!.entry).toMatchObject({
      level: 'INFO',
      message: 'call denied',
      service: 'evidence-requests',
      correlationId: denied.requestId,
      route: 'POST /v1/requests',
      audit: { outcome: 'DENIED', action: 'request.create', actorId: me.body.userId, statusCode: 403 },
    });
    // One per audited API function (every route group but public).
    expect(denialPatterns).toHaveLength(ROUTE_GROUPS.length - 1);
    for (const pattern of denialPatterns) expect(filterMatches(pattern, denial!.line), pattern).toBe(true);
    expect(insightContributor(denialRule, denial!.line)).toEqual([me.body.userId]);

    // Nothing else a call logs counts as a denial.
    const others = output.join('').split('\n').filter((l) => l !== '' && l !== denial!.line);
    for (const line of others) {
      for (const pattern of denialPatterns) expect(filterMatches(pattern, line)).toBe(false);
      expect(insightContributor(denialRule, line)).toBeUndefined();
    }
  });

  it('logs a 5xx as one ERROR line with the cause chain, which the answer never shows', async () => {
    captureOutput();
    const answer = await failing.call('GET', '/v1/requests', { as: 'buyer1' });
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toContain('table unreachable');
    const errors = linesOf(answer.requestId).filter((l) => l.entry.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.entry).toMatchObject({
      message: 'call failed',
      route: 'GET /v1/requests',
      error: { name: 'Error', message: 'table unreachable', cause: { message: 'socket hang up' } },
    });
    expect(errors[0]!.line).not.toContain('\n');
    for (const pattern of denialPatterns) expect(filterMatches(pattern, errors[0]!.line)).toBe(false);
  });
});

describe('the privileged-role alarm\'s log line', () => {
  it('is written for a change of an auditor\'s or admin\'s role and matched by the deployed filter; other changes write none that match', async () => {
    expect(privilegedPatterns).toHaveLength(1);
    const pattern = privilegedPatterns[0]!;
    const create = async (role: string, orgId?: string) =>
      (await api.call('POST', '/v1/users', { as: 'admin1', body: { username: `log-${role}-${Date.now().toString(36)}`, email: 'l@example.com', role, ...(orgId && { orgId }) } })).body.userId as string;
    const buyer = await create('buyer', 'B001');
    const auditor = await create('auditor');
    captureOutput();
    expect((await api.call('POST', `/v1/users/${buyer}/change-role`, { as: 'admin1', body: { role: 'factory', orgId: 'F001' } })).status).toBe(200);
    const quiet = output.join('').split('\n').filter((l) => l !== '');
    expect(quiet.filter((line) => filterMatches(pattern, line))).toEqual([]);
    expect((await api.call('POST', `/v1/users/${auditor}/change-role`, { as: 'admin1', body: { role: 'admin' } })).status).toBe(200);
    const lines = output.join('').split('\n').filter((l) => l !== '' && filterMatches(pattern, l));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'WARN', message: 'privileged role changed', directory: { userId: auditor, from: 'auditor', to: 'admin' } });
  });
});
