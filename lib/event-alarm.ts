/**
 * An EventBridge rule that both publishes each matching event to the alarm topic (the
 * e-mail carries the event: who, what, which resource) and drives a CloudWatch alarm on its
 * TriggeredRules metric, so the alarm list and dashboard show it like every other alarm.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Creates an alarm in the product's alarm list (Monitoring.addAlarm). */
export type AddAlarm = (id: string, description: string, metric: cloudwatch.IMetric) => cloudwatch.Alarm;

export interface EventAlarmProps {
  readonly description: string;
  readonly eventPattern: events.EventPattern;
  readonly topic: sns.ITopic;
  readonly addAlarm: AddAlarm;
  /** Construct id of the alarm. */
  readonly alarmId: string;
  readonly alarmDescription: string;
}

export class EventAlarm extends Construct {
  readonly rule: events.Rule;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EventAlarmProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      eventPattern: props.eventPattern,
      targets: [new targets.SnsTopic(props.topic)],
    });
    this.alarm = props.addAlarm(
      props.alarmId,
      props.alarmDescription,
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: this.rule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
    );
  }
}
