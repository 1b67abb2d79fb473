import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GLUE_TABLES } from '../../functions/schemas/archive.js';
import { synthApp } from './app.js';

let template: Template;
beforeAll(() => {
  template = synthApp({ stage: 'dev' }).statelessTemplate;
});

const tables = () => Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);

describe('Glue tables', () => {
  it.each([
    ['audit_events', 'audit/'],
    ['entity_changes', 'changes/'],
  ])('%s reads gzip JSON lines under %s with partition projection on dt', (name, prefix) => {
    const table = tables().find((t) => t.Name === name);
    expect(table).toBeDefined();
    expect(table.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      compressionType: 'gzip',
    });
    expect(JSON.stringify(table.Parameters['storage.location.template'])).toContain(`/${prefix}dt=\${dt}/`);
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
  });

  it('takes its columns from the archive schemas', () => {
    const audit = tables().find((t) => t.Name === 'audit_events');
    expect(audit.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(
      GLUE_TABLES.auditEvents.columns.map((c) => c.name.toLowerCase()),
    );
    expect(audit.StorageDescriptor.Columns).toContainEqual({ Name: 'actor', Type: expect.stringMatching(/^struct<userid:string/) });
  });
});

describe('Athena workgroup', () => {
  it('enforces its configuration, encrypts results with KMS in the results bucket and cuts off big scans', () => {
    const [wg] = Object.values(template.findResources('AWS::Athena::WorkGroup'));
    expect(wg!.Properties.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: expect.anything() } },
    });
    expect(JSON.stringify(wg!.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toContain('AthenaResultsBucket');
  });

  it('has named queries for the auditor\'s common questions', () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(['Activity by factory per day', 'Denials by user', 'Who did what to this request']);
    for (const q of queries) {
      expect(q.QueryString).toContain('FROM audit_events');
      expect(q.QueryString).toContain('dt BETWEEN ? AND ?');
    }
  });
});
