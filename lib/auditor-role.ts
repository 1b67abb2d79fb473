/**
 * The auditor's IAM role for Athena: MFA to assume it, then read-only on what an audit
 * needs: the archive objects (audit/, changes/, manifests/), the Glue database and tables,
 * the workgroup's queries, and its own results. No write anywhere but query results.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIXES } from '../functions/schemas/archive.js';
import { acknowledgeWildcardResources } from './nag.js';
import type { StageSettings } from './stages.js';

/** Athena actions of a query session (https://docs.aws.amazon.com/athena/latest/ug/workgroups-iam-policy.html). */
export const AUDITOR_ATHENA_ACTIONS = [
  'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
  'athena:GetQueryResultsStream', 'athena:ListQueryExecutions', 'athena:BatchGetQueryExecution', 'athena:GetWorkGroup',
  'athena:ListNamedQueries', 'athena:GetNamedQuery', 'athena:BatchGetNamedQuery',
];
export const AUDITOR_GLUE_ACTIONS = ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'];

export interface AuditorRoleProps {
  readonly settings: StageSettings;
  readonly workGroup: athena.CfnWorkGroup;
  readonly databaseName: string;
  readonly archiveBucket: s3.IBucket;
  readonly archiveKey: kms.IKey;
  readonly resultsBucket: s3.IBucket;
}

export class AuditorRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AuditorRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: `evidence-requests-${props.settings.stage}-auditor`,
      description: 'Auditors: read-only Athena queries over the audit archive',
      assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(4),
    });
    const workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroup.name });
    const glue = (resource: string) => stack.formatArn({ service: 'glue', resource, resourceName: resource === 'catalog' ? undefined : props.databaseName });
    const archivePrefixes = [ARCHIVE_PREFIXES.audit, ARCHIVE_PREFIXES.changes, ARCHIVE_PREFIXES.manifests];
    const statements = [
      new iam.PolicyStatement({ sid: 'QueryInWorkGroup', actions: AUDITOR_ATHENA_ACTIONS, resources: [workGroupArn] }),
      new iam.PolicyStatement({
        sid: 'ReadCatalog',
        actions: AUDITOR_GLUE_ACTIONS,
        resources: [glue('catalog'), glue('database'), `${stack.formatArn({ service: 'glue', resource: 'table', resourceName: props.databaseName })}/*`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadArchive',
        actions: ['s3:GetObject'],
        resources: archivePrefixes.map((prefix) => props.archiveBucket.arnForObjects(`${prefix}*`)),
      }),
      new iam.PolicyStatement({
        sid: 'ListArchive',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [props.archiveBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'OwnQueryResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [props.resultsBucket.arnForObjects('results/*')],
      }),
      new iam.PolicyStatement({ sid: 'ListResults', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.resultsBucket.bucketArn] }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);
    // Archive objects and query results are both under the archive key.
    props.archiveKey.grant(this.role, 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey');
    acknowledgeWildcardResources(
      this.role,
      [
        ...archivePrefixes.map((prefix) => props.archiveBucket.arnForObjects(`${prefix}*`)),
        props.resultsBucket.arnForObjects('results/*'),
        `${stack.formatArn({ service: 'glue', resource: 'table', resourceName: props.databaseName })}/*`,
      ],
      'Read-only on the archive prefixes and the Glue tables of one database (object and table names are data); writes only query results under results/ of the results bucket.',
    );
  }
}
