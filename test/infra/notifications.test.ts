/** The notification side in the template: notifier on the stream, webhook queue and worker, SES, the reminder schedule, their alarms. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/config/environment.js';
import { INDEXES } from '../../functions/config/table.js';
import { PROD_CONTEXT, synthApp } from './app.js';

let dev: Template;
let prod: Template;
let prodStateful: Template;
beforeAll(() => {
  dev = synthApp({ stage: 'dev', alarmEmail: 'oncall@example.com' }).statelessTemplate;
  const app = synthApp(PROD_CONTEXT);
  prod = app.statelessTemplate;
  prodStateful = app.statefulTemplate;
});

type Resource = { Properties: Record<string, any> };
const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const logicalId = (t: Template, type: string, prefix: string) => {
  const found = resources(t, type).filter(([id]) => id.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]![0];
};
const functionProps = (t: Template, prefix: string) => resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1].Properties;
const policiesOf = (t: Template, rolePrefix: string) =>
  resources(t, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);

describe('the notifier', () => {
  it('consumes the table stream from LATEST without a batching window, bisects, retries finitely, reports partial failures and has an SQS failure destination', () => {
    const failures = logicalId(prod, 'AWS::SQS::Queue', 'NotificationsNotifierFailures');
    const notifier = logicalId(prod, 'AWS::Lambda::Function', 'NotificationsNotifierFunction');
    prod.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: notifier },
      EventSourceArn: Match.anyValue(),
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
    });
  });

  it('gets the table, the console base URL, the delivery queue and (in prod) the SES sender and configuration set', () => {
    const vars = functionProps(prod, 'NotificationsNotifierFunction').Environment.Variables;
    expect(vars).toMatchObject({
      [ENV.tableName]: expect.anything(),
      [ENV.consoleBaseUrl]: 'https://app.example.com',
      [ENV.webhookQueueUrl]: expect.anything(),
      [ENV.mailFrom]: 'no-reply@example.com',
      [ENV.mailConfigurationSet]: expect.anything(),
    });
    expect(functionProps(dev, 'NotificationsNotifierFunction').Environment.Variables[ENV.mailFrom]).toBeUndefined();
  });

  it('writes only inbox items and webhook queue markers, sends only to the delivery queue and mails only through its identity', () => {
    const statements = policiesOf(prod, 'NotificationsNotifierRole');
    const writes = statements.filter((s) => JSON.stringify(s.Action).match(/dynamodb:(Put|Update)Item/));
    expect(writes.map((s) => s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']).sort()).toEqual([['INBOX#*'], ['WEBHOOK#*']]);
    const send = statements.find((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'))!;
    expect(JSON.stringify(send.Resource)).toContain('NotificationsWebhookDeliveries');
    const mail = statements.find((s) => s.Sid === 'SendNotificationMail')!;
    expect(mail.Action).toBe('ses:SendEmail');
    expect(JSON.stringify(mail.Resource)).toMatch(/identity\//);
    expect(JSON.stringify(mail.Resource)).toContain('NotificationsMailIdentity');
    expect(JSON.stringify(mail.Resource)).toMatch(/configuration-set/);
    expect(policiesOf(dev, 'NotificationsNotifierRole').some((s) => s.Sid === 'SendNotificationMail')).toBe(false);
  });
});

describe('webhook deliveries', () => {
  it('queue on an encrypted SQS queue with a dead-letter queue after 5 receives, drained by the worker reporting partial failures', () => {
    const deadLetters = logicalId(prod, 'AWS::SQS::Queue', 'NotificationsWebhookDeliveryDeadLetters');
    const queue = logicalId(prod, 'AWS::SQS::Queue', 'NotificationsWebhookDeliveries');
    prod.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 5 },
    });
    prod.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(prod, 'AWS::Lambda::Function', 'NotificationsWebhookWorkerFunction') },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('let the worker re-enqueue, write webhook items, its audit event and the disable notice, nothing else', () => {
    const statements = policiesOf(prod, 'NotificationsWebhookWorkerRole');
    const writes = statements.filter((s) => JSON.stringify(s.Action).match(/dynamodb:(Put|Update)Item/));
    expect(writes.map((s) => s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'][0]).sort()).toEqual(['AUDIT#*', 'EVENT#*', 'WEBHOOK#*']);
    expect(JSON.stringify(statements.find((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'))!.Resource)).toContain('NotificationsWebhookDeliveries');
    expect(JSON.stringify(statements)).not.toContain('ses:');
  });
});

describe('SES', () => {
  it('creates the sending identity and a configuration set, and names what must be verified by hand', () => {
    prod.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'no-reply@example.com', ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() } });
    prod.hasResourceProperties('AWS::SES::ConfigurationSet', { SendingOptions: { SendingEnabled: true }, ReputationOptions: { ReputationMetricsEnabled: true } });
    dev.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const outputs = prod.findOutputs('*');
    const identity = Object.entries(outputs).find(([id]) => id.includes('MailIdentityToVerify'))![1];
    expect(identity.Value).toBe('no-reply@example.com');
    expect(identity.Description).toMatch(/verification link/);
  });
});

describe('the reminder sweep', () => {
  it('runs daily on EventBridge Scheduler (UTC) with retries and a dead-letter queue', () => {
    const fn = logicalId(prod, 'AWS::Lambda::Function', 'NotificationsRemindersFunction');
    prod.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        RoleArn: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(prod, 'AWS::SQS::Queue', 'NotificationsReminderDeadLetters'), 'Arn'] } },
      },
    });
    const writes = policiesOf(prod, 'NotificationsRemindersRole').filter((s) => JSON.stringify(s.Action).match(/dynamodb:(Put|Update)Item/));
    expect(writes.map((s) => s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'])).toEqual([['EVENT#*']]);
  });

  it('reads the date index the stateful table defines', () => {
    const table = resources(prodStateful, 'AWS::DynamoDB::GlobalTable')[0]?.[1] ?? resources(prodStateful, 'AWS::DynamoDB::Table')[0]![1];
    const names = (table.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName);
    for (const index of [INDEXES.byDueOfOwner, INDEXES.byDueOfCounterparty, INDEXES.byDate]) expect(names).toContain(index.indexName);
  });
});

describe('alarms of every notification consumer', () => {
  it.each([
    ['NotifierErrors', 'Errors'],
    ['NotifierIteratorAge', 'IteratorAge'],
    ['NotifierFailureQueueDepth', 'ApproximateNumberOfMessagesVisible'],
    ['WebhookWorkerErrors', 'Errors'],
    ['WebhookDeadLetters', 'ApproximateNumberOfMessagesVisible'],
    ['ReminderErrors', 'Errors'],
    ['ReminderDeadLetters', 'ApproximateNumberOfMessagesVisible'],
  ])('has the %s alarm on %s, sent to the alarm topic', (alarmId, metricName) => {
    const alarm = resources(dev, 'AWS::CloudWatch::Alarm').find(([id]) => id.includes(alarmId));
    expect(alarm, alarmId).toBeDefined();
    expect(alarm![1].Properties.MetricName).toBe(metricName);
    expect(alarm![1].Properties.AlarmActions).toHaveLength(1);
  });
});
