import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PROD_CONTEXT, synthApp } from './app.js';

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['dev', { stage: 'dev' }],
    ['prod', PROD_CONTEXT],
  ])('reports no unacknowledged finding for the %s stage', (_name, context) => {
    const { app } = synthApp(context);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const { app } = synthApp({ stage: 'dev' });
    const acks = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect({ id, reason: reason.length > 20 }).toEqual({ id, reason: true });
  });
});
