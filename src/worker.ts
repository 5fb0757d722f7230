import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { loadConfig } from './config';
import { openDatabase } from './db/connect';
import { AnalyticsClient } from './eightxeight/client';
import { createDataConverter } from './temporal/data-converter';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkerParams {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests bundle once per file); absent: bundled from workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(params: WorkerParams): Promise<Worker> {
  return Worker.create({
    connection: params.connection,
    namespace: params.namespace,
    taskQueue: params.taskQueue,
    ...(params.workflowBundle ? { workflowBundle: params.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(params.deps),
    dataConverter: createDataConverter(),
    // Each activity holds a database connection while it writes a page.
    maxConcurrentActivityTaskExecutions: 8,
    shutdownGraceTime: '20s',
  });
}

/** Production entry: a worker against TEMPORAL_ADDRESS and DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress) throw new Error('TEMPORAL_ADDRESS is required to run a standalone worker (npm start runs everything locally)');
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: `${config.dataDir}/pglite` });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: { db: database.db, client: new AnalyticsClient({ baseUrl: config.eightByEightBaseUrl }) },
  });
  console.log(`worker polling ${config.taskQueue} on ${config.temporalAddress}; data in ${database.description}`);
  await worker.run(); // resolves after SIGINT/SIGTERM and a graceful drain
  await connection.close();
  await database.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
