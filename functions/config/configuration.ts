/**
 * The API functions' configuration, parsed once by zod: in Lambda from the environment the
 * function construct sets (names in environment.ts), locally from the object the local
 * runtime builds. A missing or bad value fails at start with the variable named.
 */
import * as z from 'zod/mini';
import type { LocalCredentials } from '../adapters/sdk-policy.js';
import type { CursorKeySource } from '../middleware/cursors.js';
import type { PackJobs } from '../core/ports.js';
import { ENV } from './environment.js';

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
  /** The queue of pack builds when it is not SQS (the local runtime's in-process queue, tests). */
  readonly packJobs?: PackJobs;
}

type SettingName = keyof ApiSettings;

/** The environment variable of each setting. */
const VARIABLES: Record<SettingName, string> = {
  tableName: ENV.tableName,
  auditTtlDays: ENV.auditTtlDays,
  userPoolId: ENV.userPoolId,
  clientIds: ENV.clientIds,
  jwksUri: ENV.jwksUri,
  region: ENV.region,
  dynamodbEndpoint: ENV.dynamodbEndpoint,
  s3Endpoint: ENV.s3Endpoint,
  evidenceBucket: ENV.evidenceBucket,
  cursorKeySecretArn: ENV.cursorKeySecretArn,
  packsBucket: ENV.packsBucket,
  packQueueUrl: ENV.packQueueUrl,
};

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function parse(input: Record<string, unknown>, nameOf: (setting: string) => string, extra: Omit<Configuration, SettingName> = {}): Configuration {
  const result = ApiSettings.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const setting = String(issue.path[0] ?? '');
      return `${nameOf(setting)}: ${issue.input === undefined ? 'is not set' : issue.message}`;
    });
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return { ...result.data, ...extra };
}

/** The settings from an environment (a Lambda's). */
export function configurationFromEnv(env: NodeJS.ProcessEnv): Configuration {
  const input: Record<string, unknown> = {};
  for (const [setting, variable] of Object.entries(VARIABLES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (setting === 'clientIds') input[setting] = value.split(',').filter(Boolean);
    else if (setting === 'auditTtlDays') input[setting] = /^\d+$/.test(value) ? Number(value) : value;
    else input[setting] = value;
  }
  return parse(input, (setting) => `Environment variable ${VARIABLES[setting as SettingName] ?? setting}`);
}

/** A configuration object built in code (the local runtime, tests), checked by the same schema. */
export function configuration(settings: z.input<typeof ApiSettings>, extra: Omit<Configuration, SettingName> = {}): Configuration {
  return parse(settings as Record<string, unknown>, (setting) => `Setting ${setting}`, extra);
}
