import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { AnalyticsClient } from '../../src/eightxeight/client';
import { AnalyticsSimulator } from '../../src/simulator/server';
import { createWorker } from '../../src/worker';
import { importWindow } from '../../workflows';
import { openTestDatabase } from '../support/db';
import { startTemporal, workflowBundle } from '../support/temporal';

const TENANT = 'e2e-acme';
const DAY = 86_400_000;

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let env: TestWorkflowEnvironment;
let sim: AnalyticsSimulator;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `e2e-${process.pid}`;

before(async () => {
  [db, env] = await Promise.all([openTestDatabase(), startTemporal()]);
  sim = await AnalyticsSimulator.start({
    tenants: [
      {
        tenantId: TENANT,
        apiKey: 'e2e-api-key',
        username: 'reporter@e2e-acme.example',
        password: 'Secr3t^&@pass',
        seed: 42,
        callsPerDay: 2500,
        pbxes: [
          { name: 'acmesyd', country: 'AU', timeZone: 'Australia/Sydney' },
          { name: 'acmelon', country: 'GB', timeZone: 'Europe/London' },
          { name: 'acmenyc', country: 'US', timeZone: 'America/New_York' },
        ],
      },
    ],
  });
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    deps: { db: db.db, client: new AnalyticsClient({ baseUrl: sim.url, pageSize: 500 }) },
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await Promise.allSettled([sim?.stop(), env?.teardown(), db?.close()]);
});

async function storedCalls() {
  return db.db
    .selectFrom('calls')
    .select(['call_id', 'pbx_name', 'start_time_utc', 'talk_time_ms', 'raw', 'revision', 'updated_at'])
    .where('tenant_id', '=', TENANT)
    .orderBy('call_id')
    .execute();
}

test('a window imported through Temporal holds exactly the simulator ground truth, and a rerun changes nothing', async () => {
  const to = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY;
  const from = to - 3 * DAY;
  const input = {
    tenantId: TENANT,
    credentials: { apiKey: 'e2e-api-key', username: 'reporter@e2e-acme.example', password: 'Secr3t^&@pass' },
    pbxes: 'acmesyd,acmelon,acmenyc',
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone: 'Australia/Sydney',
  };
  const truth = sim.groundTruth(TENANT, 'allpbxes', from, to) as { callId: string; pbxId: string }[];
  assert.ok(truth.length > 3000, `expected several thousand calls, simulator has ${truth.length}`);
  assert.equal(new Set(truth.map((r) => r.pbxId)).size, 3);

  const first = await env.client.workflow.execute(importWindow, { taskQueue, workflowId: `e2e-window-1-${process.pid}`, args: [input] });
  assert.equal(first.perPbx.length, 3);
  const inserted = first.perPbx.reduce((n, p) => n + p.inserted, 0);
  assert.equal(inserted, truth.length);

  const stored = await storedCalls();
  assert.deepEqual(
    stored.map((r) => r.call_id),
    truth.map((r) => r.callId).sort(),
  );
  const truthById = new Map(truth.map((r) => [r.callId, r]));
  for (const row of stored) assert.deepEqual(row.raw, truthById.get(row.call_id), `raw record of call ${row.call_id}`);

  const second = await env.client.workflow.execute(importWindow, { taskQueue, workflowId: `e2e-window-2-${process.pid}`, args: [input] });
  for (const p of second.perPbx) {
    assert.equal(p.inserted, 0, `${p.pbx}: nothing new on a rerun`);
    assert.equal(p.updated, 0, `${p.pbx}: nothing changed on a rerun`);
    assert.equal(p.unchanged, p.seen);
  }
  assert.deepEqual(await storedCalls(), stored);
});
