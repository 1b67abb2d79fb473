/**
 * Reads a stage's settings from CDK context: `-c stage=prod -c alarmEmail=... -c
 * allowedOrigins=https://a,https://b` on the command line, or the same keys in cdk.json.
 */
import type { Node } from 'constructs';
import { stageSettings, type RateLimits, type StageSettings } from './stages.js';

export function stageFromContext(node: Node): StageSettings {
  const get = (key: string): unknown => node.tryGetContext(key);
  return stageSettings(String(get('stage') ?? 'dev'), {
    region: str(get('region')),
    backupCopyRegion: str(get('backupCopyRegion')),
    retentionYears: num(get('retentionYears'), 'retentionYears'),
    objectLockMode: str(get('objectLockMode')) as StageSettings['objectLockMode'] | undefined,
    exportReservedConcurrency: num(get('exportReservedConcurrency'), 'exportReservedConcurrency'),
    breakGlassRoleName: str(get('breakGlassRoleName')),
    sesFromEmail: str(get('sesFromEmail')),
    consoleBaseUrl: str(get('consoleBaseUrl')),
    auditTtlDays: num(get('auditTtlDays'), 'auditTtlDays'),
    athenaBytesScannedCutoff: num(get('athenaBytesScannedCutoff'), 'athenaBytesScannedCutoff'),
    allowedOrigins: list(get('allowedOrigins')),
    callbackUrls: list(get('callbackUrls')),
    logoutUrls: list(get('logoutUrls')),
    alarmEmail: str(get('alarmEmail')),
    authDomainPrefix: str(get('authDomainPrefix')),
    threatProtection: bool(get('threatProtection')),
    rateLimits: json<RateLimits>(get('rateLimits'), 'rateLimits'),
  });
}

function str(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

function num(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`Context ${key}="${String(value)}" is not a number`);
  return n;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value).split(',').map((s) => s.trim()).filter(Boolean);
}

function bool(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}

function json<T>(value: unknown, key: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new Error(`Context ${key} must be JSON, e.g. '{"perUser":{"ratePerSecond":50,"burst":200},"perAddress":{"ratePerSecond":500,"burst":2000}}'`);
  }
}
