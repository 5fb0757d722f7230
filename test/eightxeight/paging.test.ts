import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalyticsClient } from '../../src/eightxeight/client';
import { AnalyticsSimulator } from '../../src/simulator/server';
import { HOUR, TestClock, assertMatchesGroundTruth, credsOf, idsOf, importAll, tenantConfig } from './support';

describe('paging over windows larger than several pages', () => {
  const clock = new TestClock();
  const tenant = tenantConfig({ callsPerDay: 40_000 });
  const creds = credsOf(tenant);
  let sim: AnalyticsSimulator;
  let client: AnalyticsClient;

  before(async () => {
    sim = await AnalyticsSimulator.start({ tenants: [tenant], now: clock.now });
    client = new AnalyticsClient({ baseUrl: sim.url, now: clock.now, retryBaseDelayMs: 1 });
  });
  after(async () => {
    await client.close();
    await sim.stop();
  });

  const cases: { pageSize: number; fromMs: number; toMs: number; minPages: number }[] = [
    // Quiet early-morning hour in Sydney only: about a hundred calls, one per page.
    { pageSize: 1, fromMs: Date.parse('2025-07-14T16:00:00Z'), toMs: Date.parse('2025-07-14T17:00:00Z'), minPages: 20 },
    { pageSize: 50, fromMs: Date.parse('2025-07-14T13:00:00Z'), toMs: Date.parse('2025-07-14T13:20:00Z'), minPages: 10 },
    { pageSize: 7000, fromMs: Date.parse('2025-07-14T05:00:00Z'), toMs: Date.parse('2025-07-14T14:00:00Z'), minPages: 3 },
  ];
  for (const c of cases) {
    test(`pageSize ${c.pageSize}: exact ground truth, one request per page plus the "No Data" answer`, async () => {
      const pbx = c.pageSize === 1 ? 'acmesyd' : 'allpbxes';
      sim.clearRequestLog();
      const truth = sim.groundTruth('acme', pbx, c.fromMs, c.toMs);
      const res = await importAll(client, 'acme', creds, { pbx, fromMs: c.fromMs, toMs: c.toMs, pageSize: c.pageSize });
      assert.ok(res.pages >= c.minPages, `${res.pages} pages for ${truth.length} calls`);
      assert.equal(res.pages, Math.ceil(truth.length / c.pageSize));
      assertMatchesGroundTruth(res.raw, truth);
      assert.equal(res.totals[0], truth.length);
      assert.equal(sim.requestLog.filter((r) => r.method === 'GET').length, res.pages + 1);
    });
  }

  test('contiguous hourly windows: calls on a boundary second are never lost, and de-duplicate by callId', async () => {
    const day = Date.parse('2025-07-13T00:00:00Z');
    const edge: string[] = [];
    for (let h = 1; h < 24; h += 5) {
      edge.push(sim.faults('acme').addLateCall('acmeny', day + h * HOUR).callId); // exactly on the boundary
      sim.faults('acme').addLateCall('acmeuk', day + h * HOUR - 1); // 1 ms before it
      sim.faults('acme').addLateCall('acmesyd', day + h * HOUR - 500); // inside the last second
    }
    const perWindow: string[][] = [];
    for (let h = 0; h < 24; h++) {
      const res = await importAll(client, 'acme', creds, { pbx: 'allpbxes', fromMs: day + h * HOUR, toMs: day + (h + 1) * HOUR, pageSize: 1000 });
      perWindow.push(idsOf(res.raw));
    }
    const all = perWindow.flat();
    const unique = [...new Set(all)];
    const truth = sim.groundTruth('acme', 'allpbxes', day, day + 24 * HOUR);
    assert.deepEqual(unique.sort(), idsOf(truth).sort(), 'union of windows = the whole day');
    // The only calls seen twice are those starting exactly on an interior boundary (inclusive end bound).
    const counts = new Map<string, number>();
    for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const onBoundary = truth.filter((t) => (t.startTimeUTC as number) % HOUR === 0 && (t.startTimeUTC as number) > day).map((t) => String(t.callId));
    assert.deepEqual(twice.sort(), onBoundary.sort());
    for (const id of edge) assert.ok(twice.includes(id), `boundary call ${id} in both windows`);
  });
});
