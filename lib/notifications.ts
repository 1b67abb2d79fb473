/**
 * Notifications in AWS: the notifier (the table stream's second consumer), the webhook
 * delivery queue and its worker, SES (the sending identity and a configuration set), and the
 * daily reminder sweep on EventBridge Scheduler. Every consumer has a failure destination
 * and alarms: the notifier's on-failure queue, the delivery queue's dead-letter queue, the
 * schedule's dead-letter queue.
 */
import { CfnOutput, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function.js';
import { consoleBaseUrl, type StageSettings } from './stages.js';
import { grantReadItems, grantWritesUnderPrefix } from './table-access.js';

export interface NotificationsProps {
  readonly settings: StageSettings;
  readonly table: dynamodb.ITableV2;
  readonly tableArn: string;
  readonly tableKey: kms.IKey;
  /** Encrypts logs and queues. */
  readonly opsKey: kms.IKey;
  /** Adds an alarm to the stack's monitoring (its topic, dashboard). */
  readonly addAlarm: (alarmId: string, description: string, metric: cloudwatch.IMetric, options?: Partial<cloudwatch.CreateAlarmOptions>) => cloudwatch.Alarm;
  /** The nag finding naming the table's indexes, for the acknowledgement of their wildcard. */
  readonly tableIndexesFinding: string;
}

const fiveMinutes = Duration.minutes(5);

export class Notifications extends Construct {
  readonly notifier: ServiceFunction;
  readonly notifierFailures: sqs.Queue;
  readonly deliveries: sqs.Queue;
  readonly deliveryDeadLetters: sqs.Queue;
  readonly webhookWorker: ServiceFunction;
  readonly reminders: ServiceFunction;
  readonly reminderDeadLetters: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly mailIdentity?: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { settings, table, tableArn, tableKey, opsKey, addAlarm } = props;
    const queue = (queueId: string, options: Partial<sqs.QueueProps> = {}) =>
      new sqs.Queue(this, queueId, { encryptionMasterKey: opsKey, enforceSSL: true, retentionPeriod: Duration.days(14), ...options });
    const deadLetter = (queueId: string, of: string) => {
      const q = queue(queueId);
      Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This queue is itself the failure destination (dead letter) of ${of}; its depth is alarmed.` });
      return q;
    };
    const acknowledge = (fn: ServiceFunction, finding: string, reason: string) => Validations.of(fn.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const acknowledgeQueueKeys = (fn: ServiceFunction) => {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        acknowledge(fn, `Action::${action}`, "Granted by CDK's grantSendMessages on a KMS-encrypted queue, on the ops key only: SQS needs data keys to encrypt messages.");
      }
    };

    // SES: the sending identity (verified by hand: see the outputs and docs/deploy.md) and a configuration set.
    this.configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    if (settings.sesFromEmail) {
      this.mailIdentity = new ses.EmailIdentity(this, 'MailIdentity', {
        identity: ses.Identity.email(settings.sesFromEmail),
        configurationSet: this.configurationSet,
      });
    }
    const mailEnvironment = settings.sesFromEmail ? { mailFrom: settings.sesFromEmail, mailConfigurationSet: this.configurationSet.configurationSetName } : {};
    const grantSendMail = (fn: ServiceFunction) => {
      if (!this.mailIdentity) return;
      const stack = Stack.of(this);
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'SendNotificationMail',
          actions: ['ses:SendEmail'],
          resources: [
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.mailIdentity.emailIdentityName }),
            stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
          ],
        }),
      );
    };

    // The webhook delivery queue: one message per attempt, delayed by its backoff (DelaySeconds at most 900).
    this.deliveryDeadLetters = deadLetter('WebhookDeliveryDeadLetters', 'the webhook delivery queue');
    this.deliveries = queue('WebhookDeliveries', {
      // Six times the worker's timeout, as Lambda's SQS event source advises.
      visibilityTimeout: Duration.seconds(6 * 60),
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: 5 },
    });

    // The notifier: the table stream's second consumer.
    this.notifierFailures = deadLetter('NotifierFailures', 'the notifier (stream batches it gave up on)');
    this.notifier = new ServiceFunction(this, 'Notifier', {
      handler: 'notifier',
      description: 'Derives notifications from table changes: inboxes, e-mail, webhook deliveries',
      timeout: Duration.seconds(60),
      memorySize: 512,
      logKey: opsKey,
      environment: {
        tableName: table.tableName,
        consoleBaseUrl: consoleBaseUrl(settings),
        webhookQueueUrl: this.deliveries.queueUrl,
        ...mailEnvironment,
      },
    });
    grantReadItems(this.notifier.role, tableArn, tableKey);
    grantWritesUnderPrefix(this.notifier.role, tableArn, tableKey, 'INBOX#', ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    grantWritesUnderPrefix(this.notifier.role, tableArn, tableKey, 'WEBHOOK#', ['dynamodb:PutItem']);
    this.deliveries.grantSendMessages(this.notifier.role);
    grantSendMail(this.notifier);
    acknowledge(this.notifier, props.tableIndexesFinding, "Reads members and webhooks of an organisation through the table's own global secondary indexes.");
    acknowledgeQueueKeys(this.notifier);
    this.notifier.function.addEventSource(
      new sources.DynamoEventSource(table, {
        // A new consumer starts at the stream's end: it must not notify a day of old changes.
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        // No batching window: a notification's lag is the stream's polling, not a wait.
        maxBatchingWindow: Duration.seconds(0),
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        parallelizationFactor: 2,
        onFailure: new sources.SqsDlq(this.notifierFailures),
      }),
    );

    // The webhook worker.
    this.webhookWorker = new ServiceFunction(this, 'WebhookWorker', {
      handler: 'webhook-worker',
      description: 'Delivers signed webhook POSTs, retries with backoff, disables a webhook failing for 24 hours',
      timeout: Duration.seconds(60),
      memorySize: 512,
      logKey: opsKey,
      environment: { tableName: table.tableName, auditTtlDays: String(settings.auditTtlDays), webhookQueueUrl: this.deliveries.queueUrl },
    });
    grantReadItems(this.webhookWorker.role, tableArn, tableKey);
    grantWritesUnderPrefix(this.webhookWorker.role, tableArn, tableKey, 'WEBHOOK#', ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    grantWritesUnderPrefix(this.webhookWorker.role, tableArn, tableKey, 'AUDIT#', ['dynamodb:PutItem']);
    grantWritesUnderPrefix(this.webhookWorker.role, tableArn, tableKey, 'EVENT#', ['dynamodb:PutItem']);
    this.deliveries.grantSendMessages(this.webhookWorker.role);
    acknowledge(this.webhookWorker, props.tableIndexesFinding, "Reads webhooks through the table's own global secondary indexes.");
    acknowledgeQueueKeys(this.webhookWorker);
    this.webhookWorker.function.addEventSource(
      new sources.SqsEventSource(this.deliveries, { batchSize: 10, maxBatchingWindow: Duration.seconds(0), reportBatchItemFailures: true }),
    );

    // The daily reminder sweep.
    this.reminderDeadLetters = deadLetter('ReminderDeadLetters', 'the reminder schedule');
    this.reminders = new ServiceFunction(this, 'Reminders', {
      handler: 'reminders',
      description: 'Daily sweep: due-soon, overdue and expiring-evidence reminders, each once',
      timeout: Duration.minutes(5),
      memorySize: 512,
      logKey: opsKey,
      environment: { tableName: table.tableName },
    });
    grantReadItems(this.reminders.role, tableArn, tableKey);
    grantWritesUnderPrefix(this.reminders.role, tableArn, tableKey, 'EVENT#', ['dynamodb:PutItem']);
    acknowledge(this.reminders, props.tableIndexesFinding, "Reads due dates and expiries through the table's own date index (byDate).");
    // The schedule's own role: it invokes this function (LambdaInvoke grants it and its versions) and sends to its dead-letter queue.
    const scheduleRole = new iam.Role(this, 'ReminderScheduleRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    const acknowledgeSchedule = (finding: string, reason: string) => Validations.of(scheduleRole).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    acknowledgeSchedule(`Resource::<${Stack.of(this).getLogicalId(this.reminders.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*`, 'The Scheduler target grants lambda:InvokeFunction on the reminder function and its versions; that one function only.');
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledgeSchedule(`Action::${action}`, "Granted by the dead-letter queue's grantSendMessages on the ops key only: SQS needs data keys to encrypt the failed events.");
    }
    this.schedule = new scheduler.Schedule(this, 'ReminderSchedule', {
      description: 'Daily reminder sweep (due dates, expiring evidence)',
      schedule: scheduler.ScheduleExpression.cron({ hour: '6', minute: '0', timeZone: TimeZone.ETC_UTC }),
      target: new schedulerTargets.LambdaInvoke(this.reminders.function, {
        role: scheduleRole,
        deadLetterQueue: this.reminderDeadLetters,
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
      }),
    });

    addAlarm('NotifierErrors', 'The notifier failed: notifications may be late', this.notifier.function.metricErrors({ period: fiveMinutes }));
    addAlarm('NotifierIteratorAge', 'The notifier lags the table stream by more than 5 minutes', this.notifier.function.metric('IteratorAge', { statistic: 'Maximum', period: fiveMinutes }), {
      threshold: Duration.minutes(5).toMilliseconds(),
    });
    addAlarm('NotifierFailureQueueDepth', 'Stream batches the notifier gave up on (their records are in the failure queue)', depth(this.notifierFailures));
    addAlarm('WebhookWorkerErrors', 'The webhook worker failed to run (not a receiver answering an error)', this.webhookWorker.function.metricErrors({ period: fiveMinutes }));
    addAlarm('WebhookDeadLetters', 'Webhook delivery messages the worker could not handle five times', depth(this.deliveryDeadLetters));
    addAlarm('ReminderErrors', 'The reminder sweep failed', this.reminders.function.metricErrors({ period: fiveMinutes }));
    addAlarm('ReminderDeadLetters', 'The schedule could not invoke the reminder sweep', depth(this.reminderDeadLetters));

    new CfnOutput(this, 'ReminderSweepFunction', { value: this.reminders.function.functionName, description: 'Invoke to run the reminder sweep now' });
    new CfnOutput(this, 'MailConfigurationSetName', { value: this.configurationSet.configurationSetName });
    new CfnOutput(this, 'MailIdentityToVerify', {
      value: settings.sesFromEmail ?? 'none: set -c sesFromEmail=... to send notification e-mail',
      description: 'SES sends a verification link to this address: open it by hand, and request production access (docs/deploy.md)',
    });
  }
}

function depth(q: sqs.IQueue): cloudwatch.IMetric {
  return q.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' });
}
