// Drives the real `temporal` CLI with the README runbook's commands, against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { AnalyticsClient } from '../../src/eightxeight/client';
import { AnalyticsSimulator } from '../../src/simulator/server';
import { temporalCliPath } from '../../src/temporal/binaries';
import { TASK_QUEUE } from '../../src/config';
import { createWorker } from '../../src/worker';
import type { TenantStatus } from '../../workflows/tenant-messages';
import { openTestDatabase } from '../support/db';
import { startTemporal, workflowBundle } from '../support/temporal';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const DAY = 86_400_000;
const tenant = {
  tenantId: 'clitenant',
  apiKey: 'cli-api-key',
  username: 'reporter@clitenant.example',
  password: 'first-Pa55^&',
  seed: 7,
  callsPerDay: 100,
  pbxes: [
    { name: 'cli-mel', country: 'AU' as const, timeZone: 'Australia/Melbourne' },
    { name: 'cli-bne', country: 'AU' as const, timeZone: 'Australia/Brisbane' },
  ],
};

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let env: TestWorkflowEnvironment;
let sim: AnalyticsSimulator;
let worker: Worker;
let running: Promise<void>;
let cli: string;
let dir: string;

before(async () => {
  [db, env, cli] = await Promise.all([openTestDatabase(), startTemporal(), temporalCliPath()]);
  sim = await AnalyticsSimulator.start({ tenants: [tenant] });
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    deps: { db: db.db, client: new AnalyticsClient({ baseUrl: sim.url, requestTimeoutMs: 5_000 }) },
  });
  running = worker.run();
  dir = mkdtempSync(join(tmpdir(), 'cdrflow-cli-'));
});

after(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await Promise.allSettled([sim?.stop(), env?.teardown(), db?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `temporal <args>` against the test server, as an operator would type it. */
async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(cli, [...args, '--address', env.address], { timeout: 30_000 });
  return stdout;
}

async function queryStatus(): Promise<TenantStatus> {
  const out = await temporal('workflow', 'query', '-w', 'cdr-import/clitenant', '--name', 'status', '-o', 'json');
  const parsed = JSON.parse(out) as { queryResult: TenantStatus[] };
  return parsed.queryResult[0]!;
}

function untilStatus(what: string, ok: (s: TenantStatus) => boolean): Promise<TenantStatus> {
  return waitFor(what, async () => {
    const s = await queryStatus();
    return ok(s) ? s : undefined;
  }, 90_000);
}

test('the runbook: start, repeat the start safely, query, park on a rotated password, signal new credentials, re-import, pause', async () => {
  const settings = join(dir, 'clitenant.json');
  writeFileSync(
    settings,
    JSON.stringify({
      tenantId: 'clitenant',
      credentials: { apiKey: tenant.apiKey, username: tenant.username, password: tenant.password },
      pbxes: 'cli-mel,cli-bne',
      timeZone: 'Australia/Melbourne',
      earliestDate: new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10),
      cycleInterval: '2s',
      lookback: '6h',
    }),
    { mode: 0o600 },
  );
  const startArgs = ['workflow', 'start', '--type', 'tenantImport', '--task-queue', 'cdr-import', '--workflow-id', 'cdr-import/clitenant', '--input-file', settings, '--id-conflict-policy', 'UseExisting', '-o', 'json'];
  const first = JSON.parse(await temporal(...startArgs)) as { runId: string };
  const again = JSON.parse(await temporal(...startArgs)) as { runId: string };
  assert.equal(again.runId, first.runId, 'UseExisting never starts a second import');

  const continuous = await untilStatus('the backfill to finish', (s) => s.phase === 'continuous');
  assert.equal(continuous.tenantId, 'clitenant');
  assert.ok(!JSON.stringify(continuous).includes(tenant.password), 'the status never shows the password');

  sim.faults(tenant.tenantId).rotatePassword('second-Pa55^&', { revokeTokens: true });
  const parked = await untilStatus('awaiting credentials', (s) => s.state === 'awaiting_credentials');
  assert.equal(parked.lastError?.kind, 'credentials_rejected');
  const listed = await waitFor('the list query', async () => {
    const out = await temporal('workflow', 'list', '--query', "ImportState = 'awaiting_credentials'", '-o', 'json');
    return out.includes('cdr-import/clitenant') ? out : undefined;
  });
  assert.match(listed, /cdr-import\/clitenant/);
  const metadata = await temporal('workflow', 'metadata', '-w', 'cdr-import/clitenant');
  assert.match(metadata, /action needed/);

  const newCredentials = join(dir, 'new-credentials.json');
  writeFileSync(newCredentials, JSON.stringify({ password: 'second-Pa55^&' }), { mode: 0o600 });
  await temporal('workflow', 'signal', '-w', 'cdr-import/clitenant', '--name', 'updateCredentials', '--input-file', newCredentials);
  const resumed = await untilStatus('the import to resume', (s) => s.state !== 'awaiting_credentials' && s.credentials.version === 2);
  assert.equal(resumed.lastError?.kind, 'credentials_rejected', 'the last error stays visible for the record');

  const from = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
  const to = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  const update = await temporal('workflow', 'update', 'execute', '-w', 'cdr-import/clitenant', '--name', 'reimportRange', '--input', JSON.stringify({ from, to }));
  assert.match(update, /queued/);
  await assert.rejects(
    temporal('workflow', 'update', 'execute', '-w', 'cdr-import/clitenant', '--name', 'reimportRange', '--input', JSON.stringify({ from: to, to: from })),
    /from must be before to/,
  );

  await temporal('workflow', 'signal', '-w', 'cdr-import/clitenant', '--name', 'pause');
  await untilStatus('paused', (s) => s.state === 'paused');
  // `npm run status`: one line per running tenant.
  const table = await waitFor('the status table', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/status.ts'], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.address },
      timeout: 30_000,
    });
    return /clitenant\s+paused\s+continuous/.test(stdout) ? stdout : undefined;
  });
  assert.match(table, /^TENANT\s+STATE\s+PHASE/m);
  await temporal('workflow', 'signal', '-w', 'cdr-import/clitenant', '--name', 'resume');
  await untilStatus('resumed', (s) => s.state !== 'paused');
});
