import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';
import { migrationProvider } from './migrations';

// int8 (bigserial ids, count(*)) arrive as strings; keep them exact rather than lossy numbers.
types.setTypeParser(types.builtins.INT8, (v) => v);

export interface DatabaseOptions {
  /** postgres:// URL. Absent: an embedded PostgreSQL (PGlite) is started. */
  url?: string;
  /** Folder for the embedded database's files; absent: in memory. Ignored with `url`. */
  embeddedDataDir?: string;
  /** Schema to use (and create). Tests use one per file so files can run in parallel. */
  schema?: string;
  /** Pool size for a real PostgreSQL. The embedded database is one session, so always 1 there. */
  poolSize?: number;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** Where the data lives, for humans; never contains a password. */
  readonly description: string;
  readonly embedded: boolean;
  /** A postgres:// URL other processes can use to reach the same database while this handle is open. */
  readonly connectionUrl: string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(options.schema)}: use lower-case letters, digits and _`);
  }
  const target = options.url
    ? external(options.url, options.poolSize ?? 10, options.schema)
    : await embedded(options.embeddedDataDir, options.schema);
  const pool = target.pool;
  if (options.schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, options.schema);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    await target.stop();
    throw err;
  }
  let closed = false;
  return {
    db,
    description: target.description + (options.schema ? ` (schema ${options.schema})` : ''),
    embedded: target.embedded,
    connectionUrl: target.connectionUrl,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await target.stop();
    },
  };
}

export async function migrate(db: Kysely<Database>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}

interface Target {
  pool: Pool;
  description: string;
  embedded: boolean;
  connectionUrl: string;
  stop(): Promise<void>;
}

function external(url: string, max: number, schema: string | undefined): Target {
  const pool = new Pool({ connectionString: url, max, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  pool.on('error', () => undefined); // an idle client dropped by the server is replaced on next use
  return {
    pool,
    description: `PostgreSQL at ${redactUrl(url)}`,
    embedded: false,
    connectionUrl: url,
    stop: async () => undefined, // kysely's destroy() ends the pool
  };
}

async function embedded(dataDir: string | undefined, schema: string | undefined): Promise<Target> {
  // Loaded lazily: production with DATABASE_URL never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const pglite = await PGlite.create(dataDir ?? 'memory://');
  const port = await freePort();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 100 });
  await server.start();
  const connectionUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // PGlite is a single session: one pooled connection keeps transactions from interleaving.
  const pool = new Pool({ connectionString: connectionUrl, max: 1 });
  pool.on('error', () => undefined);
  if (schema) {
    // pg queues this before any query of the same client, so the schema is set before first use.
    pool.on('connect', (client) => void client.query(`SET search_path TO "${schema}"`).catch(() => undefined));
  }
  return {
    pool,
    description: `embedded PostgreSQL (PGlite) ${dataDir ? `in ${dataDir}` : 'in memory'}`,
    embedded: true,
    connectionUrl,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database url>';
  }
}

export async function dropSchema(db: Kysely<Database>, schema: string): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
}
