/**
 * `npm run console:deploy -- --bucket NAME --auth-base URL --client-id ID --api-url URL`:
 * builds the web console and uploads it with its config to the stage's console bucket (the
 * stack outputs WebConsoleBucketName, ManagedLoginDomain, WebClientId and ApiUrl; see
 * docs/deploy.md). AWS_REGION must be set. CloudFront needs no invalidation: assets are
 * hashed, the page and the config are revalidated on every load.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { CONSOLE_SCOPES } from '../functions/config/claims.js';
import { buildConsole, CONSOLE_DIST } from '../local/console-site.js';
import { uploadConsole } from '../local/console-upload.js';
import { parseCommandLine, usageError } from './command-line.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npm run console:deploy -- --bucket NAME --auth-base URL --client-id ID --api-url URL

Builds web/ and uploads it to the web console bucket with /config.json.

  --bucket NAME      stack output WebConsoleBucketName (Stateful stack)
  --auth-base URL    stack output ManagedLoginDomain (https://<prefix>.auth.<region>.amazoncognito.com)
  --client-id ID     stack output WebClientId
  --api-url URL      stack output ApiUrl (Stateless stack)
  -h, --help         this text

AWS_REGION must be set. Exit code: 0 uploaded, 2 the command could not run.`;

const { values } = parseCommandLine(HELP, {
  bucket: { type: 'string' },
  'auth-base': { type: 'string' },
  'client-id': { type: 'string' },
  'api-url': { type: 'string' },
});
for (const name of ['bucket', 'auth-base', 'client-id', 'api-url'] as const) if (!values[name]) usageError(HELP, `--${name} is required`);
for (const name of ['auth-base', 'api-url'] as const) if (!/^https:\/\/[^\s]+$/.test(values[name]!)) usageError(HELP, `--${name} must be an https URL, got ${values[name]}`);
if (!process.env.AWS_REGION) usageError(HELP, 'AWS_REGION is not set: the region is never guessed');

await buildConsole();
const s3 = new S3Client({ region: process.env.AWS_REGION });
const keys = await uploadConsole({
  s3,
  bucket: values.bucket!,
  dir: CONSOLE_DIST,
  config: { authBase: values['auth-base']!.replace(/\/$/, ''), clientId: values['client-id']!, scopes: CONSOLE_SCOPES.join(' '), apiBase: values['api-url']!.replace(/\/$/, '') },
});
s3.destroy();
console.log(`uploaded ${keys.length} files to s3://${values.bucket}/`);
