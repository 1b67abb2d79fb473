/** Builds the CDK app for tests: no bundling, no CloudFormation schema validation. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type EvidenceStacks } from '../../lib/app.js';

process.env['CDK_VALIDATION'] = 'false';

export const PROD_CONTEXT = {
  stage: 'prod',
  alarmEmail: 'oncall@example.com',
  allowedOrigins: 'https://app.example.com',
  callbackUrls: 'https://app.example.com/callback',
  logoutUrls: 'https://app.example.com/',
  sesFromEmail: 'no-reply@example.com',
  consoleBaseUrl: 'https://app.example.com',
};

export interface TestApp extends EvidenceStacks {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

export function synthApp(context: Record<string, unknown> = {}): TestApp {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildApp(app);
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}
