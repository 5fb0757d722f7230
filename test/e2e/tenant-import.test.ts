import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { AnalyticsClient } from '../../src/eightxeight/client';
import { AnalyticsSimulator, type SimulatorTenantConfig } from '../../src/simulator/server';
import { createWorker } from '../../src/worker';
import { IMPORT_PHASE } from '../../workflows/search-attributes';
import { tenantImport, type TenantImportInput } from '../../workflows/tenant-import';
import {
  pauseSignal,
  reimportRangeUpdate,
  resumeSignal,
  rotateCredentialsUpdate,
  runNowSignal,
  setCycleIntervalUpdate,
  statusQuery,
  updateCredentialsSignal,
  type TenantStatus,
} from '../../workflows/tenant-messages';
import { openTestDatabase } from '../support/db';
import { replayAll } from '../support/replay';
import { startTemporal, workflowBundle } from '../support/temporal';
import { waitFor } from '../support/wait';

const DAY = 86_400_000;
const PBXES = ['syd', 'lon', 'nyc'] as const;

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let env: TestWorkflowEnvironment;
let sim: AnalyticsSimulator;
const workers: { worker: Worker; running: Promise<void> }[] = [];

function simTenant(tenantId: string, seed: number): SimulatorTenantConfig {
  return {
    tenantId,
    apiKey: `${tenantId}-key`,
    username: `reporter@${tenantId}.example`,
    password: `${tenantId}-Pa55^&`,
    seed,
    callsPerDay: 150,
    pbxes: [
      { name: `${tenantId}-${PBXES[0]}`, country: 'AU', timeZone: 'Australia/Sydney' },
      { name: `${tenantId}-${PBXES[1]}`, country: 'GB', timeZone: 'Europe/London' },
      { name: `${tenantId}-${PBXES[2]}`, country: 'US', timeZone: 'America/New_York' },
    ],
  };
}

const TENANTS = ['kill', 'rotate', 'hidden', 'late', 'controls', 'badinput', 'perm'].map((t, i) => simTenant(t, 100 + i));

function settingsFor(t: SimulatorTenantConfig, daysBack: number, overrides: Partial<TenantImportInput> = {}): TenantImportInput {
  return {
    tenantId: t.tenantId,
    credentials: { apiKey: t.apiKey, username: t.username, password: t.password },
    pbxes: t.pbxes.map((p) => p.name).join(','),
    timeZone: 'UTC',
    earliestDate: new Date(Date.now() - daysBack * DAY).toISOString().slice(0, 10),
    cycleInterval: '2s',
    lookback: '6h',
    window: '1d',
    ...overrides,
  };
}

async function startWorker(taskQueue: string): Promise<{ worker: Worker; running: Promise<void> }> {
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    deps: { db: db.db, client: new AnalyticsClient({ baseUrl: sim.url, pageSize: 200, requestTimeoutMs: 5_000 }) },
  });
  const entry = { worker, running: worker.run() };
  workers.push(entry);
  return entry;
}

const QUEUE = `tenant-e2e-${process.pid}`;

before(async () => {
  // A low continue-as-new threshold makes every long test cross at least one run boundary.
  [db, env] = await Promise.all([
    openTestDatabase(),
    startTemporal(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60']),
  ]);
  sim = await AnalyticsSimulator.start({ tenants: TENANTS });
  await startWorker(QUEUE);
});

after(async () => {
  for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await Promise.allSettled(workers.map((w) => w.running));
  await Promise.allSettled([sim?.stop(), env?.teardown(), db?.close()]);
});

async function start(input: TenantImportInput, taskQueue = QUEUE): Promise<WorkflowHandleWithFirstExecutionRunId<typeof tenantImport>> {
  return env.client.workflow.start(tenantImport, { taskQueue, workflowId: `cdr-import/${input.tenantId}`, args: [input] });
}

/** An update refused by its validator or handler: the reason is on the failure's cause. */
async function rejectsWith(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
    assert.match(String((err.cause as Error | undefined)?.message), reason);
    return true;
  });
}

const status = (h: WorkflowHandle) => h.query(statusQuery);

function until(h: WorkflowHandle, what: string, ok: (s: TenantStatus) => boolean, timeoutMs = 90_000): Promise<TenantStatus> {
  return waitFor(what, async () => {
    const s = await status(h);
    return ok(s) ? s : undefined;
  }, timeoutMs);
}

/**
 * Asserts the database holds exactly the simulator's ground truth for [from, to), as of
 * `readAt`: calls still in progress then are allowed to be present or not, since a later cycle's
 * lookback picks them up (and the ground truth is taken a moment later than the last read).
 */
