/**
 * Every synthesized resource against its CloudFormation registry schema (the one CDK is
 * generated from, shipped in @aws-cdk/aws-service-spec): what a deploy would refuse with
 * "Properties validation failed" is caught offline.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { validateTemplate } from '../support/cfn-schema.js';
import { PROD_CONTEXT, synthApp } from './app.js';

describe('CloudFormation resource schemas', () => {
  it.each([
    ['dev', { stage: 'dev', alarmEmail: 'oncall@example.com' }],
    ['prod', PROD_CONTEXT],
  ])('every resource of every %s stack has a known type, its required properties, no unknown property and the right simple types', (_name, context) => {
    const { backupCopy, stateful, stateless } = synthApp(context);
    for (const stack of [backupCopy, stateful, stateless]) {
      const template = Template.fromStack(stack).toJSON();
      expect(Object.keys(template.Resources).length, stack.stackName).toBeGreaterThan(0);
      expect(validateTemplate(template), stack.stackName).toEqual([]);
    }
  }, 60_000);

  it('catches an unknown type, a missing required property, an unknown property and a wrong simple type', () => {
    const problems = validateTemplate({
      Resources: {
        Nope: { Type: 'AWS::S3::Bukket', Properties: {} },
        Queue: { Type: 'AWS::SQS::Queue', Properties: { RetentionPeriodDays: 14, VisibilityTimeout: 'soon', DelaySeconds: { 'Fn::GetAtt': ['X', 'Y'] } } },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 1, Dimensions: { Name: 'a' } } },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { ObjectLockConfiguration: { Rule: { DefaultRetention: { Years: 'seven' } } } } },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { resource: 'Nope', path: 'Type', problem: 'unknown resource type AWS::S3::Bukket' },
        { resource: 'Queue', path: 'Properties.RetentionPeriodDays', problem: 'unknown property' },
        { resource: 'Queue', path: 'Properties.VisibilityTimeout', problem: 'expected an integer, got string "soon"' },
        { resource: 'Alarm', path: 'Properties.Dimensions', problem: 'expected an array, got an object' },
        { resource: 'Bucket', path: 'Properties.ObjectLockConfiguration.Rule.DefaultRetention.Years', problem: 'expected an integer, got string "seven"' },
      ]),
    );
    expect(problems.filter((p) => p.resource === 'Queue' && p.path.includes('DelaySeconds'))).toEqual([]);
  });
});
