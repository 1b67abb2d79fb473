/**
 * The one construct every Lambda of the product is built with: it owns the runtime,
 * bundling, logging, tracing and role defaults, and is the only place that sets the
 * environment variables the functions read (names from functions/config/environment.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ARCHIVE_ENV, ENV } from '../functions/config/environment.js';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** The newest Node.js runtime this aws-cdk-lib knows; NODEJS_LATEST lags behind it. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Every variable a function may read, by key: functions/config/environment.ts owns the names. */
const ENV_NAMES = { ...ENV, ...ARCHIVE_ENV } as const;
export type FunctionEnvironment = Partial<Record<keyof typeof ENV_NAMES, string>>;

export interface ServiceFunctionProps {
  /** File name (without `.ts`) under functions/handlers/, exporting `handler`. */
  readonly handler: string;
  readonly description: string;
  /** Hard limit of one invocation; the SDK clients inside time out well before it. */
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Environment variables by their ENV key (e.g. `tableName`), never by raw name. */
  readonly environment?: FunctionEnvironment;
  /** Encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const entry = join(HANDLERS_DIR, `${props.handler}.ts`);
    if (!existsSync(entry)) {
      throw new Error(`ServiceFunction ${this.node.path}: handler entry ${entry} does not exist; create functions/handlers/${props.handler}.ts exporting "handler"`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own
    // log group only, and every other permission is a grant the stack makes on purpose.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${Stack.of(this).stackName})`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = { NODE_OPTIONS: '--enable-source-maps' };
    for (const [key, value] of Object.entries(props.environment ?? {})) {
      if (value !== undefined) environment[ENV_NAMES[key as keyof typeof ENV_NAMES]] = value;
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Bundle the SDK too: pinned versions, and it loads faster than the runtime's copy.
        externalModules: [],
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
    });
  }
}
