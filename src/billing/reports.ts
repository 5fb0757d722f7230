/** Read-side billing operations: explain one call, list unmatched/unrated calls, export an invoice CSV. */
import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../db/schema';
import { explainDerivation } from '../rating/explain';
import { formatMicro } from '../rating/money';
import type { Derivation } from '../rating/types';
import { billingDb } from './schema';

export interface StoredDerivation {
  match?: { serviceId: string; customerId: string; departmentId: string | null; rule: string; key: string; tariffGroupFrom?: string };
  number?: { input: string; e164: string | null; kind: string } | null;
  rating?: Derivation;
}

/** The explanation of a call's current rating, its match, and its earlier (superseded) results. */
export async function explainCall(database: Kysely<Database>, tenantId: string, callId: string): Promise<{ found: boolean; lines: string[] }> {
  const db = billingDb(database);
  const [match, ratings] = await Promise.all([
    db.selectFrom('billing_call_matches').selectAll().where('tenant_id', '=', tenantId).where('call_id', '=', callId).executeTakeFirst(),
    db.selectFrom('billing_call_ratings').selectAll().where('tenant_id', '=', tenantId).where('call_id', '=', callId).orderBy('id', 'desc').execute(),
  ]);
  if (!match && ratings.length === 0) return { found: false, lines: [`call ${callId}: no match or rating stored for tenant ${tenantId}`] };
  const lines: string[] = [`call ${callId} (tenant ${tenantId})`];
  if (match) {
    lines.push(
      match.matched
        ? `match: service ${match.service_id} of customer ${match.customer_id} by rule ${match.rule} (${match.match_key}), direction ${match.direction}`
        : `match: UNMATCHED (${match.reason}): ${match.detail}`,
    );
  }
  const current = ratings.find((r) => r.superseded_at === null);
  if (current) {
    const d = current.derivation as StoredDerivation | null;
    lines.push(`current result #${current.id} rated ${current.rated_at.toISOString()} (run ${current.run_id}): ${current.status}${current.status === 'rated' ? ` ${formatMicro(BigInt(current.amount_micro!))} ${current.currency}` : ` — ${current.reason}: ${current.detail}`}`);
    if (d?.match?.tariffGroupFrom) lines.push(`tariff group ${current.tariff_group} taken from the ${d.match.tariffGroupFrom}`);
    if (d?.number) lines.push(`number ${JSON.stringify(d.number.input)} → ${d.number.e164 ?? '(not E.164)'} (${d.number.kind})`);
    if (d?.rating) lines.push(...explainDerivation(d.rating).map((l) => '  ' + l));
  }
  const history = ratings.filter((r) => r.superseded_at !== null);
  if (history.length > 0) {
    lines.push('earlier results (kept, superseded):');
    for (const h of history) {
      lines.push(
        `  #${h.id} rated ${h.rated_at.toISOString()}, superseded ${h.superseded_at!.toISOString()} by #${h.superseded_by}: ${h.status}` +
          (h.status === 'rated' ? ` ${formatMicro(BigInt(h.amount_micro!))} ${h.currency} (tariff ${h.tariff_group} version ${h.tariff_version})` : ` — ${h.reason}`),
      );
    }
  }
  return { found: true, lines };
}

export interface PendingCall {
  callId: string;
  startTimeUtc: string;
  pbx: string;
  direction: string;
  caller: string;
  callee: string;
  dnis: string;
  reason: string;
  detail: string;
}

