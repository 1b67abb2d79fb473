/**
 * The whole local stack behind `npm start`: signing keys, the HTTP adapter (bound first so a
 * busy port fails fast), DynamoDB Local with the table and seed data, the archive runtime
 * when present, and the production Lambda handlers, built by the composition root from this
 * runtime's own configuration object (no process.env), so two runtimes live in one process.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ROUTES } from '../functions/api/routes.js';
import { publicDeps, s3Client } from '../functions/composition/root.js';
import { auditDeps, evidenceDeps, evidenceRepository, requestsDeps } from '../functions/composition/table.js';
import { configuration, type Configuration } from '../functions/config/configuration.js';
import { createHandler as auditHandler } from '../functions/http/audit.js';
import { createHandler as evidenceHandler } from '../functions/http/evidence.js';
import { createHandler as packsHandler } from '../functions/http/packs.js';
import { createHandler as publicHandler } from '../functions/http/public.js';
import { packBuilderDeps, packsDeps } from '../functions/composition/packs.js';
import { LocalKeyManifestSigner } from '../functions/adapters/local-key-signer.js';
import { createHandler as packBuilderHandler } from '../functions/jobs/pack-builder.js';
import { createLocalPackQueue, type LocalPackQueue } from './pack-queue.js';
import { createHandler as requestsHandler } from '../functions/http/requests.js';
import { createHandler as notificationsHandler } from '../functions/http/notifications.js';
import { notificationsDeps, notifierDeps, webhookWorkerDeps } from '../functions/composition/notifications.js';
import { createHandler as notifierHandler } from '../functions/jobs/notifier.js';
import { createHandler as webhookWorkerHandler } from '../functions/jobs/webhook-worker.js';
import { createHandler as reminderHandler } from '../functions/jobs/reminders.js';
import { reminderDeps } from '../functions/composition/notifications.js';
import type { SweepResult } from '../functions/core/use-cases/reminders.js';
import { loadOrCreateCursorKey } from './cursor-key.js';
import { createDelayedQueue, type LocalDelayedQueue } from './delayed-queue.js';
import { startStreamPoller, type StreamPoller } from './stream-poller.js';
import { appendFile, mkdir as mkdirAsync } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3EvidenceObjects } from '../functions/adapters/s3-evidence-objects.js';
import { EVIDENCE_KEY_PREFIX } from '../functions/core/evidence-files.js';
import { createHandler as fileVerifierHandler } from '../functions/jobs/file-verifier.js';
import { invocationLogger } from '../functions/observability/logger.js';
import { DEMO_USERS, demoPassword, demoPasswordSource, demoStoreUsers, signInDirectory, type DemoUser } from './demo-users.js';
import { LocalAuthorizationServer } from './oauth-server.js';
import { CONSOLE_DIST, consoleBuilt, ConsoleSite } from './console-site.js';
import { CONSOLE_SCOPES } from '../functions/config/claims.js';
import { STAGE_DEFAULTS } from '../lib/stages.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local.js';
import { startArchiveRuntime } from './archive-runtime.js';
import { LOCAL_S3_CREDENTIALS, localArchivePaths, type ObjectCreated } from './s3-local.js';
import { createObjectEventBus, type ObjectEventBus } from './object-events.js';
import { createLocalHttpServer } from './http-server.js';
import { ensureTable, seedOrganisations, seedUsers } from './seed.js';
import { createMailOutbox } from './mail-outbox.js';
import { LocalUserStore } from '../functions/adapters/local-user-store.js';
import { directoryDeps } from '../functions/composition/directory.js';
import { createHandler as directoryHandler } from '../functions/http/directory.js';
import { loadOrCreateSigningKey, TokenIssuer } from './token-issuer.js';

export const DEFAULT_PORT = 3000;
export const DEFAULT_TABLE_NAME = 'evidence-requests';
export const DEFAULT_DATA_DIR = '.local';
/** Below the data dir: the local user pool, and the local mail folder (one `.eml` per message). */
export const USER_STORE_FILE = 'users.json';
export const MAIL_DIR = 'mail';
/** Evidence files uploaded through presigned PUTs, in the local S3 store beside the archive. */
export const LOCAL_EVIDENCE_BUCKET = 'evidence-files';
/** Pack ZIPs, in the same store (no lifecycle locally: `expiresAt` still ends downloads after 30 days). */
export const LOCAL_PACKS_BUCKET = 'evidence-packs';
const HOST = '127.0.0.1';

