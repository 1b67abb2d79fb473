/**
 * What a first deploy or the first quiet night would break (issue 10), one describe per
 * defect: each assertion fails on the template as it was before the fix.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_HEARTBEAT_METRIC } from '../../functions/archive/heartbeat.js';
import { BACKUP_RETENTION, backupVaultName } from '../../lib/backups.js';
import { DESTRUCTIVE_KEY_ACTIONS, WATCHED_KEY_EVENTS } from '../../lib/key-protection.js';
import { stageSettings } from '../../lib/stages.js';
import { PROD_CONTEXT, synthApp, type TestApp } from './app.js';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type Statement = { Sid?: string; Effect: string; Principal?: any; Action: string | string[]; Resource?: unknown; Condition?: Record<string, any> };

let dev: TestApp;
let prod: TestApp;
beforeAll(() => {
  dev = synthApp({ stage: 'dev', alarmEmail: 'oncall@example.com' });
  prod = synthApp(PROD_CONTEXT);
});

const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const alarm = (t: Template, name: string) => {
  const found = resources(t, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith(`Monitoring${name}`));
  expect(found, name).toHaveLength(1);
  return found[0]!;
};

describe('1. alarm e-mail is delivered: the topic policy lets CloudWatch publish', () => {
  it('allows cloudwatch.amazonaws.com sns:Publish for this account\'s alarms only, beside the SSL Deny', () => {
    const [policy] = resources(dev.statelessTemplate, 'AWS::SNS::TopicPolicy').filter(([id]) => id.startsWith('MonitoringAlarmTopic'));
    const statements = policy![1].Properties.PolicyDocument.Statement as Statement[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const allow = statements.find((s) => s.Sid === 'AllowCloudWatchAlarms')!;
    expect(allow).toMatchObject({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' });
    expect(allow.Condition!['StringEquals']).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(JSON.stringify(allow.Condition!['ArnLike']['aws:SourceArn'])).toContain(':cloudwatch:eu-west-1:');
    expect(JSON.stringify(allow.Condition!['ArnLike']['aws:SourceArn'])).toContain(':alarm:*');
  });

  it('lets EventBridge rules publish to the encrypted topic (key policy of the ops key)', () => {
    const keys = resources(dev.statefulTemplate, 'AWS::KMS::Key').map(([, k]) => k.Properties.KeyPolicy.Statement as Statement[]);
    expect(keys.flat()).toContainEqual(expect.objectContaining({ Sid: 'AllowEventBridgeRules', Principal: { Service: 'events.amazonaws.com' } }));
  });
});

describe('2. deploys in new accounts: no reserved concurrency unless the stage asks', () => {
  it('reserves nothing by default', () => {
    for (const [id, fn] of resources(dev.statelessTemplate, 'AWS::Lambda::Function')) expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
  });

  it('reserves the export\'s concurrency when the stage sets exportReservedConcurrency', () => {
    const t = synthApp({ stage: 'dev', exportReservedConcurrency: '1' }).statelessTemplate;
    const reserved = resources(t, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved.map(([id, fn]) => [id.replace(/Function.*/, ''), fn.Properties.ReservedConcurrentExecutions])).toEqual([['Export', 1]]);
  });
});

