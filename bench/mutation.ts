/**
 * The last mutation score (`npm run test:mutation` writes reports/mutation/mutation.json, in
 * the mutation-testing-elements schema): per area, detected mutants (killed or timed out)
 * over detected plus undetected ones (survived, or reached by no test), and how old the
 * report is. The bench does not run Stryker (it takes many minutes); it reads its report.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MUTATION_REPORT = 'reports/mutation/mutation.json';

interface Report {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

export interface AreaScore {
  readonly area: string;
  readonly detected: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Percent, or NaN when the area has no valid mutant. */
  readonly score: number;
}

export interface MutationFigures {
  readonly ageHours: number;
  readonly areas: AreaScore[];
}

/** The areas the score is judged on; a file counts in every area whose prefix it starts with. */
export const MUTATION_AREAS: readonly { readonly area: string; readonly prefixes: readonly string[] }[] = [
  { area: 'functions/core', prefixes: ['functions/core/'] },
  { area: 'functions/middleware', prefixes: ['functions/middleware/'] },
  { area: 'access policy: access.ts + permissions.ts', prefixes: ['functions/core/access.ts', 'functions/core/permissions.ts'] },
  { area: 'state machine: request-state.ts', prefixes: ['functions/core/request-state.ts'] },
];

export function readMutationScore(root: string, now = Date.now()): MutationFigures | undefined {
  const file = join(root, MUTATION_REPORT);
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const entries = Object.entries(report.files).map(([path, f]) => [path.replace(/\\/g, '/').replace(/^.*?(functions\/)/, '$1'), f.mutants] as const);
  const areas = MUTATION_AREAS.map(({ area, prefixes }) => {
    const mutants = entries.filter(([path]) => prefixes.some((p) => path.startsWith(p))).flatMap(([, m]) => m);
    const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
    const detected = count('Killed', 'Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const valid = detected + survived + noCoverage;
    return { area, detected, survived, noCoverage, score: valid === 0 ? NaN : +((100 * detected) / valid).toFixed(1) };
  });
  return { ageHours: +((now - statSync(file).mtimeMs) / 3_600_000).toFixed(1), areas };
}
