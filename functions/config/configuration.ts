/**
 * The functions' configuration, parsed once by zod: in Lambda from the environment the
 * function construct sets (names in environment.ts), locally from the object the local
 * runtime builds. A missing or bad value fails at start with the variable named. The API
 * functions share one settings object (ApiSettings); the asynchronous jobs another
 * (JobSettings), where each job's builder names what it requires.
 */
import * as z from 'zod/mini';
import type { LocalUserStore } from '../adapters/local-user-store.js';
import type { LocalCredentials } from '../adapters/sdk-policy.js';
import type { DeliveryQueue, HostResolver } from '../core/notification-ports.js';
import type { MailSender } from '../core/ports.js';
import type { CursorKeySource } from '../middleware/cursors.js';
import { ARCHIVE_ENV, ENV } from './environment.js';
import type { PackJobs } from '../core/ports.js';

export const DEFAULT_AUDIT_TTL_DAYS = 90;

const nonEmpty = z.string().check(z.minLength(1));
const url = z.url();

export const ApiSettings = z.strictObject({
  tableName: nonEmpty,
  auditTtlDays: z._default(z.int().check(z.minimum(1)), DEFAULT_AUDIT_TTL_DAYS),
  userPoolId: z.string().check(z.regex(/^[\w-]+_[0-9A-Za-z]+$/, 'must be a user pool id such as eu-west-1_AbC123')),
  clientIds: z.array(nonEmpty).check(z.minLength(1)),
  jwksUri: z.optional(url),
  region: z.optional(nonEmpty),
  dynamodbEndpoint: z.optional(url),
  s3Endpoint: z.optional(url),
  evidenceBucket: z.optional(nonEmpty),
  /** The Secrets Manager secret whose value keys the cursor seals (AWS). */
  cursorKeySecretArn: z.optional(z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN'))),
  /** The web console's base URL (links in notifications). */
  consoleBaseUrl: z._default(url, 'http://127.0.0.1:3000'),
  /** The SQS queue of webhook deliveries (AWS). */
  webhookQueueUrl: z.optional(url),
  /** The verified SES identity notifications are sent from (AWS). */
  mailFrom: z.optional(nonEmpty),
  mailConfigurationSet: z.optional(nonEmpty),
  packsBucket: z.optional(nonEmpty),
  packQueueUrl: z.optional(url),
});
export type ApiSettings = z.infer<typeof ApiSettings>;

/** What the composition root builds from: the parsed settings, and what only a local runtime passes in. */
export interface Configuration extends ApiSettings {
  /** Local endpoints' static credentials; in AWS the role's, from the SDK's default chain. */
  readonly credentials?: LocalCredentials;
  /** The cursor key, when it does not come from Secrets Manager (the local runtime's file, tests). */
  readonly cursorKey?: CursorKeySource;
  /**
   * The local runtime only: webhook URLs may be `http://127.0.0.1` (a receiver on this
   * machine). Never set from the environment, so no Lambda can turn it on.
   */
  readonly allowLocalWebhooks?: boolean;
  /** The webhook delivery queue when it is not SQS (the local delayed queue, tests). */
  readonly deliveryQueue?: DeliveryQueue;
  /** Host name resolution for the webhook URL guard (tests inject one). @default the system resolver */
  readonly hostResolver?: HostResolver;
  /** The local token issuer's user pool: when set, identities live there instead of in Cognito. */
  readonly userStore?: LocalUserStore;
  /** Where local mail goes (the local mail folder); in AWS, SES. */
  readonly mail?: MailSender;
  /** The queue of pack builds when it is not SQS (the local runtime's in-process queue, tests). */
  readonly packJobs?: PackJobs;
}

type SettingName = keyof ApiSettings;


export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function parseWith<S extends z.ZodMiniType>(schema: S, input: Record<string, unknown>, nameOf: (setting: string) => string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const setting = String(issue.path[0] ?? '');
      return `${nameOf(setting)}: ${input[setting] === undefined ? 'is not set' : issue.message}`;
    });
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

function parse(input: Record<string, unknown>, nameOf: (setting: string) => string, extra: Omit<Configuration, SettingName> = {}): Configuration {
  return { ...parseWith(ApiSettings, input, nameOf), ...extra };
}

/** Each variable's value as its setting takes it: lists split, digits of a number setting as a number. */
function fromEnv(env: NodeJS.ProcessEnv, variables: Record<string, string>, kinds: { lists?: readonly string[]; numbers: readonly string[] }): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [setting, variable] of Object.entries(variables)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (kinds.lists?.includes(setting)) input[setting] = value.split(',').filter(Boolean);
    else if (kinds.numbers.includes(setting) && /^\d+$/.test(value)) input[setting] = Number(value);
    else input[setting] = value;
  }
  return input;
}

