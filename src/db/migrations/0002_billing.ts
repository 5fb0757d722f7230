import { sql, type Kysely } from 'kysely';

/**
 * Billing: reference data (tenants' numbering settings, customers, departments, services,
 * tariff groups and rates, with an audit of CSV loads), call-to-service matches and
 * versioned rating results. See docs/rating.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('billing_tenants')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('billing_customers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tariff_group', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_customers_pk', ['tenant_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('billing_departments')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tariff_group', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_departments_pk', ['tenant_id', 'department_id'])
    .addForeignKeyConstraint('billing_departments_customer_fk', ['tenant_id', 'customer_id'], 'billing_customers', ['tenant_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('billing_services')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('did', 'extension', 'pbx')`))
    .addColumn('pbx_name', 'text')
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('area_code', 'text')
    .addColumn('tariff_group', 'text')
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_to', 'timestamptz')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_services_pk', ['tenant_id', 'service_id'])
    .addForeignKeyConstraint('billing_services_customer_fk', ['tenant_id', 'customer_id'], 'billing_customers', ['tenant_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('billing_tariff_groups')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('tariff_group', 'text', (c) => c.notNull())
    /** TariffGroupSettings as JSON. */
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_tariff_groups_pk', ['tenant_id', 'tariff_group'])
    .execute();

  await db.schema
    .createTable('billing_tariff_rates')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('tariff_group', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    /** RateRow as JSON (prices in integer micros). */
    .addColumn('rate', 'jsonb', (c) => c.notNull())
    .addColumn('load_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('billing_tariff_rates_pk', ['tenant_id', 'tariff_group', 'effective_from', 'seq'])
    .execute();

  await db.schema
    .createTable('billing_reference_loads')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('billing_call_matches')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('start_time_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('matched', 'boolean', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('direction', 'text')
    .addColumn('rule', 'text')
    .addColumn('match_key', 'text')
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('call_content_hash', 'text', (c) => c.notNull())
    .addColumn('matched_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('billing_call_matches_pk', ['tenant_id', 'call_id'])
    .execute();
  await db.schema.createIndex('billing_call_matches_unmatched_idx').on('billing_call_matches').columns(['tenant_id', 'start_time_utc']).where(sql.ref('matched'), '=', false).execute();
  await db.schema.createIndex('billing_call_matches_customer_idx').on('billing_call_matches').columns(['tenant_id', 'customer_id', 'start_time_utc']).execute();

  await db.schema
    .createTable('billing_call_ratings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('start_time_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('rated', 'unrated')`))
    .addColumn('customer_id', 'text')
    .addColumn('service_id', 'text')
    .addColumn('tariff_group', 'text')
    .addColumn('tariff_version', 'text')
    .addColumn('amount_micro', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('derivation', 'jsonb')
    /** sha256 of the canonical result: an identical re-rating writes nothing. */
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('rated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('superseded_at', 'timestamptz')
    .addColumn('superseded_by', 'bigint')
    .addCheckConstraint('billing_call_ratings_amount', sql`(status = 'rated') = (amount_micro is not null)`)
    .execute();
  await db.schema
    .createIndex('billing_call_ratings_current_idx')
    .on('billing_call_ratings')
    .columns(['tenant_id', 'call_id'])
    .unique()
    .where(sql.ref('superseded_at'), 'is', null)
    .execute();
  await db.schema.createIndex('billing_call_ratings_customer_idx').on('billing_call_ratings').columns(['tenant_id', 'customer_id', 'start_time_utc']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'billing_call_ratings',
    'billing_call_matches',
    'billing_reference_loads',
    'billing_tariff_rates',
    'billing_tariff_groups',
    'billing_services',
    'billing_departments',
    'billing_customers',
    'billing_tenants',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
