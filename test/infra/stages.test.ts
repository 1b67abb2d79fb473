import { describe, expect, it } from 'vitest';
import { apiGatewayThrottle, DEFAULT_RATE_LIMITS, stageSettings, wafRateLimit } from '../../lib/stages.js';
import { PROD_CONTEXT, synthApp } from './app.js';

const prod = {
  alarmEmail: 'a@example.com',
  allowedOrigins: ['https://app.example.com'],
  callbackUrls: ['https://app.example.com/cb'],
  sesFromEmail: 'no-reply@example.com',
  consoleBaseUrl: 'https://app.example.com',
};

describe('stage settings', () => {
  it('defaults meet the API contract floor (50/s, burst 200 per user; 500/s, burst 2,000 per address)', () => {
    const s = stageSettings('dev');
    expect(s.rateLimits.perUser.ratePerSecond).toBeGreaterThanOrEqual(50);
    expect(s.rateLimits.perUser.burst).toBeGreaterThanOrEqual(200);
    expect(s.rateLimits.perAddress.ratePerSecond).toBeGreaterThanOrEqual(500);
    expect(s.rateLimits.perAddress.burst).toBeGreaterThanOrEqual(2000);
    expect(s.retentionYears).toBe(7);
  });

  it('derives WAF and API Gateway limits from the rate limits', () => {
    expect(wafRateLimit({ ratePerSecond: 500, burst: 2000 }, 60)).toBe(32_000);
    const throttle = apiGatewayThrottle(DEFAULT_RATE_LIMITS);
    expect(throttle.ratePerSecond).toBeGreaterThanOrEqual(500);
    expect(throttle.burst).toBeGreaterThanOrEqual(2000);
  });

  it('prod refuses a wildcard origin, naming the value and the fix', () => {
    expect(() => stageSettings('prod', { ...prod, allowedOrigins: ['*'] })).toThrow(/"\*".*-c allowedOrigins=/);
  });

  it('prod refuses short retention', () => {
    expect(() => stageSettings('prod', { ...prod, retentionYears: 1 })).toThrow(/retentionYears 1 .*at least 7/);
  });

  it('prod refuses plain http origins and a missing alarm email', () => {
    expect(() => stageSettings('prod', { ...prod, allowedOrigins: ['http://app.example.com'] })).toThrow(/https/);
    expect(() => stageSettings('prod', { ...prod, alarmEmail: undefined })).toThrow(/alarmEmail/);
  });

  it('prod archives in COMPLIANCE mode only; dev stages may use GOVERNANCE, so their archive can be removed', () => {
    expect(() => stageSettings('prod', { ...prod, objectLockMode: 'GOVERNANCE' })).toThrow(/objectLockMode GOVERNANCE .*COMPLIANCE/);
    expect(stageSettings('prod', prod).objectLockMode).toBe('COMPLIANCE');
    expect(stageSettings('dev').objectLockMode).toBe('GOVERNANCE');
    expect(stageSettings('dev', { objectLockMode: 'COMPLIANCE' }).objectLockMode).toBe('COMPLIANCE');
    expect(() => synthApp({ ...PROD_CONTEXT, objectLockMode: 'GOVERNANCE' })).toThrow(/objectLockMode GOVERNANCE/);
  });

  it('prod refuses Cognito\'s default e-mail sender: an SES-verified address is required', () => {
    expect(() => stageSettings('prod', { ...prod, sesFromEmail: undefined })).toThrow(/sesFromEmail .*-c sesFromEmail=/);
    expect(() => stageSettings('dev', { sesFromEmail: 'not-an-address' })).toThrow(/sesFromEmail "not-an-address"/);
  });

  it('names the region in the stage, never from CDK_DEFAULT_REGION, and refuses a backup copy in the same region', () => {
    const saved = process.env['CDK_DEFAULT_REGION'];
    process.env['CDK_DEFAULT_REGION'] = 'us-east-1';
    try {
      const app = synthApp({ stage: 'dev' });
      expect(app.stateful.region).toBe(stageSettings('dev').region);
      expect(app.stateless.region).toBe(stageSettings('dev').region);
      expect(app.backupCopy.region).toBe(stageSettings('dev').backupCopyRegion);
      expect(synthApp({ stage: 'dev', region: 'eu-north-1' }).stateful.region).toBe('eu-north-1');
    } finally {
      if (saved === undefined) delete process.env['CDK_DEFAULT_REGION'];
      else process.env['CDK_DEFAULT_REGION'] = saved;
    }
    expect(() => stageSettings('dev', { backupCopyRegion: 'eu-west-1' })).toThrow(/backupCopyRegion eu-west-1 equals region/);
    expect(() => stageSettings('dev', { region: 'Ireland' })).toThrow(/region "Ireland" is not an AWS region/);
  });

  it('refuses an unknown stage and bad rate limits', () => {
    expect(() => stageSettings('qa')).toThrow(/Unknown stage "qa"/);
    expect(() => stageSettings('dev', { rateLimits: { perUser: { ratePerSecond: 10, burst: 5 }, perAddress: DEFAULT_RATE_LIMITS.perAddress } })).toThrow(/perUser/);
  });

  it('the CDK app refuses risky prod context eagerly', () => {
    expect(() => synthApp({ ...PROD_CONTEXT, allowedOrigins: 'https://a.example.com,*' })).toThrow(/wildcard/);
    expect(() => synthApp({ ...PROD_CONTEXT, retentionYears: '3' })).toThrow(/retentionYears 3/);
  });

  it('reads rate limits from context as JSON', () => {
    const limits = { perUser: { ratePerSecond: 100, burst: 400 }, perAddress: { ratePerSecond: 1000, burst: 4000 } };
    const { statelessTemplate } = synthApp({ stage: 'dev', rateLimits: JSON.stringify(limits) });
    expect(JSON.stringify(statelessTemplate.toJSON())).toContain(`"Limit":${wafRateLimit(limits.perAddress)}`);
  });
});