/** The settings from an environment (a Lambda's). */
export function configurationFromEnv(env: NodeJS.ProcessEnv): Configuration {
  const variables = pick(VARIABLES, Object.keys(ApiSettings.shape) as SettingName[]);
  return parse(fromEnv(env, variables, { lists: ['clientIds'], numbers: ['auditTtlDays'] }), (setting) => `Environment variable ${VARIABLES[setting as SettingName] ?? setting}`);
}

/** A configuration object built in code (the local runtime, tests), checked by the same schema. */
export function configuration(settings: z.input<typeof ApiSettings>, extra: Omit<Configuration, SettingName> = {}): Configuration {
  return parse(settings as Record<string, unknown>, (setting) => `Setting ${setting}`, extra);
}

/** The asynchronous jobs' settings (archiver, export, file verifier, backups). */
export const JobSettings = z.strictObject({
  region: z.optional(nonEmpty),
  dynamodbEndpoint: z.optional(url),
  s3Endpoint: z.optional(url),
  tableName: z.optional(nonEmpty),
  tableArn: z.optional(nonEmpty),
  tableKeyArn: z.optional(nonEmpty),
  auditTtlDays: z._default(z.int().check(z.minimum(1)), DEFAULT_AUDIT_TTL_DAYS),
  archiveBucket: z.optional(nonEmpty),
  evidenceBucket: z.optional(nonEmpty),
  tableExportBucket: z.optional(nonEmpty),
  manifestSigningKeyId: z.optional(nonEmpty),
  packsBucket: z.optional(nonEmpty),
  exportSettleSeconds: z._default(z.int().check(z.minimum(0)), 300),
  exportLookbackDays: z._default(z.int().check(z.minimum(1)), 3),
  /** The notifier's links, queue and mail identity (see ApiSettings). */
  consoleBaseUrl: z._default(url, 'http://127.0.0.1:3000'),
  webhookQueueUrl: z.optional(url),
  mailFrom: z.optional(nonEmpty),
  mailConfigurationSet: z.optional(nonEmpty),
});
export type JobSettings = z.infer<typeof JobSettings>;
type JobSettingName = keyof JobSettings;

/** The environment variable of each setting, API and job settings alike. */
const VARIABLES: Record<SettingName | JobSettingName, string> = {
  tableName: ENV.tableName,
  tableArn: ENV.tableArn,
  tableKeyArn: ENV.tableKeyArn,
  auditTtlDays: ENV.auditTtlDays,
  userPoolId: ENV.userPoolId,
  clientIds: ENV.clientIds,
  jwksUri: ENV.jwksUri,
  region: ENV.region,
  dynamodbEndpoint: ENV.dynamodbEndpoint,
  s3Endpoint: ENV.s3Endpoint,
  archiveBucket: ENV.archiveBucket,
  evidenceBucket: ENV.evidenceBucket,
  tableExportBucket: ENV.tableExportBucket,
  cursorKeySecretArn: ENV.cursorKeySecretArn,
  consoleBaseUrl: ENV.consoleBaseUrl,
  webhookQueueUrl: ENV.webhookQueueUrl,
  mailFrom: ENV.mailFrom,
  mailConfigurationSet: ENV.mailConfigurationSet,
  manifestSigningKeyId: ENV.manifestSigningKeyId,
  exportSettleSeconds: ARCHIVE_ENV.exportSettleSeconds,
  exportLookbackDays: ARCHIVE_ENV.exportLookbackDays,
  packsBucket: ENV.packsBucket,
  packQueueUrl: ENV.packQueueUrl,
};

export function jobSettingsFromEnv(env: NodeJS.ProcessEnv): JobSettings {
  const variables = pick(VARIABLES, Object.keys(JobSettings.shape) as JobSettingName[]);
  const input = fromEnv(env, variables, { numbers: ['auditTtlDays', 'exportSettleSeconds', 'exportLookbackDays'] });
  return parseWith(JobSettings, input, (setting) => `Environment variable ${VARIABLES[setting as JobSettingName] ?? setting}`);
}

/** A setting a job cannot run without: missing, it fails at start naming its variable. */
export function requiredSetting<K extends JobSettingName>(settings: JobSettings, name: K): NonNullable<JobSettings[K]> {
  const value = settings[name];
  if (value === undefined) throw new ConfigurationError(`Invalid configuration: Environment variable ${VARIABLES[name]}: is not set`);
  return value as NonNullable<JobSettings[K]>;
}

function pick<K extends string>(variables: Record<string, string>, settings: readonly K[]): Record<K, string> {
  return Object.fromEntries(settings.map((setting) => [setting, variables[setting]])) as Record<K, string>;
}
