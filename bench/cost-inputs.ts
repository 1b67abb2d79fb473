/**
 * Where each measured cost input comes from, in this order: measured by this run; else the
 * newest result file in bench/results/ that holds the figure (a run with more sections, say
 * `npm run bench` whole, before `npm run bench -- --only capacity`); else the stated default
 * below, which names the run it was taken from. Every figure carries its source, and the bench
 * prints it beside the input.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasuredInputs } from './cost.js';

type Scalar = Exclude<keyof MeasuredInputs, 'capacity'>;

/** A stored figure, as bin/bench.ts writes it. */
interface StoredFigure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
}

/** How to find each input among a result file's figures; the archiver's two are the cost section's own rows of a run that measured them. */
const LOOKUPS: Readonly<Record<Scalar, { readonly section: string; readonly name: RegExp; readonly label: string; readonly unit: string }>> = {
  apiLambdaMs: { section: 'end to end', name: /^create request c=1 p50/, label: 'API Lambda ms (c=1 create p50 e2e, upper bound)', unit: 'ms' },
  archivePutsPerInvocation: { section: 'cost inputs', name: /^archiver S3 PUTs per invocation \[(measured )?this run\]$/, label: 'archiver S3 PUTs per invocation', unit: 'PUTs' },
  archiverMs: { section: 'cost inputs', name: /^archiver ms per invocation, mean \[(measured )?this run\]$/, label: 'archiver ms per invocation, mean', unit: 'ms' },
  archiveGzipBytesPerEvent: { section: 'archive', name: /^gzip bytes per event$/, label: 'archive gzip bytes per audit event', unit: 'B' },
  notifierMsPerEvent: { section: 'notifications', name: /^notifier handler time per event$/, label: 'notifier ms per notified event', unit: 'ms' },
  workerMsPerDelivery: { section: 'notifications', name: /^worker handler time per delivery$/, label: 'webhook worker ms per delivery', unit: 'ms' },
  packBuild100MiBMs: { section: 'pack build', name: /^100 files x 1 MiB build time$/, label: 'pack build ms, 100 files x 1 MiB', unit: 'ms' },
};

export const INPUT_LABELS: Readonly<Record<Scalar, { label: string; unit: string }>> = LOOKUPS;

/**
 * Stated defaults for a fresh clone with no result file: the `npm run bench` of 2026-12-02 on
 * this project's shared 2-core machine, under load (so durations are high: they are DynamoDB
 * Local and local HTTP, not Lambda). They go stale as the code changes: a run that measures a
 * figure, or a newer result file, wins.
 */
export const STATED_DEFAULTS: MeasuredInputs = {
  capacity: {
    'create request': { writeUnits: 9, readUnits: 1 },
    'create request with a due date': { writeUnits: 12, readUnits: 1 },
    'create request (Idempotency-Key)': { writeUnits: 11, readUnits: 1 },
    'create evidence': { writeUnits: 8, readUnits: 0 },
    'fulfil item': { writeUnits: 11, readUnits: 2 },
    'review item': { writeUnits: 8, readUnits: 1 },
    'read request (an audited read)': { writeUnits: 3, readUnits: 1 },
    'list requests (buyer, page of 20)': { writeUnits: 2, readUnits: 10.5 },
    'list requests (factory, page of 20)': { writeUnits: 2, readUnits: 10.5 },
    'list requests (auditor, every tenant, page of 20)': { writeUnits: 2, readUnits: 14 },
    'list request history (page of 20)': { writeUnits: 3, readUnits: 3 },
    'list audit events (every tenant, page of 20)': { writeUnits: 2, readUnits: 6.5 },
    'list audit events by actor (page of 20)': { writeUnits: 2, readUnits: 2 },
  },
  apiLambdaMs: 153.65,
  archivePutsPerInvocation: 1.75,
  archiverMs: 248.7,
  archiveGzipBytesPerEvent: 93.7,
  notifierMsPerEvent: 46.72,
  workerMsPerDelivery: 388.27,
  packBuild100MiBMs: 5132.61,
};

const DEFAULT_RUN = 'stated default: npm run bench of 2026-12-02 (shared 2-core machine, under load)';

