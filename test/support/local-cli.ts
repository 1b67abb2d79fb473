/** `npm start` as a user runs it, for end-to-end tests: its own process group, port and data dir. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../local/net.js';

export interface Cli {
  readonly url: string;
  /** npm's pid. */
  readonly pid: number;
  /** The node process npm runs the runtime in. */
  readonly runtimePid: () => number | undefined;
  readonly output: () => string;
  /** Sends `signal` to the process group (a terminal's Ctrl-C), or to `pid` alone; resolves with npm's exit code once it has exited. */
  stop(signal: NodeJS.Signals, pid?: number): Promise<number | null>;
}

/** The pids of the DynamoDB Local JVMs storing their data under `dir`. */
export const javaUnder = (dir: string) => spawnSync('pgrep', ['-f', `DynamoDBLocal.*${dir}`]).stdout.toString().trim();

/** Whether `pid` is still a process (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function startCli(dir: string): Promise<Cli> {
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const runtimePid = () => {
    const children = spawnSync('pgrep', ['-P', String(child.pid)]).stdout.toString().trim().split('\n').filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  };
  const stop = async (signal: NodeJS.Signals, pid?: number) => {
    // To the group even after npm is gone: whatever it left behind goes too.
    try {
      process.kill(pid ?? -child.pid!, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    const code = await exited;
    const deadline = Date.now() + 10_000;
    while (javaUnder(dir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return code;
  };
  const deadline = Date.now() + 45_000;
  for (;;) {
    const ok = await fetch(`${url}/v1/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`npm start did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid!, runtimePid, output: () => output, stop };
}
