// `npm start`: the whole service on the embedded default — a local Temporal dev server with its
// Web UI, PostgreSQL (embedded unless DATABASE_URL is set), the 8x8 simulator with a demo tenant,
// the worker, and a started demo import. Ctrl-C stops it all cleanly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { loadConfig } from './config';
import { openDatabase } from './db/connect';
import { AnalyticsClient } from './eightxeight/client';
import { demoTenant } from './simulator/demo';
import { AnalyticsSimulator } from './simulator/server';
import { locate, TEMPORAL_CLI } from './temporal/binaries';
import { connectClient } from './temporal/connection';
import { createWorker } from './worker';
import { importWindow } from '../workflows';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const DAY = 86_400_000;
const say = (line: string) => console.log(`[cdrflow] ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
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

    const tenant = demoTenant();
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

    const client = await connectClient({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue });
    stack.push(() => client.connection.close());
    const to = Math.floor(Date.now() / DAY) * DAY;
    const from = to - 7 * DAY;
    const workflowId = `cdr-import/${tenant.tenantId}/window/${new Date(from).toISOString().slice(0, 10)}`;
    say(`importing ${new Date(from).toISOString()} .. ${new Date(to).toISOString()} as workflow ${workflowId}`);
    const summary = await client.workflow.execute(importWindow, {
      taskQueue: config.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [
        {
          tenantId: tenant.tenantId,
          credentials: { apiKey: tenant.apiKey, username: tenant.username, password: tenant.password },
          pbxes: tenant.pbxes.map((p) => p.name).join(','),
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          timeZone: tenant.pbxes[0]?.timeZone ?? 'UTC',
        },
      ],
    });
    for (const p of summary.perPbx) {
      say(`  ${p.pbx}: ${p.seen} records in ${p.pages} pages (${p.inserted} new, ${p.updated} changed, ${p.quarantined} quarantined)`);
    }
    const { rows } = await sql<{ n: string }>`select count(*) as n from calls where tenant_id = ${tenant.tenantId}`.execute(database.db);
    say(`calls stored for ${tenant.tenantId}: ${rows[0]?.n ?? 0}`);
    say('running; press Ctrl-C to stop');
    await running;
  } finally {
    await shutdown();
    say('stopped');
  }
}

main().catch((err) => {
  console.error(`[cdrflow] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
