/**
 * The cost model's picture of the stacks (bench/cost.ts, bench/cost-model.ts) is the deployed
 * one: function memory, the fixed setup (WAF rules, KMS keys, alarms, dashboards), the stream
 * consumers' batching and the retention periods, checked against the synthesized prod stacks.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PROD_RETENTION } from '../../bench/cost-model.js';
import { FIXED_SETUP, FUNCTION_MEMORY_MB, STREAM_CONSUMERS } from '../../bench/cost.js';
import { PACK_RETENTION_DAYS } from '../../functions/core/packs.js';
import { BACKUP_RETENTION, TABLE_EXPORT_RETENTION_DAYS } from '../../lib/backups.js';
import { ARCHIVE_COLD_AFTER_DAYS } from '../../lib/stateful-stack.js';
import { PROD_CONTEXT, synthApp } from './app.js';

type Resource = { Type: string; Properties?: Record<string, any> };

describe('the cost model matches the prod stacks', () => {
  const app = synthApp(PROD_CONTEXT);
  const resources: Resource[] = [app.stateful, app.stateless, app.backupCopy].flatMap((stack) => Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>));
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const functionByDescription = (start: string) => {
    const found = ofType('AWS::Lambda::Function').filter((f) => String(f.Properties?.['Description'] ?? '').startsWith(start));
    expect(found, start).toHaveLength(1);
    return found[0]!.Properties!;
  };

  it('prices each function at the memory it is deployed with', () => {
    const deployed = {
      api: functionByDescription('API route group requests')['MemorySize'],
      archiver: functionByDescription('Archives table stream records')['MemorySize'],
      notifier: functionByDescription('Derives notifications')['MemorySize'],
      webhookWorker: functionByDescription('Delivers signed webhook POSTs')['MemorySize'],
      fileVerifier: functionByDescription('Checks each uploaded evidence file')['MemorySize'],
      packBuilder: functionByDescription("Builds each pack's ZIP")['MemorySize'],
      reminders: functionByDescription('Daily sweep')['MemorySize'],
      export: functionByDescription('Seals archived objects')['MemorySize'],
    };
    expect(deployed).toEqual(FUNCTION_MEMORY_MB);
  });

  it('counts the fixed setup the stacks deploy', () => {
    const [acl] = ofType('AWS::WAFv2::WebACL');
    expect({
      wafRules: (acl!.Properties!['Rules'] as unknown[]).length,
      kmsKeys: ofType('AWS::KMS::Key').length,
      alarms: ofType('AWS::CloudWatch::Alarm').length,
      dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    }).toEqual({ wafRules: FIXED_SETUP.wafRules, kmsKeys: FIXED_SETUP.kmsKeys, alarms: FIXED_SETUP.alarms, dashboards: FIXED_SETUP.dashboards });
  });

  it('batches the stream consumers as the model assumes', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) => m.Properties?.['StartingPosition'] !== undefined);
    const batching = mappings.map((m) => [m.Properties!['BatchSize'], m.Properties!['MaximumBatchingWindowInSeconds'] ?? 0]);
    expect(batching).toEqual(expect.arrayContaining([[STREAM_CONSUMERS.archiverBatch, STREAM_CONSUMERS.archiverWindowSeconds], [STREAM_CONSUMERS.notifierBatch, 0]]));
  });

  it('keeps data as long as the storage lines assume', () => {
    expect({
      dailyBackups: PROD_RETENTION.dailyBackups,
      weeklyBackups: PROD_RETENTION.weeklyBackups,
      tableExportDays: PROD_RETENTION.tableExportDays,
      packDays: PROD_RETENTION.packDays,
      archiveColdAfterDays: PROD_RETENTION.archiveColdAfterDays,
    }).toEqual({
      dailyBackups: BACKUP_RETENTION.dailyDays,
      weeklyBackups: Math.floor(BACKUP_RETENTION.weeklyDays / 7),
      tableExportDays: TABLE_EXPORT_RETENTION_DAYS,
      packDays: PACK_RETENTION_DAYS,
      archiveColdAfterDays: ARCHIVE_COLD_AFTER_DAYS,
    });
  });
});
