/**
 * Settings per deployment stage, and the rate limits of the API contract. Pure data and
 * validation with no CDK import: the CDK app and the local runtime both read this module,
 * so both enforce the same limits.
 */

export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** A token bucket: the steady rate and the burst it may absorb. */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface RateLimits {
  /** Per signed-in user (the local runtime keys by user id, AWS by bearer token). */
  readonly perUser: RateLimit;
  /** Per client IP address. */
  readonly perAddress: RateLimit;
}

/** The API contract's floor: 50/s per user with bursts of 200, 500/s per address with bursts of 2,000. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  perUser: { ratePerSecond: 50, burst: 200 },
  perAddress: { ratePerSecond: 500, burst: 2000 },
};

/** `GET /v1/shared/{token}` (share links, no sign-in): requests per minute per client address (API.md 1.1), in WAF and the local runtime. */
export const SHARED_LINK_RATE_PER_MINUTE = 10;
export const SHARED_PATH_PREFIX = '/v1/shared/';

/** Object Lock modes: COMPLIANCE binds everyone, root included; GOVERNANCE lets a privileged principal lift it (dev only). */
export const OBJECT_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

export interface StageSettings {
  readonly stage: StageName;
  /**
   * The AWS region every stack of the stage deploys to. Named by the stage, never taken from
   * the CLI's CDK_DEFAULT_REGION (which the CLI always sets, to us-east-1 when nothing is configured).
   */
  readonly region: string;
  /** Region of the second backup vault that receives a copy of every recovery point; must differ from `region`. */
  readonly backupCopyRegion: string;
  /** Years the archive keeps every object under Object Lock. */
  readonly retentionYears: number;
  /** Object Lock mode of the archive; prod refuses GOVERNANCE. */
  readonly objectLockMode: ObjectLockMode;
  /**
   * Reserved concurrency of the hourly export. @default - none: Lambda keeps 100 executions
   * unreserved per account, so reserving in a new account (quota 10) fails the deploy; the
   * manifest head's conditional write already keeps two exports from both advancing the chain.
   */
  readonly exportReservedConcurrency?: number;
  /** Name of the IAM role that alone may schedule deletion of, or disable, the archive and signing keys. */
  readonly breakGlassRoleName: string;
  /**
   * SES-verified address Cognito and the notifications send their e-mail from (required in
   * prod: Cognito's own sender allows a few a day). The stack creates its SES identity; the
   * verification link SES sends it must be opened by hand. Without it, no notification e-mail.
   */
  readonly sesFromEmail?: string;
  /**
   * The web console's base URL: every notification links into it (`<base>/requests/{id}`).
   * @default the first of `allowedOrigins` (the console's origin)
   */
  readonly consoleBaseUrl?: string;
  /** Browser origins allowed by CORS, exact `https://host[:port]` values. */
  readonly allowedOrigins: readonly string[];
  /** Managed-login redirect targets of the web app client. */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** Receives every alarm; required in prod. */
  readonly alarmEmail?: string;
  readonly rateLimits: RateLimits;
  /** Days a hot audit item stays in the table before TTL may remove it (archived by then). */
  readonly auditTtlDays: number;
  /** Athena stops a query of the workgroup once it has scanned this many bytes. */
  readonly athenaBytesScannedCutoff: number;
  /** Cognito Plus plan with threat protection enforced (adaptive authentication, compromised credentials). */
  readonly threatProtection: boolean;
  /** Prefix of the managed-login domain `<prefix>.auth.<region>.amazoncognito.com`; globally unique. */
  readonly authDomainPrefix?: string;
}

const GIB = 1024 ** 3;