/** What the stack needs of an archive runtime (local S3 store, stream poller, export timer). */
export interface ArchiveRuntime {
  readonly s3Endpoint: string;
  readonly bucket?: string;
  stop(): Promise<void>;
}

export type StartArchiveRuntime = (options: {
  dynamodbEndpoint: string;
  tableName: string;
  /** The runtime's data dir; the archive keeps its files below it. */
  dataDir: string;
  dynamodbDataDir: string;
  /** The evidence bucket in the same store: its policy and its ObjectCreated events. */
  objectStore: { buckets: readonly string[]; checksumBuckets: readonly string[]; onObjectCreated: (event: ObjectCreated) => void };
}) => Promise<ArchiveRuntime>;

export interface LocalRuntimeOptions {
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** Keys, database and archive live below it. @default `.local` */
  readonly dataDir?: string;
  /** @default `evidence-requests` */
  readonly tableName?: string;
  /** DynamoDB Local's port. @default a free port */
  readonly dynamodbPort?: number;
  /** The environment to read LOCAL_DEMO_PASSWORD from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Starts the archive side (S3 store, stream poller, export timer); `false` runs without it. @default startArchiveRuntime */
  readonly startArchive?: StartArchiveRuntime | false;
  /** Progress lines. @default silent */
  readonly log?: (line: string) => void;
  /** When the first reminder sweep runs after start. @default 10,000 ms */
  readonly reminderDelayMs?: number;
  /** The built web console served at `/`; `false` serves none. @default web/dist when built */
  readonly consoleDir?: string | false;
}

