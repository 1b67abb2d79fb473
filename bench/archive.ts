/** Archive figures from the archive owner's own tool (bin/archive-figures.ts): events per S3 PUT, lag, bytes per event, archiver invocations. */
import { spawnSync } from 'node:child_process';

export interface ArchiveFigures {
  readonly lag: { events: number; p50Ms: number; p99Ms: number; eventsPerPut: number; bytesPerEvent: number };
  readonly burst: {
    events: number;
    streamRecords: number;
    puts: number;
    auditPuts: number;
    changesPuts: number;
    eventsPerPut: number;
    gzipBytesPerEvent: number;
    jsonBytesPerEvent: number;
    archivedWithinMs: number;
  };
  readonly archiver: { invocations: number; recordsPerInvocation: number; putsPerInvocation: number; msMean: number; msP50: number; msP99: number };
}

export function measureArchive(): ArchiveFigures {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/archive-figures.ts'], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 180_000, env: process.env });
  if (result.status !== 0) throw new Error(`bin/archive-figures.ts failed: ${result.stderr.slice(-1000)}`);
  const text = result.stdout;
  return JSON.parse(text.slice(text.indexOf('{'))) as ArchiveFigures;
}
