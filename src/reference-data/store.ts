/**
 * Loading reference-data CSV files into PostgreSQL. A file is validated completely (syntax,
 * every row, references to customers/departments/tariff groups already in the database, and
 * the resulting tariff compiling cleanly) inside one transaction; if anything is wrong,
 * every problem is returned with its line number and nothing of the file is applied.
 *
 * Semantics per kind (all scoped to one tenant):
 * - tenant: the single settings row (country for number normalisation, default zone, currency).
 * - tariff-groups, customers, departments, services: upsert by id (rows not in the file stay;
 *   end a service with valid_to instead of deleting it).
 * - tariffs: each (tariff_group, effective_from) version present in the file replaces the
 *   stored version of the same date as a whole; other versions are kept.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { billingDb, type BillingDatabase, type BillingServicesTable } from '../billing/schema';
import { analyzeNumber, deriveAreaCode } from '../matching/number';
import { compileTariffs, TariffCompileError } from '../rating/tariff';
import type { RateRow, TariffGroupSettings } from '../rating/types';
import type { RowError } from './csv';
import {
  parseCustomerCsv,
  parseDepartmentCsv,
  parseGroupCsv,
  parseServiceCsv,
  parseTariffCsv,
  parseTenantCsv,
  toGroupSettings,
  toRateRow,
} from './schemas';

export const REFERENCE_KINDS = ['tenant', 'tariff-groups', 'tariffs', 'customers', 'departments', 'services'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export interface ReferenceFile {
  readonly tenantId: string;
  readonly kind: ReferenceKind;
  readonly fileName: string;
  readonly text: string;
}

export type LoadResult = { ok: true; kind: ReferenceKind; rows: number; loadId: string } | { ok: false; kind: ReferenceKind; errors: RowError[] };

class Rejected extends Error {
  constructor(readonly errors: RowError[]) {
    super('reference file rejected');
  }
}

/** Local midnight of a date in a zone, as a Date. */
function localMidnight(date: string, zone: string): Date {
  return DateTime.fromISO(date, { zone }).toJSDate();
}

function duplicates<T>(rows: readonly { line: number; value: T }[], key: (v: T) => string, what: string): RowError[] {
  const seen = new Map<string, number>();
  const errors: RowError[] = [];
  for (const r of rows) {
    const k = key(r.value);
    const first = seen.get(k);
    if (first !== undefined) errors.push({ line: r.line, reason: `${what} ${k} already on line ${first}` });
    else seen.set(k, r.line);
  }
  return errors;
}

async function existingGroups(trx: Kysely<BillingDatabase>, tenantId: string): Promise<Set<string>> {
  const rows = await trx.selectFrom('billing_tariff_groups').select('tariff_group').where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.tariff_group));
}

export async function loadReferenceCsv(database: Kysely<Database>, file: ReferenceFile): Promise<LoadResult> {
  const db = billingDb(database);
  const { tenantId, kind } = file;
  try {
    return await db.transaction().execute(async (trx) => {
      const rows = await apply(trx, file);
      const sha = createHash('sha256').update(file.text).digest('hex');
      const load = await trx
        .insertInto('billing_reference_loads')
        .values({ tenant_id: tenantId, kind, file_name: file.fileName, file_sha256: sha, rows })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (kind === 'tariffs') {
        await trx.updateTable('billing_tariff_rates').set({ load_id: load.id }).where('tenant_id', '=', tenantId).where('load_id', '=', '0').execute();
      }
      return { ok: true as const, kind, rows, loadId: load.id };
    });
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, kind, errors: e.errors.sort((a, b) => a.line - b.line) };
    throw e;
  }
}

