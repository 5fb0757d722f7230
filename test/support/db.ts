import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { dropSchema, openDatabase, type DatabaseHandle } from '../../src/db/connect';
import type { Database } from '../../src/db/schema';

/**
 * A fresh, migrated database for one test file: its own schema in the PostgreSQL named by
 * DATABASE_URL (so files run in parallel), or an in-memory embedded PostgreSQL when unset.
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { schema: string }> {
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = process.env.DATABASE_URL;
  const handle = await openDatabase({ url, schema, poolSize: 8 });
  return {
    ...handle,
    schema,
    async close() {
      if (url) {
        // Drop through a separate pool: the handle's own connections are gone after close().
        const pool = new Pool({ connectionString: url, max: 1 });
        const admin = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
        await handle.close();
        await dropSchema(admin, schema).finally(() => admin.destroy());
      } else {
        await handle.close();
      }
    },
  };
}