/** Where the stated defaults come from, per input (printed when a default is used). */
export const STATED_DEFAULT_SOURCES: Readonly<Record<keyof MeasuredInputs, string>> = {
  capacity: 'stated default: npm run bench -- --only capacity of 2026-12-02 at main c483901, WCU by AWS rules',
  apiLambdaMs: `${DEFAULT_RUN}: c=1 create p50 end to end`,
  archivePutsPerInvocation: `${DEFAULT_RUN}: archive section (1,000-call burst)`,
  archiverMs: `${DEFAULT_RUN}: archive section`,
  archiveGzipBytesPerEvent: `${DEFAULT_RUN}: archive section`,
  notifierMsPerEvent: `${DEFAULT_RUN}: notifications section`,
  workerMsPerDelivery: `${DEFAULT_RUN}: notifications section`,
  packBuild100MiBMs: `${DEFAULT_RUN}: pack build section`,
};

/** The result files of bench/results, newest first (by modification time). */
function resultFiles(dir: string): { file: string; figures: StoredFigure[]; date: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      try {
        const parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { date?: string; figures?: StoredFigure[] };
        return { file: f, figures: parsed.figures ?? [], date: parsed.date ?? '' };
      } catch {
        return { file: f, figures: [], date: '' };
      }
    })
    .filter((r) => r.figures.length > 0)
    .sort((a, b) => b.date.localeCompare(a.date));
}

/** A source in a few words, for the bench table's figure names: `this run`, the result file, or `stated default`. */
export function shortSource(source: string): string {
  if (source === 'measured this run') return 'this run';
  if (source.startsWith('bench/results/')) return source.slice('bench/results/'.length).split(' ')[0]!;
  return 'stated default';
}

export interface ResolvedInputs {
  readonly inputs: MeasuredInputs;
  readonly sources: Readonly<Record<keyof MeasuredInputs, string>>;
}

/**
 * The cost inputs: `measured` (this run's figures, any may be missing) completed from the
 * newest result file holding each figure, then from the stated defaults.
 */
export function resolveCostInputs(measured: Partial<MeasuredInputs>, resultsDir: string): ResolvedInputs {
  const files = resultFiles(resultsDir);
  const sources: Partial<Record<keyof MeasuredInputs, string>> = {};
  const values: Partial<Record<Scalar, number>> = {};
  for (const key of Object.keys(LOOKUPS) as Scalar[]) {
    const own = measured[key];
    if (own !== undefined && Number.isFinite(own)) {
      values[key] = own;
      sources[key] = 'measured this run';
      continue;
    }
    const { section, name } = LOOKUPS[key];
    const found = files.map((f) => ({ f, hit: f.figures.find((x) => x.section === section && name.test(x.name)) })).find((x) => x.hit);
    if (found?.hit) {
      values[key] = found.hit.value;
      sources[key] = `bench/results/${found.f.file} (${found.f.date.slice(0, 10)})`;
    } else {
      values[key] = STATED_DEFAULTS[key];
      sources[key] = STATED_DEFAULT_SOURCES[key];
    }
  }
  let capacity = measured.capacity;
  if (capacity && Object.keys(capacity).length > 0) sources.capacity = 'measured this run';
  else {
    const found = files.find((f) => f.figures.some((x) => x.section === 'capacity'));
    if (found) {
      const rows: Record<string, { writeUnits: number; readUnits: number }> = {};
      // Write units by AWS's rules where the file has them ("<op> WCU, AWS rules"), else as DynamoDB Local reported them ("<op> WCU").
      for (const x of found.figures.filter((x) => x.section === 'capacity')) {
        const aws = /^(.*) WCU, AWS rules$/.exec(x.name);
        const local = /^(.*) WCU$/.exec(x.name);
        const read = /^(.*) RCU(?: \(\d+ items\))?$/.exec(x.name);
        const op = (aws ?? local ?? read)?.[1];
        if (op === undefined) continue;
        const row = (rows[op] ??= { writeUnits: 0, readUnits: 0 });
        if (aws) row.writeUnits = x.value;
        else if (local && !found.figures.some((y) => y.name === `${op} WCU, AWS rules`)) row.writeUnits = x.value;
        else if (read) row.readUnits = x.value;
      }
      capacity = rows;
      sources.capacity = `bench/results/${found.file} (${found.date.slice(0, 10)})`;
    } else {
      capacity = STATED_DEFAULTS.capacity;
      sources.capacity = STATED_DEFAULT_SOURCES.capacity;
    }
  }
  return { inputs: { ...(values as Record<Scalar, number>), capacity }, sources: sources as Record<keyof MeasuredInputs, string> };
}