async function assertGroundTruth(tenantId: string, from: number, to: number, readAt: number): Promise<number> {
  const all = sim.groundTruth(tenantId, 'allpbxes', from, to) as { callId: string; disconnectedTimeUTC: number }[];
  const settled = all.filter((r) => r.disconnectedTimeUTC <= readAt).map((r) => r.callId).sort();
  const unsettled = new Set(all.filter((r) => r.disconnectedTimeUTC > readAt).map((r) => r.callId));
  const stored = await db.db
    .selectFrom('calls')
    .select('call_id')
    .where('tenant_id', '=', tenantId)
    .where('start_time_utc', '>=', new Date(from))
    .where('start_time_utc', '<', new Date(to))
    .orderBy('call_id')
    .execute();
  const ids = new Set(stored.map((r) => r.call_id));
  const missing = settled.filter((id) => !ids.has(id));
  const extra = [...ids].filter((id) => !settled.includes(id) && !unsettled.has(id));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${tenantId}: database vs ground truth`);
  assert.ok(settled.length > 0);
  return settled.length;
}

/** Every text or JSON column of the test schema that contains one of `needles`. */
async function columnsContaining(needles: string[]): Promise<string[]> {
  const columns = await db.db
    .selectFrom('information_schema.columns' as never)
    .select(['table_name' as never, 'column_name' as never])
    .where('table_schema' as never, '=', db.schema as never)
    .where('data_type' as never, 'in', ['text', 'jsonb', 'character varying'] as never)
    .execute() as unknown as { table_name: string; column_name: string }[];
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    for (const needle of needles) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text like ${'%' + needle + '%'}`.execute(db.db);
      if (Number(rows[0]?.n) > 0) hits.push(`${table_name}.${column_name}`);
    }
  }
  assert.ok(columns.length > 10, 'the scan saw the schema');
  return hits;
}

/** When the last read of the tenant's recent calls began: the start of its last cycle. */
const lastRead = (s: TenantStatus): number => Date.parse(s.lastCycle?.startedAt ?? s.checkpoint);

