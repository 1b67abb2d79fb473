/** Small statistics and formatting helpers shared by the bench modules. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
export const median = (values: readonly number[]) => percentile(values, 50);
export const ratio = (value: number, baseline: number) => (baseline > 0 ? +(value / baseline).toFixed(2) : NaN);
export const round = (value: number, digits = 1) => +value.toFixed(digits);

/** One printed and stored figure: a value beside its baseline, measured in the same run. */
export interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number | undefined;
  readonly baselineName?: string | undefined;
  readonly ratio?: number | undefined;
}

export function figure(section: string, name: string, value: number, unit: string, baseline?: { value: number; name: string }): Figure {
  return {
    section,
    name,
    value: round(value, 2),
    unit,
    ...(baseline && { baseline: round(baseline.value, 2), baselineName: baseline.name, ratio: ratio(value, baseline.value) }),
  };
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}
