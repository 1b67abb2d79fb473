/**
 * The CDK app: `npx cdk deploy -c stage=dev` (see docs/deploy.md). Stage settings come
 * from context; cdk-nag's AwsSolutions pack validates every synth and fails it on any
 * finding without a written acknowledgement.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../lib/app.js';

const app = new App();
buildApp(app);
Tags.of(app).add('project', 'evidence-requests');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
