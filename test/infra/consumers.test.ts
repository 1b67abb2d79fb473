import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DENIALS_PER_USER_PER_HOUR } from '../../lib/monitoring.js';
import { synthApp } from './app.js';

let stateless: Template;
beforeAll(() => {
  stateless = synthApp({ stage: 'dev', alarmEmail: 'oncall@example.com' }).statelessTemplate;
});

const alarms = () => Object.entries(stateless.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => ({ id, ...a.Properties }));

describe('archiver', () => {
  it('reads the stream from TRIM_HORIZON in batches of up to 1,000 within a 5 s window, bisects, retries finitely and reports partial failures', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 12 * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    for (const queue of Object.values(stateless.findResources('AWS::SQS::Queue'))) {
      // (the export's and the backup jobs' failure queues)
      expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    }
  });
});

describe('export', () => {
  it('runs hourly on an EventBridge schedule with a failure destination', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('alarms', () => {
  it('sends every alarm to a KMS-encrypted topic with the configured email', () => {
    stateless.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    const all = alarms();
    expect(all.length).toBeGreaterThanOrEqual(11);
    for (const a of all) expect(a.AlarmActions, a.id).toHaveLength(1);
  });

  it.each([
    ['ArchiverErrors', 'Errors'],
    ['ArchiverIteratorAge', 'IteratorAge'],
    ['ArchiverFailureRecords', 'TriggeredRules'],
    ['Api5xx', '5XXError'],
    ['ExportErrors', 'Errors'],
    ['ExportFailureQueueDepth', 'ApproximateNumberOfMessagesVisible'],
    ['ReconciliationMismatch', 'ReconciliationMismatches'],
    ['NoAuditEvents', 'AuditHeartbeatsArchived'],
    ['KeyTamperAttempts', 'TriggeredRules'],
    ['TableExportErrors', 'Errors'],
    ['BackupDrillErrors', 'Errors'],
    ['BackupJobFailureQueueDepth', 'ApproximateNumberOfMessagesVisible'],
    ['PrivilegedRoleChange', 'PrivilegedRoleChanges'],
  ])('has the %s alarm on %s', (name, metric) => {
    const alarm = alarms().find((a) => a.id.startsWith(`Monitoring${name}`));
    expect(alarm, name).toBeDefined();
    expect(alarm!.MetricName).toBe(metric);
  });

  it('alarms on the first change of an admin\'s or auditor\'s role, counted from the directory function\'s log', () => {
    const filter = Object.values(stateless.findResources('AWS::Logs::MetricFilter')).find((f) => f.Properties.MetricTransformations[0].MetricName === 'PrivilegedRoleChanges')!;
    expect(filter.Properties.FilterPattern).toBe('{ $.directory.event = "privileged-role-changed" }');
    expect(JSON.stringify(filter.Properties.LogGroupName)).toMatch(/Apidirectory/);
    const alarm = alarms().find((a) => a.id.startsWith('MonitoringPrivilegedRoleChange'))!;
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum', Period: 300, TreatMissingData: 'notBreaching' });
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('alarms on throttles (Lambda and WAF rate rules)', () => {
    expect(alarms().find((a) => a.id.startsWith('MonitoringLambdaThrottles'))?.Metrics).toBeDefined();
    expect(JSON.stringify(alarms().find((a) => a.id.startsWith('MonitoringApiRateLimited'))?.Metrics)).toContain('RatePerAddress');
  });

  it(`alarms when one user is denied more than ${DENIALS_PER_USER_PER_HOUR} times in an hour (Contributor Insights on the denial log line)`, () => {
    const rules = Object.values(stateless.findResources('AWS::CloudWatch::InsightRule'));
    expect(rules).toHaveLength(1);
    const body = JSON.parse(JSON.stringify(rules[0]!.Properties.RuleBody));
    expect(JSON.stringify(body)).toMatch(/LogGroupNames/);
    expect(JSON.stringify(body)).toContain('\\"Keys\\":[\\"$.audit.actorId\\"]');
    expect(JSON.stringify(body)).toContain('\\"Filters\\":[{\\"Match\\":\\"$.audit.outcome\\",\\"In\\":[\\"DENIED\\"]}]');
    const alarm = alarms().find((a) => a.id.startsWith('MonitoringDenialsPerUser'))!;
    expect(alarm).toMatchObject({ Threshold: DENIALS_PER_USER_PER_HOUR, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = JSON.stringify(alarm.Metrics);
    expect(metrics.match(/INSIGHT_RULE_METRIC/g)).toHaveLength(1);
    expect(metrics).toContain('"Period":3600');
  });

  it('counts denials with one metric filter per audited API function on the logger\'s denial line', () => {
    const filters = Object.values(stateless.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties);
    const denialFilters = filters.filter((f) => f.MetricTransformations[0].MetricName === 'Denials');
    // requests, evidence, audit, notifications, directory, packs: every audited route group.
    expect(denialFilters).toHaveLength(6);
    for (const f of denialFilters) expect(f.FilterPattern).toBe('{ $.audit.outcome = "DENIED" }');
  });

  it('has a dashboard', () => {
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
