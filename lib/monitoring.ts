/**
 * Alarms (to a KMS-encrypted SNS topic) and the operations dashboard.
 *
 * Denials per user: for every refused call the API functions log one line through the
 * service logger (functions/observability/logger.ts, Powertools) whose JSON object carries
 * `audit: { outcome: 'DENIED', actorId, action, statusCode }` at its root. Powertools writes
 * the line to stdout itself and Lambda's JSON log format keeps a JSON line as it is, so
 * filters read `$.audit`. A Contributor Insights rule keyed by the actor id counts them; the
 * alarm fires when the top contributor passes DENIALS_PER_USER_PER_HOUR in an hour. A
 * metric filter also counts all denials
 * (`Denials` in the product namespace) for the dashboard.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_HEARTBEAT_METRIC } from '../functions/archive/heartbeat.js';
import { PRIVILEGED_ROLE_EVENT } from '../functions/core/use-cases/directory.js';
import { EventAlarm } from './event-alarm.js';
import type { StageSettings } from './stages.js';

export const METRIC_NAMESPACE = 'EvidenceRequests';
export const DENIALS_PER_USER_PER_HOUR = 10;
/** Where the denial object sits in a log line of the service logger. */
export const DENIAL_LOG_ROOT = '$.audit';
export const DENIED = 'DENIED';
/** The metric filter pattern that counts denials: `{ $.audit.outcome = "DENIED" }`. */
export const DENIAL_FILTER_PATTERN = logs.FilterPattern.stringValue(`${DENIAL_LOG_ROOT}.outcome`, '=', DENIED);
/**
 * The directory logs one line per change of an admin's or auditor's role (and per new admin
 * or auditor): `directory: { event: 'privileged-role-changed', userId, from, to, by }`
 * (functions/composition/directory.ts). Any such line alarms.
 */
export { PRIVILEGED_ROLE_EVENT };
export const PRIVILEGED_ROLE_FILTER_PATTERN = logs.FilterPattern.stringValue('$.directory.event', '=', PRIVILEGED_ROLE_EVENT);
/** The export logs this phrase (and fails) when table and archive disagree. */
export const RECONCILIATION_MISMATCH_TERMS = 'audit reconciliation mismatch';

/** An alarm at 1 or more per period (unless `options` say otherwise) that notifies `topic` of ALARM and OK. */
export function topicAlarm(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  description: string,
  metric: cloudwatch.IMetric,
  options: Partial<cloudwatch.CreateAlarmOptions> = {},
): cloudwatch.Alarm {
  const a = new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    ...options,
  });
  a.addAlarmAction(new actions.SnsAction(topic));
  a.addOkAction(new actions.SnsAction(topic));
  return a;
}

