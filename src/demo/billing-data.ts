import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { loadReferenceCsv, type ReferenceKind } from '../billing';

const EXAMPLES = resolve(__dirname, '../../examples');

/** The example reference data, in load order; services come from the demo variant that covers the demo PBXes. */
const FILES: [ReferenceKind, string][] = [
  ['tenant', 'tenant.csv'],
  ['tariff-groups', 'tariff-groups.csv'],
  ['tariffs', 'tariffs.csv'],
  ['customers', 'customers.csv'],
  ['departments', 'departments.csv'],
  ['services', join('demo', 'services.csv')],
];

/** Loads the example billing data for the demo tenant once; returns false when it was already there. */
export async function loadDemoBillingData(db: Kysely<Database>, tenantId: string): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from billing_tenants where tenant_id = ${tenantId}`.execute(db);
  if (Number(rows[0]?.n ?? 0) > 0) return false;
  for (const [kind, file] of FILES) {
    const result = await loadReferenceCsv(db, { tenantId, kind, fileName: file, text: readFileSync(join(EXAMPLES, file), 'utf8') });
    if (!result.ok) {
      const first = result.errors[0];
      throw new Error(`demo ${kind} data in examples/${file} was refused: line ${first?.line}: ${first?.reason}`);
    }
  }
  return true;
}