export const STAGE_DEFAULTS: Readonly<Record<StageName, StageSettings>> = {
  dev: {
    stage: 'dev',
    region: 'eu-west-1',
    backupCopyRegion: 'eu-central-1',
    retentionYears: 7,
    // A dev archive must be removable once its tests are over.
    objectLockMode: 'GOVERNANCE',
    breakGlassRoleName: 'evidence-requests-dev-break-glass',
    allowedOrigins: ['http://localhost:5173'],
    callbackUrls: ['http://localhost:5173/callback'],
    logoutUrls: ['http://localhost:5173/'],
    rateLimits: DEFAULT_RATE_LIMITS,
    auditTtlDays: 90,
    athenaBytesScannedCutoff: 10 * GIB,
    threatProtection: false,
  },
  prod: {
    stage: 'prod',
    region: 'eu-west-1',
    backupCopyRegion: 'eu-central-1',
    retentionYears: 7,
    objectLockMode: 'COMPLIANCE',
    breakGlassRoleName: 'evidence-requests-prod-break-glass',
    allowedOrigins: [],
    callbackUrls: [],
    logoutUrls: [],
    rateLimits: DEFAULT_RATE_LIMITS,
    auditTtlDays: 90,
    athenaBytesScannedCutoff: 100 * GIB,
    threatProtection: true,
  },
};

/** Below this, prod refuses to deploy: audits of supply-chain compliance look back years. */
export const PROD_MIN_RETENTION_YEARS = 7;

/** Object Lock COMPLIANCE cannot be shortened once written, so refuse nonsense up front. */
const MAX_RETENTION_YEARS = 99;

/** Resolves a stage's settings from its defaults and overrides, and throws on risky values. */
export function stageSettings(stage: string, overrides: Partial<Omit<StageSettings, 'stage'>> = {}): StageSettings {
  if (!isStageName(stage)) {
    throw new Error(`Unknown stage "${stage}": use one of ${STAGE_NAMES.join(', ')} (e.g. -c stage=dev)`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const settings: StageSettings = { ...STAGE_DEFAULTS[stage], ...defined, stage };
  validate(settings);
  return settings;
}

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}

function validate(s: StageSettings): void {
  const where = `Stage ${s.stage}`;
  if (!Number.isInteger(s.retentionYears) || s.retentionYears < 1 || s.retentionYears > MAX_RETENTION_YEARS) {
    throw new Error(`${where}: retentionYears ${s.retentionYears} must be a whole number of years from 1 to ${MAX_RETENTION_YEARS} (e.g. -c retentionYears=7)`);
  }
  if (!Number.isInteger(s.auditTtlDays) || s.auditTtlDays < 1) {
    throw new Error(`${where}: auditTtlDays ${s.auditTtlDays} must be a positive whole number of days (e.g. -c auditTtlDays=90)`);
  }
  for (const [name, limit] of Object.entries(s.rateLimits) as [string, RateLimit][]) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= limit.ratePerSecond)) {
      throw new Error(`${where}: rateLimits.${name} ${JSON.stringify(limit)} needs ratePerSecond > 0 and burst >= ratePerSecond`);
    }
  }
  for (const [key, region] of [['region', s.region], ['backupCopyRegion', s.backupCopyRegion]] as const) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw new Error(`${where}: ${key} "${region}" is not an AWS region name (e.g. -c ${key}=eu-west-1)`);
    }
  }
  if (s.backupCopyRegion === s.region) {
    throw new Error(`${where}: backupCopyRegion ${s.backupCopyRegion} equals region; backup copies must leave the region (e.g. -c backupCopyRegion=eu-central-1)`);
  }
  if (!(OBJECT_LOCK_MODES as readonly string[]).includes(s.objectLockMode)) {
    throw new Error(`${where}: objectLockMode "${s.objectLockMode}" must be one of ${OBJECT_LOCK_MODES.join(', ')}`);
  }
  if (s.exportReservedConcurrency !== undefined && (!Number.isInteger(s.exportReservedConcurrency) || s.exportReservedConcurrency < 1)) {
    throw new Error(`${where}: exportReservedConcurrency ${s.exportReservedConcurrency} must be a positive whole number, or left unset`);
  }
  if (!/^[\w+=,.@-]{1,64}$/.test(s.breakGlassRoleName)) {
    throw new Error(`${where}: breakGlassRoleName "${s.breakGlassRoleName}" is not an IAM role name`);
  }
  if (s.sesFromEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.sesFromEmail)) {
    throw new Error(`${where}: sesFromEmail "${s.sesFromEmail}" is not an e-mail address (e.g. -c sesFromEmail=no-reply@example.com)`);
  }
  for (const origin of s.allowedOrigins) {
    if (origin.includes('*')) {
      throw new Error(`${where}: allowedOrigins contains the wildcard "${origin}"; list exact origins instead (e.g. -c allowedOrigins=https://app.example.com)`);
    }
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(`${where}: allowedOrigins entry "${origin}" is not an origin; use scheme://host[:port] without a path`);
    }
  }
  if (s.consoleBaseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(s.consoleBaseUrl)) {
    throw new Error(`${where}: consoleBaseUrl "${s.consoleBaseUrl}" is not a URL (e.g. -c consoleBaseUrl=https://app.example.com)`);
  }
  if (s.stage !== 'prod') return;
  if (s.retentionYears < PROD_MIN_RETENTION_YEARS) {
    throw new Error(`${where}: retentionYears ${s.retentionYears} is too short for the audit archive; use at least ${PROD_MIN_RETENTION_YEARS} (e.g. -c retentionYears=${PROD_MIN_RETENTION_YEARS})`);
  }
  if (s.objectLockMode !== 'COMPLIANCE') {
    throw new Error(`${where}: objectLockMode ${s.objectLockMode} would let a privileged user delete archived audit events; prod archives in COMPLIANCE mode (drop -c objectLockMode)`);
  }
  if (!s.sesFromEmail) {
    throw new Error(`${where}: sesFromEmail is not set, so Cognito would send with its default sender (a few e-mails a day); verify an address in SES and pass -c sesFromEmail=no-reply@example.com`);
  }
  const plain = [...s.allowedOrigins, ...s.callbackUrls, ...s.logoutUrls].filter((u) => !u.startsWith('https://'));
  if (plain.length > 0) {
    throw new Error(`${where}: ${plain.join(', ')} must use https; give https URLs (e.g. -c allowedOrigins=https://app.example.com)`);
  }
  if (s.allowedOrigins.length === 0 || s.callbackUrls.length === 0) {
    throw new Error(`${where}: allowedOrigins and callbackUrls must be set (e.g. -c allowedOrigins=https://app.example.com -c callbackUrls=https://app.example.com/callback)`);
  }
  if (!s.alarmEmail) {
    throw new Error(`${where}: alarmEmail is not set, so alarms would reach nobody; pass -c alarmEmail=oncall@example.com`);
  }
  if (!consoleBaseUrl(s).startsWith('https://')) {
    throw new Error(`${where}: consoleBaseUrl must be the console's https address, so notifications link to it (e.g. -c consoleBaseUrl=https://app.example.com)`);
  }
}