/** Unmatched calls (optionally in a window), oldest first, with the reason. */
export async function listUnmatched(database: Kysely<Database>, ref: { tenantId: string; fromMs?: number; toMs?: number }): Promise<PendingCall[]> {
  const db = billingDb(database);
  let q = db
    .selectFrom('billing_call_matches as m')
    .innerJoin('calls as c', (j) => j.onRef('c.tenant_id', '=', 'm.tenant_id').onRef('c.call_id', '=', 'm.call_id'))
    .select(['m.call_id', 'c.start_time_utc', 'c.pbx_name', 'c.direction', 'c.caller', 'c.callee', 'c.dnis', 'm.reason', 'm.detail'])
    .where('m.tenant_id', '=', ref.tenantId)
    .where('m.matched', '=', false);
  if (ref.fromMs !== undefined) q = q.where('m.start_time_utc', '>=', new Date(ref.fromMs));
  if (ref.toMs !== undefined) q = q.where('m.start_time_utc', '<', new Date(ref.toMs));
  const rows = await q.orderBy('m.start_time_utc').orderBy('m.call_id').execute();
  return rows.map((r) => ({
    callId: r.call_id,
    startTimeUtc: r.start_time_utc.toISOString(),
    pbx: r.pbx_name,
    direction: r.direction,
    caller: r.caller,
    callee: r.callee,
    dnis: r.dnis,
    reason: r.reason ?? '',
    detail: r.detail ?? '',
  }));
}

/** Matched calls whose current result is unrated (no tariff group, no rate, …), with the reason. */
export async function listUnrated(database: Kysely<Database>, ref: { tenantId: string; fromMs?: number; toMs?: number }): Promise<{ callId: string; startTimeUtc: string; customerId: string | null; serviceId: string | null; reason: string; detail: string }[]> {
  const db = billingDb(database);
  let q = db
    .selectFrom('billing_call_ratings')
    .select(['call_id', 'start_time_utc', 'customer_id', 'service_id', 'reason', 'detail'])
    .where('tenant_id', '=', ref.tenantId)
    .where('superseded_at', 'is', null)
    .where('status', '=', 'unrated')
    .where('reason', '<>', 'unmatched');
  if (ref.fromMs !== undefined) q = q.where('start_time_utc', '>=', new Date(ref.fromMs));
  if (ref.toMs !== undefined) q = q.where('start_time_utc', '<', new Date(ref.toMs));
  const rows = await q.orderBy('start_time_utc').orderBy('call_id').execute();
  return rows.map((r) => ({ callId: r.call_id, startTimeUtc: r.start_time_utc.toISOString(), customerId: r.customer_id, serviceId: r.service_id, reason: r.reason ?? '', detail: r.detail ?? '' }));
}

export const EXPORT_COLUMNS = [
  'record_type',
  'customer_id',
  'service_id',
  'service',
  'call_id',
  'start_local',
  'direction',
  'category',
  'destination',
  'duration_s',
  'billed_s',
  'included_s',
  'band',
  'tariff_group',
  'tariff_version',
  'amount',
  'currency',
  'calls',
] as const;

export interface InvoiceLine {
  serviceId: string;
  serviceLabel: string;
  callId: string;
  startMs: number;
  amountMicro: bigint;
  currency: string;
  derivation: Derivation;
}

export interface InvoiceExport {
  csv: string;
  /** Totals in micros (exact). */
  totalMicro: bigint;
  perService: { serviceId: string; calls: number; totalMicro: bigint }[];
  unratedInPeriod: number;
  currency: string;
}

/**
 * Builds the invoice CSV (pure): one `call` line per charged call, then a `service_total`
 * line per service and a final `total` line. Unanswered and zero-duration calls are left out
 * (they cost nothing). Totals are exact sums of the per-call amounts shown.
 */
