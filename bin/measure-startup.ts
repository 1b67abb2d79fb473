/**
 * Measures how long `npm start` takes to answer GET /v1/health, on a fresh data dir and on
 * a restart over the same one, then checks that SIGINT left no DynamoDB Local behind.
 * Usage: npx tsx bin/measure-startup.ts [runs=1]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../local/net.js';

interface Run {
  readonly ms: number;
  readonly orphans: number;
}

async function startAndStop(dataDir: string): Promise<Run> {
  const port = await freePort();
  const started = performance.now();
  // Its own process group, like a terminal's foreground job, so SIGINT reaches npm, tsx and Java.
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let ms: number | undefined;
  while (ms === undefined) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${stderr}`);
    if (performance.now() - started > 60_000) throw new Error(`no health answer after 60 s:\n${stderr}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/health`);
      if (response.status === 200) ms = performance.now() - started;
      else await response.body?.cancel();
    } catch {
      // not listening yet
    }
    if (ms === undefined) await new Promise((r) => setTimeout(r, 20));
  }

  process.kill(-child.pid!, 'SIGINT');
  await exited;
  // npm may exit before its children finish stopping: give the group a few seconds to drain.
  const java = () => spawnSync('pgrep', ['-f', `DynamoDBLocal.*${dataDir}`]).stdout.toString().trim();
  const deadline = Date.now() + 5_000;
  while (java() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const orphans = java();
  return { ms, orphans: orphans ? orphans.split('\n').length : 0 };
}

const runs = Number(process.argv[2] ?? 1);
for (let i = 0; i < runs; i += 1) {
  const dataDir = mkdtempSync(join(tmpdir(), 'measure-startup-'));
  try {
    const fresh = await startAndStop(dataDir);
    const restart = await startAndStop(dataDir);
    console.log(
      `fresh data dir: ${fresh.ms.toFixed(0)} ms, restart: ${restart.ms.toFixed(0)} ms to 200 on /v1/health; ` +
        `DynamoDB Local left running after SIGINT: ${fresh.orphans + restart.orphans}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