export interface LocalRuntime {
  readonly url: string;
  /** The web console's address, when one is served. */
  readonly consoleUrl?: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tableName: string;
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint?: string;
  readonly jwksUri: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly users: readonly DemoUser[];
  /** Where the demo password comes from (for the banner). */
  readonly passwordSource: string;
  /** The configuration the handlers are built from. */
  readonly configuration: Configuration;
  /** The evidence bucket's ObjectCreated events on their way to the file verifier (tests await `idle()`). */
  readonly objectEvents: ObjectEventBus;
  /** The notifier's stream poller and the webhook delivery queue (tests await `caughtUp()` / `idle()`). */
  readonly notifier: { readonly poller: StreamPoller; readonly queue: LocalDelayedQueue };
  /** Runs the reminder sweep now (the timer runs it at start and then daily, as the schedule does in AWS). */
  sweepReminders(): Promise<SweepResult>;
  /** Pack jobs on their way to the pack builder (tests await `idle()`). */
  readonly packQueue: LocalPackQueue;
  /** Stops everything this runtime started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const stoppers: (() => Promise<void>)[] = [];
  let closeHttp: (() => Promise<void>) | undefined;
  // The HTTP server first, so no call writes after the archive has drained the stream; then
  // the rest in reverse order of start (the archive drains before DynamoDB Local stops).
  const stopAll = async () => {
    const stops = [...(closeHttp ? [closeHttp] : []), ...stoppers.splice(0).reverse()];
    closeHttp = undefined;
    for (const stop of stops) {
      await stop().catch((error: unknown) => invocationLogger({ route: 'local runtime' }).error('stop failed', { error }));
    }
  };

  try {
    await mkdir(dataDir, { recursive: true });
    const http = createLocalHttpServer();
    const port = await listen(http.server, options.port ?? DEFAULT_PORT);
    closeHttp = () => close(http.server);
    const url = `http://${HOST}:${port}`;
    const jwksUri = `${url}/_local/jwks.json`;

    const dynamodbDataDir = join(dataDir, 'dynamodb');
    // Java's start-up dominates: make the signing key meanwhile.
    log('starting DynamoDB Local');
    const [dynamodbResult, keyResult] = await Promise.allSettled([
      startDynamoDbLocal({
        dataDir: dynamodbDataDir,
        ...(options.dynamodbPort !== undefined && { port: options.dynamodbPort }),
      }),
      loadOrCreateSigningKey(join(dataDir, 'keys')),
    ]);
    if (dynamodbResult.status === 'fulfilled') stoppers.push(() => dynamodbResult.value.stop());
    if (dynamodbResult.status === 'rejected') throw dynamodbResult.reason;
    if (keyResult.status === 'rejected') throw keyResult.reason;
    const dynamodb = dynamodbResult.value;
    const password = demoPassword(env);
    // The token issuer's user pool, the sign-in page's and the directory's identities are one
    // file (seeded with the demo users); invitations go to the local mail folder.
    const userStore = new LocalUserStore(join(dataDir, USER_STORE_FILE));
    await userStore.seed(demoStoreUsers());
    const mailbox = createMailOutbox(join(dataDir, MAIL_DIR));
    const issuer = new TokenIssuer({ key: keyResult.value, password, users: userStore });
    // The console served here and `npm run dev:web` (the dev stage's Vite URLs) sign in alike.
    const oauth = new LocalAuthorizationServer({
      issuer,
      users: signInDirectory(userStore, password),
      callbackUrls: [`${url}/callback`, ...STAGE_DEFAULTS.dev.callbackUrls],
      logoutUrls: [`${url}/`, ...STAGE_DEFAULTS.dev.logoutUrls],
    });
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    stoppers.push(async () => client.destroy());
    if (await ensureTable(client, tableName)) log(`created table ${tableName}`);
    const seeded = await seedOrganisations(client, tableName);
    if (seeded > 0) log(`seeded ${seeded} organisations`);
    const seededUsers = await seedUsers(client, tableName);
    if (seededUsers > 0) log(`seeded ${seededUsers} user records`);

    let archive: ArchiveRuntime | undefined;
    const startArchive = options.startArchive ?? startArchiveRuntime;
    const objectEvents = createObjectEventBus({
      rule: { bucket: LOCAL_EVIDENCE_BUCKET, prefix: EVIDENCE_KEY_PREFIX },
      failureFile: join(dataDir, 'failures', 'file-verifier.jsonl'),
    });
    if (startArchive) {
      log('starting the archive runtime');
      archive = await startArchive({
        dynamodbEndpoint: dynamodb.endpoint,
        tableName,
        dataDir,
        dynamodbDataDir,
        objectStore: {
          buckets: [LOCAL_EVIDENCE_BUCKET, LOCAL_PACKS_BUCKET],
          checksumBuckets: [LOCAL_EVIDENCE_BUCKET],
          onObjectCreated: (event) => objectEvents.deliver(event),
          // The console uploads and downloads files straight from the store, as from S3 in AWS.
          corsOrigins: [url, ...STAGE_DEFAULTS.dev.allowedOrigins],
        },
      });
      stoppers.push(() => archive!.stop());
      stoppers.push(() => objectEvents.idle());
      await ensureBucket(archive.s3Endpoint, LOCAL_EVIDENCE_BUCKET);
      await ensureBucket(archive.s3Endpoint, LOCAL_PACKS_BUCKET);
    }
    const packQueue = createLocalPackQueue({ failureFile: join(dataDir, 'failures', 'pack-builder.jsonl') });
    stoppers.push(() => packQueue.idle());

    const cursorKey = await loadOrCreateCursorKey(join(dataDir, 'keys'));
    // The webhook queue's stand-in: the worker is connected once the configuration exists.
    const deliveries = createDelayedQueue({ failureFile: join(dataDir, 'failures', 'webhook-deliveries.jsonl'), stateFile: join(dataDir, 'notifier', 'queue.json') });
    stoppers.push(() => deliveries.stop());
    const config = configuration(
      {
        tableName,
        consoleBaseUrl: url,
        userPoolId: issuer.userPoolId,
        clientIds: [issuer.clientId],
        jwksUri,
        dynamodbEndpoint: dynamodb.endpoint,
        region: LOCAL_REGION,
        ...(archive && { s3Endpoint: archive.s3Endpoint }),
        ...(archive?.bucket && { evidenceBucket: LOCAL_EVIDENCE_BUCKET, packsBucket: LOCAL_PACKS_BUCKET }),
      },
      // Local credentials so the SDK never looks for real ones (profiles, IMDS); the presigned
      // upload URLs are signed with them, so they are the pair the local S3 store accepts.
      {
        credentials: LOCAL_S3_CREDENTIALS,
        cursorKey: async () => cursorKey,
        // A webhook receiver on this machine may listen on plain http://127.0.0.1 (API.md 1.1).
        allowLocalWebhooks: true,
        deliveryQueue: deliveries,
        userStore,
        mail: mailbox,
        packJobs: packQueue,
      },
    );
    const consoleDir = options.consoleDir ?? (consoleBuilt() ? CONSOLE_DIST : false);
    const consoleSite =
      consoleDir && consoleBuilt(consoleDir)
        ? new ConsoleSite({
            dir: consoleDir,
            config: { authBase: '', clientId: issuer.clientId, scopes: CONSOLE_SCOPES.join(' '), apiBase: '' },
            connectSources: archive ? [archive.s3Endpoint] : [],
          })
        : undefined;
    http.ready({
      issuer,
      oauth,
      ...(consoleSite && { console: consoleSite }),
      routes: ROUTES,
      handlers: {
        requests: requestsHandler(requestsDeps(config)),
        evidence: evidenceHandler(evidenceDeps(config)),
        audit: auditHandler(auditDeps(config)),
        public: publicHandler(publicDeps(config)),
        notifications: notificationsHandler(notificationsDeps(config)),
        directory: directoryHandler(directoryDeps(config)),
        packs: packsHandler(packsDeps(config)),
      },
      mailbox,
    });
    deliveries.connect(webhookWorkerHandler(webhookWorkerDeps(config)));
    // The notifier: a second consumer of the table's stream, with its own checkpoints, as its own event source mapping in AWS.
    const notifierFailures = join(dataDir, 'failures', 'notifier.jsonl');
    const notifierPoller = startStreamPoller({
      dynamodb: client,
      dynamodbEndpoint: dynamodb.endpoint,
      tableName,
      checkpointFile: join(dataDir, 'notifier', 'checkpoints.json'),
      invoke: notifierHandler({ ...notifierDeps(config), log: { info: () => undefined, error: (message, details) => invocationLogger({ route: 'notifier' }).error(message, details ?? {}) } }),
      batchSize: 100,
      batchingWindowMs: 0,
      pollIntervalMs: 100,
      maxRetryAttempts: 10,
      onFailure: async (record, key) => {
        await mkdirAsync(dirname(notifierFailures), { recursive: true });
        await appendFile(notifierFailures, JSON.stringify({ key, record }) + '\n');
        invocationLogger({ route: 'notifier' }).error('notifier gave up on a stream batch; it is kept in the failure file', { key, failureFile: notifierFailures });
      },
      onError: (error) => invocationLogger({ route: 'notifier' }).error('notifier stream poller', { error }),
    });
    stoppers.push(() => notifierPoller.stop());
    // The daily schedule's twin: a first sweep shortly after start, then every 24 hours.
    const sweepReminders = reminderHandler(reminderDeps(config));
    const sweepSafely = () => sweepReminders().catch((error: unknown) => invocationLogger({ route: 'reminders' }).error('reminder sweep failed', { error }));
    const firstSweep = setTimeout(() => void sweepSafely(), options.reminderDelayMs ?? 10_000);
    const dailySweep = setInterval(() => void sweepSafely(), 24 * 3600_000);
    firstSweep.unref();
    dailySweep.unref();
    stoppers.push(async () => {
      clearTimeout(firstSweep);
      clearInterval(dailySweep);
    });
    if (config.packsBucket) {
      // The archive manifests' signing key signs pack manifests too, as KMS's one key does in AWS.
      const signer = new LocalKeyManifestSigner(localArchivePaths(dataDir).signingKeyFile);
      packQueue.connect(packBuilderHandler(packBuilderDeps(config, signer)));
    }
    if (config.evidenceBucket) {
      const bucket = config.evidenceBucket;
      objectEvents.connect(fileVerifierHandler({ bucket, evidence: evidenceRepository(config), objects: new S3EvidenceObjects(s3Client(config), bucket) }));
    }
    log(`ready on ${url}`);

    let stopping: Promise<void> | undefined;
    return {
      url,
      ...(consoleSite && { consoleUrl: `${url}/` }),
      port,
      dataDir,
      tableName,
      dynamodbEndpoint: dynamodb.endpoint,
      ...(archive && { s3Endpoint: archive.s3Endpoint }),
      jwksUri,
      userPoolId: issuer.userPoolId,
      clientId: issuer.clientId,
      users: DEMO_USERS,
      passwordSource: demoPasswordSource(env),
      configuration: config,
      objectEvents,
      notifier: { poller: notifierPoller, queue: deliveries },
      sweepReminders,
      packQueue,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({ endpoint, region: LOCAL_REGION, credentials: LOCAL_S3_CREDENTIALS, forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
  } finally {
    s3.destroy();
  }
}

function listen(server: import('node:http').Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${HOST} is already in use: stop the other process or set PORT to another port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops accepting, lets the calls in flight finish (for at most `graceMs`), then closes every connection. */
function close(server: import('node:http').Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolveClose) => {
    const forced = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(forced);
      resolveClose();
    });
    server.closeIdleConnections();
  });
}
