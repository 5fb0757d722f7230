/**
 * Kysely types of the billing tables (migration 0002_billing). Kept here rather than in
 * src/db/schema.ts so the shared Database interface stays untouched: `billingDb(db)` widens
 * a Kysely<Database> with these tables.
 */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../db/schema';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Defaulted = ColumnType<Date, Date | string | undefined, Date | string>;
/** int8 columns come back as strings (see src/db/connect.ts): exact. */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

export interface BillingTenantsTable {
  tenant_id: string;
  country: string;
  time_zone: string;
  currency: string;
  updated_at: Defaulted;
}
export interface BillingCustomersTable {
  tenant_id: string;
  customer_id: string;
  name: string;
  tariff_group: string | null;
  time_zone: string;
  country: string;
  updated_at: Defaulted;
}
export interface BillingDepartmentsTable {
  tenant_id: string;
  department_id: string;
  customer_id: string;
  name: string;
  tariff_group: string | null;
  updated_at: Defaulted;
}
export interface BillingServicesTable {
  tenant_id: string;
  service_id: string;
  customer_id: string;
  department_id: string | null;
  kind: string;
  pbx_name: string | null;
  identifier: string;
  area_code: string | null;
  tariff_group: string | null;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
  description: ColumnType<string, string | undefined, string>;
  updated_at: Defaulted;
}
export interface BillingTariffGroupsTable {
  tenant_id: string;
  tariff_group: string;
  settings: unknown;
  updated_at: Defaulted;
}
export interface BillingTariffRatesTable {
  tenant_id: string;
  tariff_group: string;
  effective_from: string;
  seq: number;
  rate: unknown;
  load_id: Int8;
}
export interface BillingReferenceLoadsTable {
  id: Generated<string>;
  tenant_id: string;
  kind: string;
  file_name: string;
  file_sha256: string;
  rows: number;
  loaded_at: Defaulted;
}
export interface BillingCallMatchesTable {
  tenant_id: string;
  call_id: string;
  start_time_utc: Timestamp;
  matched: boolean;
  service_id: string | null;
  customer_id: string | null;
  direction: string | null;
  rule: string | null;
  match_key: string | null;
  reason: string | null;
  detail: string | null;
  call_content_hash: string;
  matched_at: Timestamp;
}
export interface BillingCallRatingsTable {
  id: Generated<string>;
  tenant_id: string;
  call_id: string;
  start_time_utc: Timestamp;
  status: 'rated' | 'unrated';
  customer_id: string | null;
  service_id: string | null;
  tariff_group: string | null;
  tariff_version: string | null;
  amount_micro: Int8 | null;
  currency: string | null;
  reason: string | null;
  detail: string | null;
  derivation: unknown;
  fingerprint: string;
  run_id: string;
  rated_at: Timestamp;
  superseded_at: Timestamp | null;
  superseded_by: Int8 | null;
}

// A type alias, not an interface: withTables() needs an index-signature-compatible type.
export type BillingTables = {
  billing_tenants: BillingTenantsTable;
  billing_customers: BillingCustomersTable;
  billing_departments: BillingDepartmentsTable;
  billing_services: BillingServicesTable;
  billing_tariff_groups: BillingTariffGroupsTable;
  billing_tariff_rates: BillingTariffRatesTable;
  billing_reference_loads: BillingReferenceLoadsTable;
  billing_call_matches: BillingCallMatchesTable;
  billing_call_ratings: BillingCallRatingsTable;
};

export type BillingDatabase = Database & BillingTables;

export function billingDb(db: Kysely<Database>): Kysely<BillingDatabase> {
  return db.withTables<BillingTables>();
}
