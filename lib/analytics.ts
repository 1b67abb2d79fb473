/**
 * Athena over the audit archive: a Glue database with the `audit_events` and
 * `entity_changes` tables (columns from functions/schemas/archive.ts, partition
 * projection on `dt`), a workgroup that enforces encrypted results and a scan limit, and
 * named queries for an auditor's common questions.
 */
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type ArchiveTable, GLUE_STORAGE, GLUE_TABLES, glueTableParameters } from '../functions/schemas/archive.js';
import type { StageSettings } from './stages.js';

export interface AnalyticsProps {
  readonly settings: StageSettings;
  readonly archiveBucket: s3.IBucket;
  readonly resultsBucket: s3.IBucket;
  /** Encrypts query results. */
  readonly resultsKey: kms.IKey;
}

/** Glue and Athena know lowercase names only; the OpenX SerDe matches JSON keys case-insensitively. */
const lower = (s: string) => s.toLowerCase();

export class Analytics extends Construct {
  readonly databaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly tables: Record<keyof typeof GLUE_TABLES, glue.CfnTable>;
  readonly namedQueries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = `evidence_audit_${props.settings.stage}`;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'Write-once audit archive of the evidence requests service' },
    });

    const table = (tableId: string, def: ArchiveTable): glue.CfnTable => {
      const t = new glue.CfnTable(this, tableId, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: {
          name: def.name,
          tableType: 'EXTERNAL_TABLE',
          parameters: { ...glueTableParameters(props.archiveBucket.bucketName, def), EXTERNAL: 'TRUE' },
          partitionKeys: def.partitionKeys.map((c) => ({ name: lower(c.name), type: lower(c.type) })),
          storageDescriptor: {
            location: `s3://${props.archiveBucket.bucketName}/${def.prefix}`,
            inputFormat: GLUE_STORAGE.inputFormat,
            outputFormat: GLUE_STORAGE.outputFormat,
            compressed: true,
            serdeInfo: { serializationLibrary: GLUE_STORAGE.serializationLibrary, parameters: { ...GLUE_STORAGE.serdeParameters } },
            columns: def.columns.map((c) => ({ name: lower(c.name), type: lower(c.type) })),
          },
        },
      });
      t.addResourceDependency(database);
      return t;
    };
    this.tables = {
      auditEvents: table('AuditEventsTable', GLUE_TABLES.auditEvents),
      entityChanges: table('EntityChangesTable', GLUE_TABLES.entityChanges),
    };

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `evidence-audit-${props.settings.stage}`,
      description: 'Auditor queries over the audit archive',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.settings.athenaBytesScannedCutoff,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/results/`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.resultsKey.keyArn },
        },
      },
    });

    const audit = GLUE_TABLES.auditEvents.name;
    const queries: Array<{ id: string; name: string; description: string; sql: string }> = [
      {
        id: 'RequestHistoryQuery',
        name: 'Who did what to this request',
        description: 'Every audited call on one request, oldest first. Parameters: request id, first day, last day (YYYY-MM-DD).',
        sql: `SELECT occurredat, actor.userid AS user_id, actor.role, actor.orgid AS org_id, action, outcome, statuscode, reason, correlationid
FROM ${audit}
WHERE resource.type = 'request' AND resource.id = ? AND dt BETWEEN ? AND ?
ORDER BY occurredat, eventid`,
      },
      {
        id: 'DenialsByUserQuery',
        name: 'Denials by user',
        description: 'Refused calls per user, most first. Parameters: first day, last day (YYYY-MM-DD).',
        sql: `SELECT actor.userid AS user_id, actor.role, actor.orgid AS org_id, count(*) AS denials,
       min(occurredat) AS first_denial, max(occurredat) AS last_denial, array_agg(DISTINCT action) AS actions
FROM ${audit}
WHERE outcome = 'DENIED' AND dt BETWEEN ? AND ?
GROUP BY actor.userid, actor.role, actor.orgid
ORDER BY denials DESC`,
      },
      {
        id: 'FactoryActivityQuery',
        name: 'Activity by factory per day',
        description: 'Calls made by factory users, per factory, day, action and outcome. Parameters: first day, last day (YYYY-MM-DD).',
        sql: `SELECT dt AS day, actor.orgid AS factory_id, action, outcome, count(*) AS events
FROM ${audit}
WHERE actor.role = 'factory' AND dt BETWEEN ? AND ?
GROUP BY dt, actor.orgid, action, outcome
ORDER BY day, factory_id, action, outcome`,
      },
    ];
    for (const q of queries) {
      const named = new athena.CfnNamedQuery(this, q.id, {
        name: q.name,
        description: q.description,
        database: this.databaseName,
        workGroup: this.workGroup.name,
        queryString: q.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(database);
      this.namedQueries.push(named);
    }
  }
}
