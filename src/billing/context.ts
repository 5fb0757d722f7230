/** The reference data of one tenant, loaded once per operation and compiled for matching and rating. */
import type { Kysely } from 'kysely';
import { ServiceIndex, type Service, type ServiceKind } from '../matching/services';
import { compileTariffs, TariffCompileError, type CompiledTariffs } from '../rating/tariff';
import type { RateRow, TariffGroupSettings } from '../rating/types';
import type { BillingDatabase } from './schema';

export interface CustomerInfo {
  readonly customerId: string;
  readonly name: string;
  readonly tariffGroup: string | null;
  readonly timeZone: string;
  readonly country: string;
}

export interface BillingContext {
  readonly tenantId: string;
  readonly country: string;
  readonly timeZone: string;
  readonly customers: ReadonlyMap<string, CustomerInfo>;
  readonly departments: ReadonlyMap<string, { customerId: string; name: string; tariffGroup: string | null }>;
  readonly services: ReadonlyMap<string, Service>;
  readonly index: ServiceIndex;
  readonly tariffs: CompiledTariffs;
  readonly settings: ReadonlyMap<string, TariffGroupSettings>;
}

export class BillingSetupError extends Error {
  override readonly name = 'BillingSetupError';
}

export async function loadBillingContext(db: Kysely<BillingDatabase>, tenantId: string): Promise<BillingContext> {
  const [tenant, customers, departments, services, groups, rates] = await Promise.all([
    db.selectFrom('billing_tenants').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
    db.selectFrom('billing_customers').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('billing_departments').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('billing_services').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('billing_tariff_groups').selectAll().where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('billing_tariff_rates').select('rate').where('tenant_id', '=', tenantId).orderBy('tariff_group').orderBy('effective_from').orderBy('seq').execute(),
  ]);
  if (!tenant) throw new BillingSetupError(`tenant ${tenantId} has no billing settings: load a tenant CSV (country, time_zone, currency) first`);
  const svc: Service[] = services.map((s) => ({
    serviceId: s.service_id,
    customerId: s.customer_id,
    departmentId: s.department_id,
    kind: s.kind as ServiceKind,
    pbxName: s.pbx_name,
    identifier: s.identifier,
    validFromMs: s.valid_from.getTime(),
    validToMs: s.valid_to === null ? null : s.valid_to.getTime(),
    tariffGroup: s.tariff_group,
    areaCode: s.area_code,
  }));
  const settings = groups.map((g) => g.settings as TariffGroupSettings);
  let tariffs: CompiledTariffs;
  try {
    tariffs = compileTariffs(
      rates.map((r) => r.rate as RateRow),
      settings,
    );
  } catch (e) {
    if (e instanceof TariffCompileError) throw new BillingSetupError(`stored tariffs of tenant ${tenantId} do not compile: ${e.problems.join('; ')}`);
    throw e;
  }
  return {
    tenantId,
    country: tenant.country,
    timeZone: tenant.time_zone,
    customers: new Map(customers.map((c) => [c.customer_id, { customerId: c.customer_id, name: c.name, tariffGroup: c.tariff_group, timeZone: c.time_zone, country: c.country }])),
    departments: new Map(departments.map((d) => [d.department_id, { customerId: d.customer_id, name: d.name, tariffGroup: d.tariff_group }])),
    services: new Map(svc.map((s) => [s.serviceId, s])),
    index: new ServiceIndex(svc),
    tariffs,
    settings: new Map(settings.map((s) => [s.tariffGroup, s])),
  };
}

/** Tariff group precedence: service, then its department, then its customer. */
export function resolveTariffGroup(ctx: BillingContext, service: Service): { group: string; from: 'service' | 'department' | 'customer' } | null {
  if (service.tariffGroup) return { group: service.tariffGroup, from: 'service' };
  const dept = service.departmentId ? ctx.departments.get(service.departmentId) : undefined;
  if (dept?.tariffGroup) return { group: dept.tariffGroup, from: 'department' };
  const cust = ctx.customers.get(service.customerId);
  if (cust?.tariffGroup) return { group: cust.tariffGroup, from: 'customer' };
  return null;
}