describe('tenant import workflow', () => {
  test('a backfill stopped mid-way resumes at its checkpoint, continues as new, and ends with exactly the ground truth', async () => {
    const t = TENANTS[0]!;
    const queue = `${QUEUE}-kill`;
    const first = await startWorker(queue);
    const handle = await start(settingsFor(t, 8), queue);
    await until(handle, 'two backfilled days', (s) => Date.parse(s.checkpoint) >= Date.parse(s.earliest) + 2 * DAY);
    first.worker.shutdown();
    await first.running;
    const stoppedAt = new Date();
    const doneBeforeStop = await db.db
      .selectFrom('import_windows')
      .select(['pbx', 'window_start', 'window_end', 'completed_at'])
      .where('tenant_id', '=', t.tenantId)
      .orderBy(['pbx', 'window_start'])
      .execute();
    assert.ok(doneBeforeStop.length >= 6, 'at least two windows of three PBXes were done before the stop');

    await startWorker(queue);
    const resumed = await status(handle);
    assert.equal(resumed.phase, 'backfill', 'the stop came mid-backfill');
    assert.ok(Date.parse(resumed.checkpoint) >= Date.parse(resumed.earliest) + 2 * DAY, 'the checkpoint survived the stop');
    const done = await until(handle, 'the backfill to finish', (s) => s.phase === 'continuous' && s.lastCycle !== null);
    // Windows finished before the stop were not imported again: an import would have rewritten their completion time.
    const afterwards = await db.db
      .selectFrom('import_windows')
      .select(['pbx', 'window_start', 'window_end', 'completed_at'])
      .where('tenant_id', '=', t.tenantId)
      .where('completed_at', '<=', stoppedAt)
      .orderBy(['pbx', 'window_start'])
      .execute();
    assert.deepEqual(afterwards, doneBeforeStop);
    const n = await assertGroundTruth(t.tenantId, Date.parse(done.earliest), Date.parse(done.checkpoint), lastRead(done));
    assert.equal(done.counts.imported >= n, true);
    const description = await handle.describe();
    assert.notEqual(description.runId, handle.firstExecutionRunId, 'the run continued as new at least once');
    assert.equal(description.typedSearchAttributes.get(IMPORT_PHASE), 'continuous');
  });

  test('rejected credentials park the tenant as awaiting credentials; the signal resumes it with no gap', async () => {
    const t = TENANTS[1]!;
    const handle = await start(settingsFor(t, 4));
    await until(handle, 'a first window', (s) => Date.parse(s.checkpoint) > Date.parse(s.earliest));
    sim.faults(t.tenantId).rotatePassword('rotated-N3w^pass', { revokeTokens: true });
    const parked = await until(handle, 'awaiting credentials', (s) => s.state === 'awaiting_credentials');
    assert.equal(parked.lastError?.kind, 'credentials_rejected');
    assert.match(parked.lastError?.operatorAction ?? '', /password|Analytics/i);
    assert.doesNotMatch(JSON.stringify(parked), /rotated-N3w|Pa55/, 'no password in the status');
    const listed = await waitFor('the search attribute', async () => {
      for await (const wf of env.client.workflow.list({ query: `ImportState = 'awaiting_credentials' AND TenantId = '${t.tenantId}'` })) return wf;
      return undefined;
    });
    assert.equal(listed.workflowId, `cdr-import/${t.tenantId}`);

    // The checked rotation refuses a wrong password and keeps the tenant parked.
    await rejectsWith(
      handle.executeUpdate(rotateCredentialsUpdate, { args: [{ apiKey: t.apiKey, username: t.username, password: 'still-wrong' }] }),
      /8x8 rejected the new credentials/,
    );
    // A malformed signal is ignored and reported, never fatal.
    await handle.signal(updateCredentialsSignal, { password: '' });
    const noted = await until(handle, 'the rejected signal notice', (s) => s.notices.some((n) => n.includes('rejected updateCredentials')));
    assert.equal(noted.state, 'awaiting_credentials');
    assert.equal(noted.credentials.version, 1);

    await handle.signal(updateCredentialsSignal, { password: 'rotated-N3w^pass' });
    const done = await until(handle, 'the import to finish after rotation', (s) => s.phase === 'continuous' && s.lastCycle !== null);
    assert.equal(done.credentials.version, 2);
    assert.deepEqual(await columnsContaining(['rotated-N3w^pass', t.password, t.apiKey]), [], 'no credential is stored in the database');
    await assertGroundTruth(t.tenantId, Date.parse(done.earliest), Date.parse(done.checkpoint), lastRead(done));
  });

  test('a PBX the user cannot see stops only that PBX; after the fix it catches up with no gap', async () => {
    const t = TENANTS[2]!;
    const hidden = t.pbxes[1]!.name;
    sim.faults(t.tenantId).hidePbx(hidden);
    const handle = await start(settingsFor(t, 3));
    const blocked = await until(handle, 'the others to finish the backfill', (s) => s.phase === 'continuous');
    assert.equal(blocked.state, 'needs_attention');
    const entry = blocked.pbxes.find((p) => p.name === hidden);
    assert.equal(entry?.blocked?.kind, 'pbx_not_visible');
    assert.equal(entry?.checkpoint, blocked.earliest, 'the hidden PBX has imported nothing');
    for (const p of blocked.pbxes.filter((p) => p.name !== hidden)) assert.equal(p.blocked, undefined);

    sim.faults(t.tenantId).showPbx(hidden);
    await handle.signal(resumeSignal);
    const done = await until(handle, 'the hidden PBX to catch up', (s) => s.state !== 'needs_attention' && s.pending.length === 0 && s.pbxes.every((p) => p.checkpoint === s.checkpoint));
    await assertGroundTruth(t.tenantId, Date.parse(done.earliest), Date.parse(done.checkpoint), lastRead(done));
  });

  test('a missing Analytics Supervisor permission stops every PBX and holds the backfill; after the fix and resume nothing is missing', async () => {
    const t = TENANTS[6]!;
    sim.faults(t.tenantId).setAccessLevel('Essentials');
    const handle = await start(settingsFor(t, 3));
    const stuck = await until(handle, 'every PBX blocked', (s) => s.pbxes.every((p) => p.blocked?.kind === 'permission_missing'));
    assert.equal(stuck.state, 'needs_attention');
    assert.match(stuck.pbxes[0]!.blocked!.operatorAction, /Supervisor/);
    await new Promise((r) => setTimeout(r, 5_000)); // a few cycle intervals
    const held = await status(handle);
    assert.equal(held.phase, 'backfill', 'the backfill is not declared done while nothing can be imported');
    assert.ok(held.pending.length <= 2, `waiting cycles do not pile up: ${JSON.stringify(held.pending)}`);

    sim.faults(t.tenantId).setAccessLevel('Supervisor');
    await handle.signal(resumeSignal);
    const done = await until(handle, 'the import to finish', (s) => s.phase === 'continuous' && s.state === 'waiting' && s.lastCycle !== null);
    await assertGroundTruth(t.tenantId, Date.parse(done.earliest), Date.parse(done.checkpoint), lastRead(done));
  });

  test('cycles pick up calls that 8x8 publishes late', async () => {
    const t = TENANTS[3]!;
    const handle = await start(settingsFor(t, 2));
    const s1 = await until(handle, 'continuous phase', (s) => s.phase === 'continuous');
    const late = sim.faults(t.tenantId).addLateCall(t.pbxes[0]!.name, Date.parse(s1.checkpoint) - 2 * 3_600_000);
    await handle.signal(runNowSignal);
    await waitFor('the late call', async () =>
      db.db.selectFrom('calls').select('call_id').where('tenant_id', '=', t.tenantId).where('call_id', '=', late.callId).executeTakeFirst(),
    );
  });

  test('pause holds the checkpoint, resume continues; a re-imported range picks up corrected calls; bad requests are refused', async () => {
    const t = TENANTS[4]!;
    const handle = await start(settingsFor(t, 2));
    await until(handle, 'continuous phase', (s) => s.phase === 'continuous');
    await handle.signal(pauseSignal);
    const paused = await until(handle, 'paused', (s) => s.state === 'paused');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await status(handle)).checkpoint, paused.checkpoint, 'no cycle while paused');
    await handle.signal(resumeSignal);
    await until(handle, 'a cycle after resume', (s) => Date.parse(s.checkpoint) > Date.parse(paused.checkpoint));

    const changed = await db.db.selectFrom('calls').select(['call_id', 'talk_time_ms', 'start_time_utc']).where('tenant_id', '=', t.tenantId).where('answered', '=', true).orderBy('start_time_utc').executeTakeFirstOrThrow();
    sim.faults(t.tenantId).correctCall(changed.call_id, 9_000);
    const day = changed.start_time_utc.toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + DAY).toISOString().slice(0, 10);
    const queued = await handle.executeUpdate(reimportRangeUpdate, { args: [{ from: day, to: next }] });
    assert.equal(queued.queued.to, `${next}T00:00:00.000Z`);
    await waitFor('the corrected call', async () => {
      const row = await db.db.selectFrom('calls').select(['talk_time_ms', 'revision']).where('tenant_id', '=', t.tenantId).where('call_id', '=', changed.call_id).executeTakeFirstOrThrow();
      return row.revision === 2 ? row : undefined;
    });

    await rejectsWith(handle.executeUpdate(reimportRangeUpdate, { args: [{ from: next, to: day }] }), /from must be before to/);
    await rejectsWith(handle.executeUpdate(setCycleIntervalUpdate, { args: ['whenever'] }), /cycle interval must be a duration/);
    assert.deepEqual(await handle.executeUpdate(setCycleIntervalUpdate, { args: ['30m'] }), { cycleInterval: '30m' });
    assert.equal((await status(handle)).cycleInterval, '30m');
  });

  test('a bad input fails fast with a message that names the field', async () => {
    const t = TENANTS[5]!;
    const handle = await start(settingsFor(t, 2, { timeZone: 'Mars/Olympus', pbxes: 'a,,b' }));
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      const message = String((err.cause as Error).message);
      assert.match(message, /pbxes: one PBX name/);
      assert.match(message, /timeZone: an IANA time zone/);
      assert.doesNotMatch(message, /Pa55/);
      return true;
    });
  });

  test('an earliest date more than 2 years back is clamped to 8x8 retention, with a visible notice', async () => {
    const t = TENANTS[5]!;
    const handle = await env.client.workflow.start(tenantImport, {
      taskQueue: QUEUE,
      workflowId: `cdr-import/${t.tenantId}`,
      args: [settingsFor(t, 3 * 365, { window: '7d' })],
    });
    const s = await until(handle, 'the first status', () => true);
    await handle.terminate('test over');
    const retention = Date.now() - 730 * DAY;
    assert.ok(Math.abs(Date.parse(s.earliest) - retention) < 10 * 60_000, `earliest ${s.earliest} is two years back`);
    assert.ok(s.notices.some((n) => /more than 2 years back; 8x8 keeps no more/.test(n)), JSON.stringify(s.notices));
  });

  test('every run of this file, across continue-as-new, replays deterministically against the current code', async () => {
    const { runs, failures } = await replayAll(env.client, env.address, `WorkflowType = 'tenantImport'`);
    assert.ok(runs >= 6, `expected runs to replay, found ${runs}`);
    assert.deepEqual(failures, []);
  });
});
