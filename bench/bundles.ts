/**
 * Bundle size and cold import time of every Lambda entry, bundled as the CDK function
 * construct does (lib/service-function.ts: esbuild, minified, ESM, platform node, target
 * node24, the createRequire banner, nothing external), beside a bundle of the DynamoDB client
 * alone and a bare `node -e 0`. A cold import is the CPU time (user + system) of a fresh node
 * process importing the bundle: what a Lambda init spends, and steady on a busy machine where
 * wall time is not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { median } from './stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BANNER = "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);";

export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  /** CPU time of a fresh process importing the bundle (ms). */
  readonly coldImportMs: number;
}

export interface BundleResult {
  readonly bundles: BundleFigures[];
  readonly dynamoOnly: BundleFigures;
  readonly bareNodeMs: number;
}

async function bundle(entry: string | { contents: string }, outfile: string): Promise<number> {
  await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts' } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** Environment a handler reads at import (dummy values; nothing is called). */
const HANDLER_ENV = {
  TABLE_NAME: 'bench',
  USER_POOL_ID: 'eu-west-1_Bench1',
  CLIENT_IDS: 'bench-client',
  ARCHIVE_BUCKET: 'bench-archive',
  EVIDENCE_BUCKET: 'bench-evidence',
  PACKS_BUCKET: 'bench-packs',
  PACK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-packs',
  MANIFEST_SIGNING_KEY_ID: 'alias/bench',
  CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench-cursor-key',
  TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/bench',
  TABLE_KEY_ARN: 'arn:aws:kms:eu-west-1:000000000000:key/bench',
  TABLE_EXPORT_BUCKET: 'bench-table-exports',
  CONSOLE_BASE_URL: 'https://console.bench.example',
  WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-webhooks',
  MAIL_FROM: 'bench@bench.example',
  MAIL_CONFIGURATION_SET: 'bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const CPU_HOOK = new URL('./cpu-usage-hook.mjs', import.meta.url).pathname;

/** The median CPU time (user + system, ms) of a fresh `node` process running `args`. */
function timeNode(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { env: { ...process.env, ...HANDLER_ENV }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    const stderr = result.stderr.toString();
    const cpu = /cpu-ms:([0-9.]+)/.exec(stderr)?.[1];
    if (result.status !== 0 || cpu === undefined) throw new Error(`node ${args.join(' ')} failed: ${stderr.slice(0, 500)}`);
    times.push(Number(cpu));
  }
  return median(times);
}

export async function measureBundles(runs = 7): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const entries = readdirSync(join(ROOT, 'functions/handlers')).filter((f) => f.endsWith('.ts')).sort();
    // The client every API function creates: the DynamoDB client and its document client, created once.
    const dynamoEntry = {
      contents:
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const client = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }));\n",
    };
    const dynamoOut = join(dir, 'dynamodb-only.mjs');
    const dynamoBytes = await bundle(dynamoEntry, dynamoOut);
    const bundles: BundleFigures[] = [];
    for (const file of entries) {
      const out = join(dir, `${basename(file, '.ts')}.mjs`);
      const bytes = await bundle(join(ROOT, 'functions/handlers', file), out);
      bundles.push({ name: basename(file, '.ts'), bytes, coldImportMs: 0 });
    }
    // Round-robin, so a busy moment of the machine hits every target alike; the median of each.
    const targets: string[][] = [['-e', '0'], [dynamoOut], ...bundles.map((b) => [join(dir, `${b.name}.mjs`)])];
    const samples = targets.map(() => [] as number[]);
    for (let run = 0; run < runs; run++) targets.forEach((args, i) => samples[i]!.push(timeNode(args, 1)));
    const [bare, dynamo, ...handlers] = samples.map((s) => median(s));
    return {
      bundles: bundles.map((b, i) => ({ ...b, coldImportMs: handlers[i]! })),
      dynamoOnly: { name: 'dynamodb-client-only', bytes: dynamoBytes, coldImportMs: dynamo! },
      bareNodeMs: bare!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
