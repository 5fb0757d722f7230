import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { importCallRecordsActivity, type ImportCallRecordsResult } from '../../activities/import-call-records';
import { AnalyticsClient } from '../../src/eightxeight/client';
import { AnalyticsSimulator } from '../../src/simulator/server';
import { openTestDatabase } from '../support/db';

const DAY = 86_400_000;
const tenant = {
  tenantId: 'acts',
  apiKey: 'acts-key',
  username: 'reporter@acts.example',
  password: 'acts-Pa55^&',
  seed: 3,
  callsPerDay: 400,
  pbxes: [{ name: 'acts-pbx', country: 'GB' as const, timeZone: 'Europe/London' }],
};
const to = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const input = {
  tenantId: tenant.tenantId,
  credentials: { apiKey: tenant.apiKey, username: tenant.username, password: tenant.password },
  pbx: 'acts-pbx',
  from: new Date(to - DAY).toISOString(),
  to: new Date(to).toISOString(),
  timeZone: 'Europe/London',
};

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let sim: AnalyticsSimulator;
let client: AnalyticsClient;
before(async () => {
  db = await openTestDatabase();
  sim = await AnalyticsSimulator.start({ tenants: [tenant] });
  client = new AnalyticsClient({ baseUrl: sim.url, pageSize: 50, requestTimeoutMs: 5_000 });
});
after(async () => {
  await Promise.allSettled([sim?.stop(), db?.close()]);
});

test('a retried import resumes paging from the cursor of its last heartbeat, and still ends with every call', async () => {
  const checkpoints: { scrollId: string; pages: number }[] = [];
  const first = new MockActivityEnvironment();
  first.on('heartbeat', (d: { scrollId: string; pages: number }) => checkpoints.push(d));
  sim.faults(tenant.tenantId).serverError({ status: 503, skip: 3, times: 10 });
  await assert.rejects(first.run(importCallRecordsActivity({ db: db.db, client }), input));
  assert.ok(checkpoints.length >= 3, 'pages before the failure were committed and heartbeated');
  const last = checkpoints.at(-1)!;

  sim.faults(tenant.tenantId).clear();
  sim.clearRequestLog();
  const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: last });
  const result = (await retry.run(importCallRecordsActivity({ db: db.db, client }), input)) as ImportCallRecordsResult;
  const firstDataRequest = sim.requestLog.find((r) => r.path.endsWith('/v2/call-records'));
  assert.equal(firstDataRequest?.query.scrollId, last.scrollId, 'the retry starts after the last committed page');
  assert.ok(result.pages > last.pages, 'page counts carry over from the checkpoint');

  const truth = (sim.groundTruth(tenant.tenantId, 'acts-pbx', to - DAY, to) as { callId: string }[]).map((r) => r.callId).sort();
  const stored = await db.db.selectFrom('calls').select('call_id').where('tenant_id', '=', tenant.tenantId).orderBy('call_id').execute();
  assert.deepEqual(stored.map((r) => r.call_id), truth);
});

test('rejected credentials become a non-retryable failure that names the operator action, without the password', async () => {
  const env = new MockActivityEnvironment();
  const bad = { ...input, credentials: { ...input.credentials, password: 'wrong-Secret-9' } };
  await assert.rejects(env.run(importCallRecordsActivity({ db: db.db, client }), bad), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'EightByEight.credentials_rejected');
    assert.equal(err.nonRetryable, true);
    assert.match(String((err.details?.[0] as { operatorAction: string }).operatorAction), /password|Analytics/);
    assert.doesNotMatch(JSON.stringify({ m: err.message, d: err.details }), /wrong-Secret-9|acts-Pa55/);
    return true;
  });
});
