/**
 * `npm run pack:verify -- <zip> [--key public-key.pem] [--json]`: checks a downloaded pack
 * offline: the signature of manifest.json under the included (or a pinned) public key, every
 * file's size and SHA-256 against the manifest, SHA256SUMS, nothing missing and nothing extra.
 * Prints one line per problem and a summary; exits 0 only when the pack is intact.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine, usageError } from './command-line.js';
import { verifyPackZip } from './pack-zip.js';

const USAGE = `
usage: npm run pack:verify -- <pack.zip> [--key public-key.pem] [--json]

Checks a pack ZIP offline: the signature of manifest.json, every file's size and SHA-256,
SHA256SUMS, and that the ZIP holds exactly the manifest's files (nothing missing or extra).
  --key FILE   the product's public key (PEM) the signature must be made with; without it,
               the public-key.pem inside the ZIP is used (compare its fingerprint yourself)
  --json       the full report as JSON
  -h, --help   this text
Exit status: 0 intact, 1 problems found, 2 the check could not run.
`;

const { values, positionals } = parseCommandLine(USAGE, { key: { type: 'string' }, json: { type: 'boolean', default: false } });
if (positionals.length !== 1) usageError(USAGE, positionals.length === 0 ? 'name the pack ZIP to verify' : `unexpected argument: ${positionals[1]}`);

async function run() {
  const trusted = values.key === undefined ? undefined : readFileSync(values.key, 'utf8');
  return verifyPackZip(positionals[0]!, trusted);
}

run().then(
  (report) => {
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      for (const problem of report.problems) console.log(`${problem.kind.toUpperCase().padEnd(24)} ${problem.path}  ${problem.detail}`);
      console.log(report.summary);
    }
    process.exitCode = report.ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(`pack:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