describe('3. "no audit events" means a broken pipeline: it watches the archived heartbeat', () => {
  it('alarms on the archiver\'s heartbeat metric (EMF), two silent hours, missing data breaching', () => {
    const [, a] = alarm(dev.statelessTemplate, 'NoAuditEvents');
    expect(a.Properties).toMatchObject({
      Namespace: AUDIT_HEARTBEAT_METRIC.namespace,
      MetricName: AUDIT_HEARTBEAT_METRIC.name,
      Dimensions: [{ Name: 'service', Value: AUDIT_HEARTBEAT_METRIC.dimensions.service }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('no longer relies on best-effort S3 request metrics', () => {
    for (const [id, bucket] of resources(dev.statefulTemplate, 'AWS::S3::Bucket')) expect(bucket.Properties.MetricsConfigurations, id).toBeUndefined();
    expect(JSON.stringify(dev.statelessTemplate.toJSON())).not.toContain('PutRequests');
  });

  it('gives the export what writing the heartbeat audit event needs (its table name and TTL days)', () => {
    const [[, fn]] = resources(dev.statelessTemplate, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ExportFunction')) as [[string, Resource]];
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['TABLE_NAME', 'AUDIT_TTL_DAYS']));
  });
});

describe('5. archiver failures can be re-driven: an S3 on-failure destination keeps the whole batch', () => {
  it('sends abandoned batches to the failure bucket, not to a queue that keeps only their range', () => {
    const [[, mapping]] = resources(dev.statelessTemplate, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(JSON.stringify(mapping.Properties.DestinationConfig.OnFailure.Destination)).toContain('ArchiverFailureBucketArn');
    expect(resources(dev.statelessTemplate, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('ArchiverFailures'))).toEqual([]);
  });

  it('raises an EventBridge event for each failure record, which publishes to the topic and drives an alarm', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    // The evidence bucket's Object Created rule feeds the file verifier (test/infra/evidence-files.test.ts); this one is the failure bucket's.
    const rules = resources(dev.statelessTemplate, 'AWS::Events::Rule').filter(
      ([, r]) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('Object Created') && !JSON.stringify(r.Properties.Targets).includes('FileVerifier'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.EventPattern).toMatchObject({ source: ['aws.s3'], 'detail-type': ['Object Created'] });
    expect(JSON.stringify(rules[0]![1].Properties.Targets)).toContain('MonitoringAlarmTopic');
    expect(alarm(dev.statelessTemplate, 'ArchiverFailureRecords')[1].Properties.MetricName).toBe('TriggeredRules');
  });
});

describe('6. the denials-per-user alarm is created after its Contributor Insights rules', () => {
  it('depends on every rule it names', () => {
    const rules = resources(dev.statelessTemplate, 'AWS::CloudWatch::InsightRule').map(([id]) => id);
    expect(rules.length).toBeGreaterThan(0);
    const [, a] = alarm(dev.statelessTemplate, 'DenialsPerUser');
    expect(a.DependsOn).toEqual(expect.arrayContaining(rules));
  });
});

describe('7. the archive and signing keys cannot be deleted or disabled but by the break-glass role', () => {
  const keyStatements = (t: Template, match: (k: Resource) => boolean) =>
    resources(t, 'AWS::KMS::Key').filter(([, k]) => match(k)).map(([id, k]) => [id, k.Properties.KeyPolicy.Statement as Statement[]] as const);

  it('denies the destructive key actions to everyone else on the archive and signing keys', () => {
    const protectedKeys = keyStatements(prod.statefulTemplate, (k) => /audit archive|Signs audit archive/.test(k.Properties.Description));
    expect(protectedKeys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ArchiveKey', 'ManifestSigningKey']);
    const breakGlass = stageSettings('prod', { alarmEmail: 'a@b.co', allowedOrigins: ['https://a.b'], callbackUrls: ['https://a.b/c'], sesFromEmail: 'n@b.co' }).breakGlassRoleName;
    for (const [id, statements] of protectedKeys) {
      const deny = statements.find((s) => s.Effect === 'Deny');
      expect(deny, id).toBeDefined();
      expect(deny!.Principal).toEqual({ AWS: '*' });
      expect(actionsOf(deny!)).toEqual(expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:DisableKey']));
      expect(actionsOf(deny!)).toEqual(DESTRUCTIVE_KEY_ACTIONS);
      expect(JSON.stringify(deny!.Condition!['ArnNotEquals']['aws:PrincipalArn'])).toContain(`:role/${breakGlass}`);
    }
  });

  it('has the named break-glass role, assumable only with MFA', () => {
    const roles = resources(prod.statefulTemplate, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === 'evidence-requests-prod-break-glass');
    expect(roles).toHaveLength(1);
    expect(roles[0]![1].Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });

  it('alarms on any attempt, from CloudTrail management events for KMS', () => {
    const rules = resources(dev.statelessTemplate, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.kms');
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.EventPattern).toEqual({
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['kms.amazonaws.com'], eventName: WATCHED_KEY_EVENTS },
    });
    expect(WATCHED_KEY_EVENTS).toEqual(expect.arrayContaining(['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy']));
    expect(alarm(dev.statelessTemplate, 'KeyTamperAttempts')[1].Properties.Dimensions[0].Name).toBe('RuleName');
    dev.statefulTemplate.hasResourceProperties('AWS::CloudTrail::Trail', { IsLogging: true, IsMultiRegionTrail: true });
  });
});

describe('9. backups: a locked vault, daily and weekly, copied to a second region; native exports; a weekly drill', () => {
  it('backs up the table and the evidence bucket daily and weekly, each copied to the second region', () => {
    const plans = resources(prod.statefulTemplate, 'AWS::Backup::BackupPlan');
    expect(plans).toHaveLength(1);
    const rules = plans[0]![1].Properties.BackupPlan.BackupPlanRule as Array<Record<string, any>>;
    expect(rules.map((r) => [r.RuleName, r.Lifecycle.DeleteAfterDays])).toEqual([
      ['daily', BACKUP_RETENTION.dailyDays],
      ['weekly', BACKUP_RETENTION.weeklyDays],
    ]);
    const copyRegion = prod.backupCopy.region;
    expect(copyRegion).not.toBe(prod.stateful.region);
    for (const rule of rules) {
      expect(rule.CopyActions).toHaveLength(1);
      expect(JSON.stringify(rule.CopyActions[0].DestinationBackupVaultArn)).toContain(`:backup:${copyRegion}:`);
      expect(JSON.stringify(rule.CopyActions[0].DestinationBackupVaultArn)).toContain(backupVaultName('prod', 'copy'));
    }
    const [[, selection]] = resources(prod.statefulTemplate, 'AWS::Backup::BackupSelection') as [[string, Resource]];
    const selected = JSON.stringify(selection.Properties.BackupSelection.Resources);
    expect(selected).toContain('Table');
    expect(selected).toContain('EvidenceBucket');
  });

  it('locks both vaults in COMPLIANCE mode in prod (a cooling-off time, then immutable)', () => {
    for (const t of [prod.statefulTemplate, templateOf(prod.backupCopy)]) {
      t.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 7, ChangeableForDays: 3 } });
    }
    templateOf(prod.backupCopy).hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: backupVaultName('prod', 'copy') });
    // Dev vaults stay in GOVERNANCE mode (no ChangeableForDays), like the dev archive.
    dev.statefulTemplate.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 7, ChangeableForDays: Match.absent() } });
  });

  it('exports the table to S3 daily and runs the restore drill weekly on EventBridge Scheduler, with dead letters and alarms', () => {
    // (the daily reminder sweep has its own test: test/infra/notifications.test.ts)
    const schedules = resources(dev.statelessTemplate, 'AWS::Scheduler::Schedule').filter(([id]) => !id.startsWith('Notifications')).map(([, s]) => s.Properties);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(['cron(0 5 ? * MON *)', 'cron(30 2 * * ? *)', 'rate(1 hour)']);
    for (const s of schedules) expect(s.Target.DeadLetterConfig.Arn).toBeDefined();
    expect(schedules.map((s) => s.Target.Input).filter(Boolean).sort()).toEqual(['{"phase":"check"}', '{"phase":"start"}', '{}']);
    for (const name of ['TableExportErrors', 'BackupDrillErrors', 'BackupJobFailureQueueDepth']) alarm(dev.statelessTemplate, name);
    const exportRole = resources(dev.statelessTemplate, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('BackupJobsTableExportRole'));
    expect(JSON.stringify(exportRole)).toContain('dynamodb:ExportTableToPointInTime');
    const drillRole = resources(dev.statelessTemplate, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('BackupJobsDrillRole'));
    expect(JSON.stringify(drillRole)).toContain('dynamodb:RestoreTableToPointInTime');
  });
});