/** The fixed window WAF's rate-based rules count over; 60 s keeps bursts from hiding in a long window. */
export const WAF_EVALUATION_WINDOW_SECONDS = 60;

/**
 * Request limit of a WAF rate-based rule over its evaluation window. WAF counts requests
 * per window (no token bucket), so the steady rate times the window is allowed, plus the
 * burst once.
 */
export function wafRateLimit(limit: RateLimit, windowSeconds = WAF_EVALUATION_WINDOW_SECONDS): number {
  return Math.ceil(limit.ratePerSecond * windowSeconds + limit.burst);
}

/** API Gateway's default account quota per region; a stage cannot exceed it. */
const ACCOUNT_QUOTA: RateLimit = { ratePerSecond: 10_000, burst: 5_000 };
/** How many clients at their full per-address rate the stage as a whole serves. */
export const STAGE_HEADROOM_CLIENTS = 4;

/**
 * API Gateway's stage throttle. It is one bucket for the whole stage, not per client, so
 * it is a ceiling that lets several clients run at their full per-address rate; the
 * per-address and per-user limits are enforced by WAF (and by the local runtime).
 */
export function apiGatewayThrottle(limits: RateLimits): RateLimit {
  const ratePerSecond = Math.min(ACCOUNT_QUOTA.ratePerSecond, limits.perAddress.ratePerSecond * STAGE_HEADROOM_CLIENTS);
  const burst = Math.min(ACCOUNT_QUOTA.burst, limits.perAddress.burst * STAGE_HEADROOM_CLIENTS);
  return { ratePerSecond, burst: Math.max(burst, limits.perAddress.burst) };
}

/** Where notifications link to: the stage's console base URL, else its first allowed origin. */
export function consoleBaseUrl(s: Pick<StageSettings, 'consoleBaseUrl' | 'allowedOrigins'>): string {
  return s.consoleBaseUrl ?? s.allowedOrigins[0] ?? '';
}
