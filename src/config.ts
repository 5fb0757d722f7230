import { resolve } from 'node:path';
import { z } from 'zod';

/** The task queue of the worker and the tenant workflows, unless TEMPORAL_TASK_QUEUE says otherwise. */
export const TASK_QUEUE = 'cdr-import';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const port = z.coerce.number().int().min(1).max(65535);

const envSchema = z.object({
  DATABASE_URL: optionalText,
  CDRFLOW_DATA_DIR: optionalText,
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default(TASK_QUEUE),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  EIGHTXEIGHT_BASE_URL: z.string().url().default('https://api.8x8.com/analytics/work'),
  SIMULATOR_PORT: port.default(8788),
});

export interface Config {
  /** Absent: the embedded PostgreSQL in `dataDir/pglite`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Absent: `npm start` runs a local Temporal dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  temporalPort: number;
  temporalUiPort: number;
  eightByEightBaseUrl: string;
  simulatorPort: number;
}

/** Reads configuration from environment variables; a bad value fails with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.CDRFLOW_DATA_DIR ?? '.data'),
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    eightByEightBaseUrl: e.EIGHTXEIGHT_BASE_URL,
    simulatorPort: e.SIMULATOR_PORT,
  };
}