describe('10. the smaller ones', () => {
  it('logs WAF to a CloudWatch log group named aws-waf-logs-..., with the bearer token redacted', () => {
    const [[, config]] = resources(dev.statelessTemplate, 'AWS::WAFv2::LoggingConfiguration') as [[string, Resource]];
    expect(config.Properties.RedactedFields).toContainEqual({ SingleHeader: { Name: 'authorization' } });
    const groups = resources(dev.statelessTemplate, 'AWS::Logs::LogGroup').filter(([, g]) => String(g.Properties.LogGroupName ?? '').startsWith('aws-waf-logs-'));
    expect(groups).toHaveLength(1);
  });

  it('records S3 data events of the archive and the evidence bucket in CloudTrail', () => {
    const [[, trail]] = resources(dev.statefulTemplate, 'AWS::CloudTrail::Trail') as [[string, Resource]];
    const selectors = trail.Properties.EventSelectors as Array<{ DataResources?: Array<{ Type: string; Values: unknown[] }>; ReadWriteType: string }>;
    const s3 = selectors.flatMap((s) => s.DataResources ?? []).filter((d) => d.Type === 'AWS::S3::Object');
    const values = JSON.stringify(s3.flatMap((d) => d.Values));
    expect(values).toContain('ArchiveBucket');
    expect(values).toContain('EvidenceBucket');
    expect(trail.Properties.EnableLogFileValidation).toBe(true);
  });

  it('sends Cognito e-mail through SES from the stage\'s verified address in prod', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({ EmailSendingAccount: 'DEVELOPER', From: PROD_CONTEXT.sesFromEmail }),
    });
  });

  it('has an auditor role for Athena: MFA, read-only on the archive, its Glue tables and the workgroup', () => {
    const roles = resources(dev.statelessTemplate, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === 'evidence-requests-dev-auditor');
    expect(roles).toHaveLength(1);
    const [roleId] = roles[0]!;
    const statements = resources(dev.statelessTemplate, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['athena:StartQueryExecution', 'glue:GetTable', 's3:GetObject']));
    // The only write is its own query results.
    const writes = statements.filter((s) => actionsOf(s).some((a) => /Put|Delete|Create|Update/.test(a.split(':')[1]!)));
    expect(writes.map((s) => s.Sid)).toEqual(['OwnQueryResults']);
    expect(JSON.stringify(writes[0]!.Resource)).toContain('results/*');
  });

  it('keeps server access logs at least as long as the archive keeps objects', () => {
    const settings = stageSettings('dev');
    const logs = resources(dev.statefulTemplate, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('AccessLogBucket'));
    const rule = logs[0]![1].Properties.LifecycleConfiguration.Rules[0];
    // The most days any run of `retentionYears` calendar years can have (a leap day every 4 years).
    expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(settings.retentionYears * 365 + Math.ceil(settings.retentionYears / 4));
  });
});

function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}