async function apply(trx: Kysely<BillingDatabase>, file: ReferenceFile): Promise<number> {
  const { tenantId, text } = file;
  switch (file.kind) {
    case 'tenant': {
      const p = parseTenantCsv(text);
      const errors = [...p.errors];
      if (p.errors.length === 0 && p.rows.length !== 1) errors.push({ line: 0, reason: `a tenant file has exactly one row, found ${p.rows.length}` });
      if (errors.length > 0) throw new Rejected(errors);
      const v = p.rows[0]!.value;
      await trx
        .insertInto('billing_tenants')
        .values({ tenant_id: tenantId, country: v.country, time_zone: v.time_zone, currency: v.currency })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ country: v.country, time_zone: v.time_zone, currency: v.currency, updated_at: new Date() }))
        .execute();
      return 1;
    }
    case 'tariff-groups': {
      const p = parseGroupCsv(text);
      const errors = [...p.errors, ...duplicates(p.rows, (v) => v.tariff_group, 'tariff group')];
      const settings = p.rows.map((r) => ({ line: r.line, s: toGroupSettings(r.value) }));
      for (const { line, s } of settings) {
        try {
          compileTariffs([], [s]);
        } catch (e) {
          if (e instanceof TariffCompileError) e.problems.forEach((reason) => errors.push({ line, reason }));
          else throw e;
        }
      }
      if (errors.length > 0) throw new Rejected(errors);
      for (const { s } of settings) {
        await trx
          .insertInto('billing_tariff_groups')
          .values({ tenant_id: tenantId, tariff_group: s.tariffGroup, settings: JSON.stringify(s) })
          .onConflict((oc) => oc.columns(['tenant_id', 'tariff_group']).doUpdateSet({ settings: JSON.stringify(s), updated_at: new Date() }))
          .execute();
      }
      return settings.length;
    }
    case 'tariffs': {
      const p = parseTariffCsv(text);
      const errors = [...p.errors];
      const groups = await trx.selectFrom('billing_tariff_groups').select(['tariff_group', 'settings']).where('tenant_id', '=', tenantId).execute();
      const settings = groups.map((g) => g.settings as TariffGroupSettings);
      const known = new Set(groups.map((g) => g.tariff_group));
      const rows: RateRow[] = [];
      for (const r of p.rows) {
        if (!known.has(r.value.tariff_group)) errors.push({ line: r.line, reason: `tariff group ${r.value.tariff_group} is not loaded (load tariff-groups first)` });
        else rows.push(toRateRow(r.value, `${file.fileName}:${r.line}`));
      }
      const versions = new Set(rows.map((r) => `${r.tariffGroup}\u0000${r.effectiveFrom}`));
      const kept = (await trx.selectFrom('billing_tariff_rates').select(['tariff_group', 'effective_from', 'rate']).where('tenant_id', '=', tenantId).execute())
        .filter((r) => !versions.has(`${r.tariff_group}\u0000${r.effective_from}`))
        .map((r) => r.rate as RateRow);
      if (errors.length === 0) {
        try {
          compileTariffs([...kept, ...rows], settings);
        } catch (e) {
          if (!(e instanceof TariffCompileError)) throw e;
          for (const problem of e.problems) {
            const m = /^(.*):(\d+): (.*)$/.exec(problem);
            errors.push(m && m[1] === file.fileName ? { line: Number(m[2]), reason: m[3]! } : { line: 0, reason: problem });
          }
        }
      }
      if (errors.length > 0) throw new Rejected(errors);
      for (const v of versions) {
        const [g, eff] = v.split('\u0000') as [string, string];
        await trx.deleteFrom('billing_tariff_rates').where('tenant_id', '=', tenantId).where('tariff_group', '=', g).where('effective_from', '=', eff).execute();
      }
      const values = rows.map((r, i) => ({ tenant_id: tenantId, tariff_group: r.tariffGroup, effective_from: r.effectiveFrom, seq: i + 1, rate: JSON.stringify(r), load_id: '0' }));
      for (let i = 0; i < values.length; i += 2000) await trx.insertInto('billing_tariff_rates').values(values.slice(i, i + 2000)).execute();
      return rows.length;
    }
    case 'customers': {
      const p = parseCustomerCsv(text);
      const errors = [...p.errors, ...duplicates(p.rows, (v) => v.customer_id, 'customer')];
      const known = await existingGroups(trx, tenantId);
      for (const r of p.rows) {
        if (r.value.tariff_group !== undefined && !known.has(r.value.tariff_group)) errors.push({ line: r.line, reason: `tariff group ${r.value.tariff_group} is not loaded` });
      }
      if (errors.length > 0) throw new Rejected(errors);
      for (const { value: v } of p.rows) {
        const row = { name: v.name, tariff_group: v.tariff_group ?? null, time_zone: v.time_zone, country: v.country };
        await trx
          .insertInto('billing_customers')
          .values({ tenant_id: tenantId, customer_id: v.customer_id, ...row })
          .onConflict((oc) => oc.columns(['tenant_id', 'customer_id']).doUpdateSet({ ...row, updated_at: new Date() }))
          .execute();
      }
      return p.rows.length;
    }
    case 'departments': {
      const p = parseDepartmentCsv(text);
      const errors = [...p.errors, ...duplicates(p.rows, (v) => v.department_id, 'department')];
      const known = await existingGroups(trx, tenantId);
      const customers = new Set((await trx.selectFrom('billing_customers').select('customer_id').where('tenant_id', '=', tenantId).execute()).map((c) => c.customer_id));
      for (const r of p.rows) {
        if (!customers.has(r.value.customer_id)) errors.push({ line: r.line, reason: `customer ${r.value.customer_id} is not loaded` });
        if (r.value.tariff_group !== undefined && !known.has(r.value.tariff_group)) errors.push({ line: r.line, reason: `tariff group ${r.value.tariff_group} is not loaded` });
      }
      if (errors.length > 0) throw new Rejected(errors);
      for (const { value: v } of p.rows) {
        const row = { customer_id: v.customer_id, name: v.name, tariff_group: v.tariff_group ?? null };
        await trx
          .insertInto('billing_departments')
          .values({ tenant_id: tenantId, department_id: v.department_id, ...row })
          .onConflict((oc) => oc.columns(['tenant_id', 'department_id']).doUpdateSet({ ...row, updated_at: new Date() }))
          .execute();
      }
      return p.rows.length;
    }
    case 'services': {
      const p = parseServiceCsv(text);
      const errors = [...p.errors, ...duplicates(p.rows, (v) => v.service_id, 'service')];
      const known = await existingGroups(trx, tenantId);
      const customers = new Map((await trx.selectFrom('billing_customers').selectAll().where('tenant_id', '=', tenantId).execute()).map((c) => [c.customer_id, c]));
      const departments = new Map((await trx.selectFrom('billing_departments').selectAll().where('tenant_id', '=', tenantId).execute()).map((d) => [d.department_id, d]));
      const out: { line: number; row: Insertable<BillingServicesTable> }[] = [];
      for (const { line, value: v } of p.rows) {
        const customer = customers.get(v.customer_id);
        if (!customer) {
          errors.push({ line, reason: `customer ${v.customer_id} is not loaded` });
          continue;
        }
        if (v.department_id !== undefined) {
          const d = departments.get(v.department_id);
          if (!d) errors.push({ line, reason: `department ${v.department_id} is not loaded` });
          else if (d.customer_id !== v.customer_id) errors.push({ line, reason: `department ${v.department_id} belongs to customer ${d.customer_id}` });
        }
        if (v.tariff_group !== undefined && !known.has(v.tariff_group)) errors.push({ line, reason: `tariff group ${v.tariff_group} is not loaded` });
        let identifier = v.identifier;
        let areaCode = v.area_code ?? null;
        if (v.kind === 'did') {
          const n = analyzeNumber(v.identifier, { country: customer.country });
          if (n.e164 === null) {
            errors.push({ line, reason: `identifier ${JSON.stringify(v.identifier)} is not a valid ${customer.country} number` });
            continue;
          }
          identifier = n.e164;
          areaCode = areaCode ?? deriveAreaCode(n.e164);
        }
        out.push({
          line,
          row: {
            tenant_id: tenantId,
            service_id: v.service_id,
            customer_id: v.customer_id,
            department_id: v.department_id ?? null,
            kind: v.kind,
            pbx_name: v.pbx ?? null,
            identifier,
            area_code: areaCode,
            tariff_group: v.tariff_group ?? null,
            valid_from: localMidnight(v.valid_from, customer.time_zone),
            valid_to: v.valid_to === undefined ? null : localMidnight(v.valid_to, customer.time_zone),
            description: v.description,
          },
        });
      }
      if (errors.length > 0) throw new Rejected(errors);
      for (const { row } of out) {
        const { tenant_id: _t, service_id: _s, ...rest } = row;
        await trx
          .insertInto('billing_services')
          .values(row)
          .onConflict((oc) => oc.columns(['tenant_id', 'service_id']).doUpdateSet({ ...rest, updated_at: new Date() }))
          .execute();
      }
      return out.length;
    }
  }
}