export interface MonitoringProps {
  readonly settings: StageSettings;
  /** Encrypts the alarm topic. */
  readonly topicKey: kms.IKey;
  readonly api: apigw.RestApi;
  /** API functions, by route group, with their log groups. */
  readonly apiFunctions: ReadonlyArray<{ readonly name: string; readonly fn: lambda.IFunction; readonly logGroup: logs.ILogGroup; readonly audited: boolean }>;
  readonly archiver: lambda.IFunction;
  /** The archiver event source's on-failure destination (EventBridge notifications on). */
  readonly archiverFailureBucket: s3.IBucket;
  readonly exporter: lambda.IFunction;
  readonly exporterLogGroup: logs.ILogGroup;
  readonly exportFailures: sqs.IQueue;
  /** Metric name of the WAF web ACL (its rules publish under their own names). */
  readonly webAclMetricName: string;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: props.topicKey, enforceSSL: true, displayName: `evidence-requests ${props.settings.stage} alarms` });
    // A topic policy replaces SNS's default one, and enforceSSL makes one holding only the SSL
    // Deny: CloudWatch must be allowed to publish, and only for this account's alarms.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    if (props.settings.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.settings.alarmEmail));

    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, options: Partial<cloudwatch.CreateAlarmOptions> = {}) =>
      this.addAlarm(alarmId, description, metric, options);
    const fiveMinutes = Duration.minutes(5);

    alarm('ArchiverErrors', 'The audit archiver failed: audit events may not reach the archive', props.archiver.metricErrors({ period: fiveMinutes }));
    alarm(
      'ArchiverIteratorAge',
      'The archiver lags the table stream by more than 5 minutes',
      props.archiver.metric('IteratorAge', { statistic: 'Maximum', period: fiveMinutes }),
      { threshold: Duration.minutes(5).toMilliseconds() },
    );
    new EventAlarm(this, 'ArchiverFailureWatch', {
      description: 'A stream batch the archiver gave up on was written to the failure bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.archiverFailureBucket.bucketName] } },
      },
      topic: this.topic,
      addAlarm: (id, description, metric) => this.addAlarm(id, description, metric),
      alarmId: 'ArchiverFailureRecords',
      alarmDescription: 'The archiver gave up on a stream batch: its records are in the failure bucket; run npm run archive:redrive (docs/deploy.md)',
    });
    alarm('Api5xx', 'The API answered 5xx', props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }));

    const allFunctions = [...props.apiFunctions.map((f) => f.fn), props.archiver, props.exporter];
    const throttles = new cloudwatch.MathExpression({
      expression: allFunctions.map((_, i) => `t${i}`).join(' + '),
      usingMetrics: Object.fromEntries(allFunctions.map((fn, i) => [`t${i}`, fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })])),
      period: fiveMinutes,
      label: 'Lambda throttles',
    });
    alarm('LambdaThrottles', 'A function of the product was throttled (concurrency limit reached)', throttles);
    const wafBlocked = (rule: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclMetricName, Rule: rule, Region: stack.region },
        statistic: 'Sum',
        period: fiveMinutes,
      });
    const rateLimited = new cloudwatch.MathExpression({
      expression: 'address + token',
      usingMetrics: { address: wafBlocked('RatePerAddress'), token: wafBlocked('RatePerToken') },
      period: fiveMinutes,
      label: 'Requests rate-limited by WAF',
    });
    alarm('ApiRateLimited', 'WAF rate rules answered 429 to more than 100 requests in 5 minutes (a client past its limit, or abuse)', rateLimited, {
      threshold: 100,
    });

    // Denials per user per hour (Contributor Insights over the audited API functions' logs).
    const audited = props.apiFunctions.filter((f) => f.audited);
    const ruleName = `${stack.stackName}-denials-per-user`;
    const insightRule = new cloudwatch.CfnInsightRule(this, 'DenialsPerUserRule', {
      ruleName,
      ruleState: 'ENABLED',
      ruleBody: stack.toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: audited.map((f) => f.logGroup.logGroupName),
        LogFormat: 'JSON',
        Contribution: {
          Keys: [`${DENIAL_LOG_ROOT}.actorId`],
          Filters: [{ Match: `${DENIAL_LOG_ROOT}.outcome`, In: [DENIED] }],
        },
        AggregateOn: 'Count',
      }),
    });
    const denialsPerUser = alarm(
      'DenialsPerUser',
      `A user was refused more than ${DENIALS_PER_USER_PER_HOUR} times in an hour (probing another tenant's data?)`,
      new cloudwatch.MathExpression({
        expression: `INSIGHT_RULE_METRIC('${ruleName}', 'MaxContributorValue')`,
        usingMetrics: {},
        period: Duration.hours(1),
        label: 'Most denials of one user',
      }),
      { threshold: DENIALS_PER_USER_PER_HOUR, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    // The alarm names the rule only inside its expression: without a dependency CloudFormation
    // may create it first, and an alarm on a rule that does not exist yet is refused.
    denialsPerUser.node.addDependency(insightRule);
    const denials = new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: 'Denials', statistic: 'Sum', period: fiveMinutes });
    for (const f of audited) {
      new logs.MetricFilter(this, `Denials-${f.name}`, {
        logGroup: f.logGroup,
        filterPattern: DENIAL_FILTER_PATTERN,
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'Denials',
        metricValue: '1',
      });
    }

    // The hourly export writes a heartbeat audit event through the normal audit path; the
    // archiver counts each one it archives. No heartbeat for two hours (one schedule may drift
    // across an hour boundary) means the pipeline is broken, whatever the traffic.
    const heartbeats = new cloudwatch.Metric({
      namespace: AUDIT_HEARTBEAT_METRIC.namespace,
      metricName: AUDIT_HEARTBEAT_METRIC.name,
      dimensionsMap: { ...AUDIT_HEARTBEAT_METRIC.dimensions },
      statistic: 'Sum',
      period: Duration.hours(1),
    });
    alarm('NoAuditEvents', 'No audit heartbeat reached the archive for two hours: table stream, archiver or export is broken', heartbeats, {
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    alarm('ExportErrors', 'The scheduled export (manifest + reconciliation) failed', props.exporter.metricErrors({ period: Duration.hours(1) }));
    alarm(
      'ExportFailureQueueDepth',
      'An export invocation failed after its retries',
      props.exportFailures.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
    );
    const mismatches = new logs.MetricFilter(this, 'ReconciliationMismatches', {
      logGroup: props.exporterLogGroup,
      filterPattern: logs.FilterPattern.allTerms(...RECONCILIATION_MISMATCH_TERMS.split(' ')),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'ReconciliationMismatches',
      metricValue: '1',
    });
    alarm('ReconciliationMismatch', 'Table and archive disagree about audit events', mismatches.metric({ statistic: 'Sum', period: Duration.hours(1) }));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `evidence-requests-${props.settings.stage}`,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()] }),
      new cloudwatch.GraphWidget({ title: 'API latency (p99)', left: [props.api.metricLatency({ statistic: 'p99' }), props.api.metricIntegrationLatency({ statistic: 'p99' })] }),
      new cloudwatch.GraphWidget({ title: 'Denials', left: [denials] }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Function errors', left: allFunctions.map((fn) => fn.metricErrors()) }),
      new cloudwatch.GraphWidget({ title: 'Function duration (p99)', left: allFunctions.map((fn) => fn.metricDuration({ statistic: 'p99' })) }),
      new cloudwatch.GraphWidget({ title: 'Throttles', left: [throttles, rateLimited] }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Archiver iterator age', left: [props.archiver.metric('IteratorAge', { statistic: 'Maximum' })] }),
      new cloudwatch.GraphWidget({ title: 'Export failure queue', left: [props.exportFailures.metricApproximateNumberOfMessagesVisible()] }),
      new cloudwatch.GraphWidget({ title: 'Audit heartbeats archived per hour', left: [heartbeats] }),
    );
    // Alarms added later (addAlarm) join the list by reference.
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  /** An alarm (>= 1 in one period unless told otherwise) whose state changes go to the topic. */
  addAlarm(alarmId: string, description: string, metric: cloudwatch.IMetric, options: Partial<cloudwatch.CreateAlarmOptions> = {}): cloudwatch.Alarm {
    const a = topicAlarm(this, alarmId, this.topic, description, metric, options);
    this.alarms.push(a);
    return a;
  }
}
