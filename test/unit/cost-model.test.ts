/** The cost model's arithmetic: units from the capacity figures, tiers, batching by rate, the target's explanation, input sources. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCostInputs, shortSource, STATED_DEFAULTS } from '../../bench/cost-inputs.js';
import { monthlyModel } from '../../bench/cost-model.js';
import { API_GATEWAY_TIERS, costPerMillion, judgeTarget, type MeasuredInputs, type MixOperation, perCallUsage, rateAt, sampledShare, tieredCost, WORKLOAD } from '../../bench/cost.js';

const measured: MeasuredInputs = STATED_DEFAULTS;
const rate = { callsPerSecond: 10 };
const ops = WORKLOAD.operations as readonly MixOperation[];
const callsPerRequest = ops.reduce((n, o) => n + o.perRequest, 0);

describe('per-call usage', () => {
  it('takes write and read units from the capacity figures, weighted by the mix', () => {
    const usage = perCallUsage(measured, rate);
    const expected = ops.reduce((n, o) => n + o.perRequest * (measured.capacity[o.measuredAs]!.writeUnits + (o.extraWriteUnits ?? 0)), 0) / callsPerRequest;
    expect(usage.writeUnitsApi).toBeCloseTo(expected, 9);
    expect(usage.unmeasured).toEqual([]);
  });

  it('follows a change of the measured units: halving every write halves the write units the mix measures', () => {
    const halved = { ...measured, capacity: Object.fromEntries(Object.entries(measured.capacity).map(([op, c]) => [op, { ...c, writeUnits: c.writeUnits / 2 }])) };
    const extra = ops.reduce((n, o) => n + o.perRequest * (o.extraWriteUnits ?? 0), 0) / callsPerRequest;
    expect(perCallUsage(halved, rate).writeUnitsApi - extra).toBeCloseTo((perCallUsage(measured, rate).writeUnitsApi - extra) / 2, 9);
    expect(costPerMillion('us-east-1', perCallUsage(halved, rate)).dynamoApi).toBeLessThan(costPerMillion('us-east-1', perCallUsage(measured, rate)).dynamoApi);
  });

  it('names the operations it has no capacity figure for', () => {
    const { ['fulfil item']: _gone, ...rest } = measured.capacity;
    expect(perCallUsage({ ...measured, capacity: rest }, rate).unmeasured).toEqual(['fulfil item (factory) (as fulfil item)']);
  });

  it('batches the archiver by its 5 s window: one record alone at a trickle, 1,000 at most', () => {
    expect(perCallUsage(measured, { callsPerSecond: 0.01 }).archiverRecordsPerInvocation).toBe(1);
    const mid = perCallUsage(measured, { callsPerSecond: 10 });
    expect(mid.archiverRecordsPerInvocation).toBeCloseTo(10 * mid.streamRecords * 5, 6);
    expect(perCallUsage(measured, { callsPerSecond: 5_000 }).archiverRecordsPerInvocation).toBe(1_000);
  });

  it('samples traces as X-Ray does: all of one call a second, 5% of the rest', () => {
    expect(sampledShare(0.5, 0.05)).toBe(1);
    expect(sampledShare(21, 0.05)).toBeCloseTo(2 / 21, 9);
  });
});

describe('prices', () => {
  it('applies API Gateway REST tiers past 333 million requests', () => {
    expect(tieredCost(400e6, API_GATEWAY_TIERS.rest)).toBeCloseTo(333 * 3.5 + 67 * 2.8, 6);
    expect(tieredCost(1e6, API_GATEWAY_TIERS.http)).toBeCloseTo(1, 9);
  });

  it('adds the line items up to the total', () => {
    const cost = costPerMillion('eu-west-1', perCallUsage(measured, rate));
    const { total, apiPath, ...items } = cost;
    expect(Object.values(items).reduce((a, b) => a + b, 0)).toBeCloseTo(total, 1);
    expect(apiPath).toBeLessThan(total);
  });
});

describe('the target', () => {
  const usage = perCallUsage(measured, rate);
  const cost = costPerMillion('us-east-1', usage);

  it('is met when the total is under it', () => {
    expect(judgeTarget('us-east-1', cost, usage, cost.total + 1).met).toBe(true);
  });

  it('names the largest items whose removal would meet it, with their price and pricing page', () => {
    const judged = judgeTarget('us-east-1', cost, usage, 7);
    expect(judged.met).toBe(false);
    expect(judged.detail).toMatch(/SES e-mail \$[\d.]+ \(\d+ e-mails per million calls; \$0\.1 per 1,000 e-mails; Amazon SES pricing\)/);
    const without = Number(/it would be \$([\d.]+)/.exec(judged.detail)![1]);
    expect(without).toBeLessThanOrEqual(7);
  });
});

describe('the monthly model', () => {
  it('sums its lines, grows with users and quotes the per-million figure of the same usage', () => {
    const small = monthlyModel('eu-west-1', 100, measured);
    const large = monthlyModel('eu-west-1', 10_000, measured);
    expect(small.lines.reduce((n, l) => n + l.dollars, 0)).toBeCloseTo(small.total, 6);
    expect(large.total).toBeGreaterThan(small.total);
    expect(large.quantities.costPerMillionCalls).toBe(costPerMillion('eu-west-1', large.usage).total);
    expect(large.rate).toEqual(rateAt(10_000));
  });
});

describe('cost inputs', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const results = (files: Record<string, unknown>) => {
    dir = mkdtempSync(join(tmpdir(), 'cost-inputs-'));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
    return dir;
  };

  it('prefers this run, then the newest result file holding the figure, then the stated default, and says which', () => {
    const d = results({
      'old.json': { date: '2026-01-01T00:00:00Z', figures: [{ section: 'notifications', name: 'notifier handler time per event', value: 99 }] },
      'new.json': {
        date: '2026-02-01T00:00:00Z',
        figures: [
          { section: 'notifications', name: 'notifier handler time per event', value: 7 },
          { section: 'capacity', name: 'create request WCU, AWS rules', value: 9 },
          { section: 'capacity', name: 'create request WCU', value: 28 },
          { section: 'capacity', name: 'create request RCU', value: 1 },
          { section: 'capacity', name: 'list requests (buyer, page of 20) RCU (20 items)', value: 10.5 },
        ],
      },
    });
    const { inputs, sources } = resolveCostInputs({ apiLambdaMs: 12 }, d);
    expect(inputs.apiLambdaMs).toBe(12);
    expect(sources.apiLambdaMs).toBe('measured this run');
    expect(inputs.notifierMsPerEvent).toBe(7);
    expect(sources.notifierMsPerEvent).toBe('bench/results/new.json (2026-02-01)');
    expect(inputs.capacity['create request']).toEqual({ writeUnits: 9, readUnits: 1 });
    expect(inputs.capacity['list requests (buyer, page of 20)']).toEqual({ writeUnits: 0, readUnits: 10.5 });
    expect(inputs.packBuild100MiBMs).toBe(STATED_DEFAULTS.packBuild100MiBMs);
    expect(sources.packBuild100MiBMs).toMatch(/^stated default/);
    expect([sources.apiLambdaMs, sources.notifierMsPerEvent, sources.packBuild100MiBMs].map(shortSource)).toEqual(['this run', 'new.json', 'stated default']);
  });
});
