import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calls')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('pbx_name', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('start_time_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('connect_time_utc', 'timestamptz')
    .addColumn('disconnected_time_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('talk_time_ms', 'integer', (c) => c.notNull())
    .addColumn('call_time_ms', 'integer', (c) => c.notNull())
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('callee', 'text', (c) => c.notNull())
    .addColumn('caller_id', 'text', (c) => c.notNull())
    .addColumn('dnis', 'text', (c) => c.notNull())
    .addColumn('answered', 'boolean', (c) => c.notNull())
    .addColumn('missed', 'boolean', (c) => c.notNull())
    .addColumn('abandoned', 'boolean', (c) => c.notNull())
    .addColumn('leg_count', 'integer', (c) => c.notNull())
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('calls_pk', ['tenant_id', 'call_id'])
    .execute();
  await db.schema.createIndex('calls_tenant_start_idx').on('calls').columns(['tenant_id', 'start_time_utc']).execute();

  await db.schema
    .createTable('quarantined_records')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('pbx', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('window_end', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('raw_hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('quarantined_records_once', ['tenant_id', 'source', 'raw_hash'])
    .execute();

  await db.schema
    .createTable('import_windows')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('pbx', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('window_end', 'timestamptz', (c) => c.notNull())
    .addColumn('records_seen', 'integer', (c) => c.notNull())
    .addColumn('records_inserted', 'integer', (c) => c.notNull())
    .addColumn('records_updated', 'integer', (c) => c.notNull())
    .addColumn('records_quarantined', 'integer', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_windows_pk', ['tenant_id', 'pbx', 'window_start', 'window_end'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('import_windows').execute();
  await db.schema.dropTable('quarantined_records').execute();
  await db.schema.dropTable('calls').execute();
}
