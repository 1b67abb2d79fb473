/**
 * The functions' configuration: parsed from a Lambda environment by one schema per kind of
 * function, failing at start with the variable named (API functions and asynchronous jobs).
 */
import { describe, expect, it } from 'vitest';
import { archiverDeps, backupDrillDeps, exportDeps, fileVerifierDeps, tableExportDeps } from '../../functions/composition/jobs.js';
import { configurationFromEnv, ConfigurationError, jobSettingsFromEnv } from '../../functions/config/configuration.js';

const API_ENV = { TABLE_NAME: '1234', USER_POOL_ID: 'eu-west-1_Abc123', CLIENT_IDS: 'a,b', AUDIT_TTL_DAYS: '30', AWS_REGION: 'eu-west-1' };
const JOB_ENV = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'table-1',
  TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/table-1',
  TABLE_KEY_ARN: 'arn:aws:kms:eu-west-1:000000000000:key/k',
  ARCHIVE_BUCKET: 'archive-1',
  EVIDENCE_BUCKET: 'evidence-1',
  TABLE_EXPORT_BUCKET: 'exports-1',
  MANIFEST_SIGNING_KEY_ID: 'alias/manifest',
};

describe('API configuration', () => {
  it('splits lists and reads numbers only where a setting is a number', () => {
    const config = configurationFromEnv(API_ENV);
    expect(config).toMatchObject({ tableName: '1234', clientIds: ['a', 'b'], auditTtlDays: 30 });
  });

  it('names every missing or bad variable', () => {
    expect(() => configurationFromEnv({ CLIENT_IDS: 'a', AUDIT_TTL_DAYS: 'ten' })).toThrow(ConfigurationError);
    expect(() => configurationFromEnv({ CLIENT_IDS: 'a', AUDIT_TTL_DAYS: 'ten' })).toThrow(
      /^(?=.*Environment variable TABLE_NAME: is not set)(?=.*Environment variable USER_POOL_ID: is not set)(?=.*Environment variable AUDIT_TTL_DAYS: (?!is not set))/,
    );
  });
});

describe('job settings', () => {
  it('take their defaults and numbers from the environment', () => {
    expect(jobSettingsFromEnv({})).toMatchObject({ auditTtlDays: 90, exportSettleSeconds: 300, exportLookbackDays: 3 });
    expect(jobSettingsFromEnv({ ARCHIVE_EXPORT_SETTLE_SECONDS: '0', ARCHIVE_EXPORT_LOOKBACK_DAYS: '7' })).toMatchObject({ exportSettleSeconds: 0, exportLookbackDays: 7 });
    expect(() => jobSettingsFromEnv({ ARCHIVE_EXPORT_LOOKBACK_DAYS: '0' })).toThrow(/ARCHIVE_EXPORT_LOOKBACK_DAYS/);
    expect(() => jobSettingsFromEnv({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
  });

  it('every job builds from a full environment', () => {
    const settings = jobSettingsFromEnv(JOB_ENV);
    for (const build of [archiverDeps, exportDeps, fileVerifierDeps, tableExportDeps, backupDrillDeps]) expect(build(settings)).toBeTypeOf('object');
    expect(exportDeps(settings)).toBe(exportDeps(settings));
  });

  it.each([
    ['archiver', archiverDeps, 'ARCHIVE_BUCKET'],
    ['export', exportDeps, 'MANIFEST_SIGNING_KEY_ID'],
    ['file verifier', fileVerifierDeps, 'EVIDENCE_BUCKET'],
    ['table export', tableExportDeps, 'TABLE_EXPORT_BUCKET'],
    ['backup drill', backupDrillDeps, 'TABLE_KEY_ARN'],
  ] as const)('the %s refuses to start without %s, naming it', (_name, build, variable) => {
    const { [variable]: _dropped, ...rest } = JOB_ENV;
    expect(() => build(jobSettingsFromEnv(rest))).toThrow(new ConfigurationError(`Invalid configuration: Environment variable ${variable}: is not set`));
  });
});
