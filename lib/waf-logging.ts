/**
 * WAF logging to CloudWatch Logs: every request the web ACL evaluated, with the rule that
 * matched. WAF accepts only log groups whose name starts with `aws-waf-logs-`, and it writes
 * request headers and paths, so the bearer token and the URI path (a share link's token) are redacted.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

export interface WafLoggingProps {
  readonly webAcl: wafv2.CfnWebACL;
  /** Unique per stage and stack: log group names are account-wide. */
  readonly name: string;
  readonly logKey: kms.IKey;
}

export class WafLogging extends Construct {
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WafLoggingProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `${WAF_LOG_GROUP_PREFIX}${props.name}`,
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Configuration', {
      resourceArn: props.webAcl.attrArn,
      logDestinationConfigs: [this.logGroup.logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }, { uriPath: {} }],
    });
  }
}
