import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/api/routes.js';
import { ENV } from '../../functions/config/environment.js';
import { NODE_RUNTIME } from '../../lib/service-function.js';
import { synthApp } from './app.js';

let templates: Template[];
let stateless: Template;
beforeAll(() => {
  const app = synthApp({ stage: 'dev' });
  templates = [app.statefulTemplate, app.statelessTemplate];
  stateless = app.statelessTemplate;
});

type Fn = { Properties: Record<string, any> };
const functions = () => templates.flatMap((t) => Object.entries(t.findResources('AWS::Lambda::Function') as Record<string, Fn>));
const fn = (prefix: string) => {
  const found = Object.entries(stateless.findResources('AWS::Lambda::Function') as Record<string, Fn>).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties;
};

describe('every function', () => {
  it('runs the newest Node runtime on arm64 with an explicit timeout, memory, X-Ray and a KMS-encrypted log group', () => {
    // Route groups, archiver, export, pre-token trigger, backup export, backup drill, file verifier, notifier,
    // webhook worker, reminder sweep, pack builder; no custom-resource Lambda.
    expect(functions().length).toBe(ROUTE_GROUPS.length + 10);
    for (const [id, f] of functions()) {
      expect(f.Properties, id).toMatchObject({
        Runtime: NODE_RUNTIME.name,
        Architectures: ['arm64'],
        Timeout: expect.any(Number),
        MemorySize: expect.any(Number),
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON', LogGroup: expect.anything() }),
      });
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    for (const t of templates) {
      for (const [id, g] of Object.entries(t.findResources('AWS::Logs::LogGroup'))) {
        expect(g.Properties.KmsKeyId, id).toBeDefined();
        expect(g.Properties.RetentionInDays, id).toBeGreaterThan(0);
      }
    }
  });

  it('uses the newest Node.js runtime this aws-cdk-lib knows', async () => {
    const { Runtime } = await import('aws-cdk-lib/aws-lambda');
    const versions = Object.keys(Runtime)
      .map((k) => /^NODEJS_(\d+)_X$/.exec(k)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);
    expect(NODE_RUNTIME.name).toBe(`nodejs${Math.max(...versions)}.x`);
  });
});

describe('environment', () => {
  it('gives the API functions the user pool and accepted client ids, and the table (every group checks sessions there)', () => {
    for (const group of ROUTE_GROUPS) {
      const vars = fn(`Api${group}Function`).Environment.Variables;
      expect(vars[ENV.userPoolId], group).toBeDefined();
      expect(JSON.stringify(vars[ENV.clientIds]), group).toMatch(/WebClient.*,.*MachineClient/);
      expect(vars, group).toMatchObject({ [ENV.tableName]: expect.anything(), [ENV.auditTtlDays]: '90' });
    }
    expect(fn('ApievidenceFunction').Environment.Variables[ENV.evidenceBucket]).toBeDefined();
  });

  it('gives the paging API functions the cursor key secret by ARN (never its value) and lets them read it, and only them', () => {
    for (const group of ROUTE_GROUPS) {
      const vars = fn(`Api${group}Function`).Environment.Variables;
      if (group === 'public') expect(vars[ENV.cursorKeySecretArn], group).toBeUndefined();
      else expect(JSON.stringify(vars[ENV.cursorKeySecretArn]), group).toMatch(/CursorKey/);
    }
    const policies = Object.values(stateless.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: any[] }; Roles: any[] } }>);
    const readers = policies
      .filter((p) => p.Properties.PolicyDocument.Statement.some((st) => JSON.stringify(st.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes('CursorKey')))
      .map((p) => JSON.stringify(p.Properties.Roles));
    expect(readers).toHaveLength(6);
    for (const group of ['requests', 'evidence', 'audit', 'notifications', 'directory', 'packs']) expect(readers.some((r) => r.includes(`Api${group}Role`)), group).toBe(true);
  });

  it('gives the consumers their bucket, table and signing key', () => {
    expect(fn('ArchiverFunction').Environment.Variables).toMatchObject({ [ENV.archiveBucket]: expect.anything(), [ENV.tableName]: expect.anything() });
    expect(fn('ExportFunction').Environment.Variables).toMatchObject({
      [ENV.archiveBucket]: expect.anything(),
      [ENV.tableName]: expect.anything(),
      [ENV.manifestSigningKeyId]: expect.anything(),
    });
  });
});