export function buildInvoiceCsv(customerId: string, zone: string, lines: readonly InvoiceLine[]): Omit<InvoiceExport, 'unratedInPeriod'> {
  const kept = lines.filter((l) => l.derivation.note !== 'unanswered' && l.derivation.note !== 'zero_duration');
  const decimals = kept.reduce((d, l) => Math.max(d, l.derivation.roundingDecimals), 2);
  const currencies = [...new Set(kept.map((l) => l.currency))];
  if (currencies.length > 1) throw new Error(`customer ${customerId} has calls in several currencies (${currencies.join(', ')}): export per currency is not supported`);
  const currency = currencies[0] ?? '';
  const sorted = [...kept].sort((a, b) => (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : a.startMs - b.startMs || (a.callId < b.callId ? -1 : 1)));
  const records: (string | number)[][] = [[...EXPORT_COLUMNS]];
  const perService: { serviceId: string; calls: number; totalMicro: bigint }[] = [];
  let total = 0n;
  for (const l of sorted) {
    const d = l.derivation;
    let svc = perService[perService.length - 1];
    if (!svc || svc.serviceId !== l.serviceId) {
      if (svc) records.push(['service_total', customerId, svc.serviceId, '', '', '', '', '', '', '', '', '', '', '', '', formatMicro(svc.totalMicro, decimals), currency, svc.calls]);
      svc = { serviceId: l.serviceId, calls: 0, totalMicro: 0n };
      perService.push(svc);
    }
    svc.calls++;
    svc.totalMicro += l.amountMicro;
    total += l.amountMicro;
    const bands = [...new Set(d.spans.map((s) => s.band))].join('+');
    records.push([
      'call',
      customerId,
      l.serviceId,
      l.serviceLabel,
      l.callId,
      DateTime.fromMillis(l.startMs, { zone }).toISO({ suppressMilliseconds: true }) ?? '',
      d.direction,
      d.category,
      d.destination,
      d.durationSeconds,
      d.billedSeconds,
      d.includedSecondsUsed,
      bands,
      d.tariffGroup ?? '',
      d.version ?? '',
      formatMicro(l.amountMicro, decimals),
      l.currency,
      1,
    ]);
  }
  const last = perService[perService.length - 1];
  if (last) records.push(['service_total', customerId, last.serviceId, '', '', '', '', '', '', '', '', '', '', '', '', formatMicro(last.totalMicro, decimals), currency, last.calls]);
  records.push(['total', customerId, '', '', '', '', '', '', '', '', '', '', '', '', '', formatMicro(total, decimals), currency, kept.length]);
  return { csv: stringify(records), totalMicro: total, perService, currency };
}

/**
 * Rated calls of a customer for a billing period (calendar month "YYYY-MM" in the customer's
 * time zone, by call start), as an invoice CSV with totals per service.
 */
export async function exportInvoice(database: Kysely<Database>, ref: { tenantId: string; customerId: string; period: string }): Promise<InvoiceExport> {
  const db = billingDb(database);
  const customer = await db.selectFrom('billing_customers').selectAll().where('tenant_id', '=', ref.tenantId).where('customer_id', '=', ref.customerId).executeTakeFirst();
  if (!customer) throw new Error(`customer ${ref.customerId} is not loaded for tenant ${ref.tenantId}`);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(ref.period)) throw new Error(`period ${JSON.stringify(ref.period)} must be YYYY-MM`);
  const from = DateTime.fromISO(`${ref.period}-01`, { zone: customer.time_zone });
  const to = from.plus({ months: 1 });
  const rows = await db
    .selectFrom('billing_call_ratings as r')
    .leftJoin('billing_services as s', (j) => j.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.service_id', '=', 'r.service_id'))
    .select(['r.call_id', 'r.start_time_utc', 'r.status', 'r.service_id', 'r.amount_micro', 'r.currency', 'r.derivation', 's.kind', 's.identifier', 's.pbx_name'])
    .where('r.tenant_id', '=', ref.tenantId)
    .where('r.customer_id', '=', ref.customerId)
    .where('r.superseded_at', 'is', null)
    .where('r.start_time_utc', '>=', from.toJSDate())
    .where('r.start_time_utc', '<', to.toJSDate())
    .execute();
  const lines: InvoiceLine[] = [];
  let unrated = 0;
  for (const r of rows) {
    if (r.status !== 'rated') {
      unrated++;
      continue;
    }
    const d = (r.derivation as StoredDerivation).rating!;
    lines.push({
      serviceId: r.service_id ?? '',
      serviceLabel: r.kind === 'extension' ? `ext ${r.identifier} on ${r.pbx_name}` : r.kind === 'pbx' ? `PBX ${r.pbx_name}` : (r.identifier ?? ''),
      callId: r.call_id,
      startMs: r.start_time_utc.getTime(),
      amountMicro: BigInt(r.amount_micro!),
      currency: r.currency ?? '',
      derivation: d,
    });
  }
  return { ...buildInvoiceCsv(ref.customerId, customer.time_zone, lines), unratedInPeriod: unrated };
}
