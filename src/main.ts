// `npm start`: the whole service on the embedded default — a local Temporal dev server with its
// Web UI, PostgreSQL (embedded unless DATABASE_URL is set), the 8x8 simulator with a demo tenant,
// the worker, and a started demo import. Ctrl-C stops it all cleanly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from './config';
import { openDatabase } from './db/connect';
import { AnalyticsClient } from './eightxeight/client';
import { demoTenant } from './simulator/demo';
import { AnalyticsSimulator } from './simulator/server';
import { locate, TEMPORAL_CLI } from './temporal/binaries';
import { connectClient } from './temporal/connection';
import { createWorker } from './worker';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadDemoBillingData } from './demo/billing-data';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { tenantImport } from '../workflows/tenant-import';
import { statusQuery } from '../workflows/tenant-messages';

const DAY = 86_400_000;
/** The demo tenant's PBXes are in Australia, like the example tariffs. */
const DEMO_ZONE = 'Australia/Melbourne';
const say = (line: string) => console.log(`[cdrflow] ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
  // Keeps the SDK's start-up chatter (bundler output) off the console; warnings still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(config.dataDir, { recursive: true });
  const stack: (() => Promise<unknown>)[] = [];
  const shutdown = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };

  try {
    let address = config.temporalAddress;
    if (!address) {
      const cli = await locate(TEMPORAL_CLI, say);
      say(`starting Temporal dev server (${cli.source}); history kept in ${join(config.dataDir, 'temporal.db')}`);
      const devServer = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: cli.executable,
          dbFilename: join(config.dataDir, 'temporal.db'),
          ip: '127.0.0.1',
          port: config.temporalPort,
          ui: true,
          uiPort: config.temporalUiPort,
          searchAttributes: [...SEARCH_ATTRIBUTES],
        },
      });
      stack.push(() => devServer.teardown());
      address = `127.0.0.1:${config.temporalPort}`;
    }

    const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: join(config.dataDir, 'pglite') });
    stack.push(() => database.close());
    say(`database: ${database.description}`);
    if (database.embedded) say(`  reachable while this runs at ${database.connectionUrl} (for read-only commands such as: DATABASE_URL=${database.connectionUrl} npm run billing -- unmatched --tenant acme)`);

    const tenant = demoTenant({
      tenantId: 'acme',
      pbxes: [
        { name: 'acmemelb', country: 'AU', timeZone: 'Australia/Melbourne', extensions: 20 },
        { name: 'acmesyd', country: 'AU', timeZone: 'Australia/Sydney', extensions: 12 },
      ],
    });
    const simulator = await AnalyticsSimulator.start({ tenants: [tenant], port: config.simulatorPort, host: '127.0.0.1' });
    stack.push(() => simulator.stop());
    say(`8x8 simulator: ${simulator.url} (demo tenant "${tenant.tenantId}", PBXes ${tenant.pbxes.map((p) => p.name).join(', ')})`);

    const connection = await NativeConnection.connect({ address });
    stack.push(() => connection.close());
    const worker = await createWorker({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      deps: { db: database.db, client: new AnalyticsClient({ baseUrl: simulator.url }) },
    });
    const running = worker.run();
    stack.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    say(`worker polling task queue "${config.taskQueue}" on ${address}`);
    if (!config.temporalAddress) say(`Temporal Web UI: http://127.0.0.1:${config.temporalUiPort}/namespaces/${config.temporalNamespace}/workflows`);

    const client = await connectClient({ address, namespace: config.temporalNamespace });
    stack.push(() => client.connection.close());
    if (await loadDemoBillingData(database.db, tenant.tenantId)) say(`loaded the example billing data (examples/) for tenant ${tenant.tenantId}`);

    const workflowId = `cdr-import/${tenant.tenantId}`;
    const handle = await client.workflow.start(tenantImport, {
      taskQueue: config.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [
        {
          tenantId: tenant.tenantId,
          credentials: { apiKey: tenant.apiKey, username: tenant.username, password: tenant.password },
          pbxes: tenant.pbxes.map((p) => p.name).join(','),
          timeZone: DEMO_ZONE,
          earliestDate: new Date(Date.now() - 14 * DAY).toISOString().slice(0, 10),
          cycleInterval: '1m',
          lookback: '2h',
        },
      ],
    });
    say(`tenant workflow ${workflowId} is running (a first start backfills 14 days, then cycles every minute; a restart carries on)`);
    say(`status any time: npm run status ${tenant.tenantId}   or   temporal workflow query -w ${workflowId} --name status`);
    const progress = reportProgress(handle);
    stack.push(async () => progress.stop());
    say('running; press Ctrl-C to stop');
    await running;
  } finally {
    await shutdown();
    say('stopped');
  }
}

/** One line whenever the tenant's state, phase or counts move: long work shows progress. */
function reportProgress(handle: WorkflowHandle): { stop(): void } {
  let last = '';
  const timer = setInterval(() => {
    handle
      .query(statusQuery)
      .then((s) => {
        const c = s.counts;
        const line = `${s.tenantId}: ${s.state} (${s.phase}), checkpoint ${s.checkpoint}, imported ${c.imported}, matched ${c.matched}, unmatched ${c.unmatched}, rated ${c.rated}, unrated ${c.unrated}, quarantined ${c.quarantined}`;
        if (line === last) return;
        last = line;
        say(line);
        const problem = s.lastError && (s.state === 'awaiting_credentials' || s.state === 'needs_attention') ? s.lastError : s.billingIssue;
        if (problem) say(`  action needed: ${problem.operatorAction}`);
      })
      .catch(() => undefined);
  }, 3_000);
  return { stop: () => clearInterval(timer) };
}

main().catch((err) => {
  console.error(`[cdrflow] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
