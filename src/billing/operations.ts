/**
 * DB-backed matching and rating, called by reference (tenant + window, or call ids) from the
 * workflow's activities and from the billing CLI.
 *
 * - Set-based: one query loads the calls of the scope, one the current matches/ratings, and
 *   writes go out in multi-row statements of up to 1,000 rows — never a round trip per call.
 * - Idempotent: each result has a fingerprint (sha256 of its canonical JSON). A retry, or
 *   re-rating with nothing changed, writes nothing. A different result supersedes the
 *   current row (superseded_at/by) and a new row becomes current; history is never deleted.
 * - Serialised per tenant by a transaction-scoped advisory lock, so concurrent retries cannot
 *   interleave. Everything of one call happens in one transaction.
 * - Included minutes: if a customer in scope has a tariff group with included-minutes pools,
 *   the scope widens to that customer's whole calendar month(s) (customer time zone), so the
 *   allowance is consumed from the month's first call in (start time, call id) order and the
 *   same result is reproduced whatever window triggered the run.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { contentHash } from '../calls/canonical-json';
import { buildRateRequest } from '../matching/classify';
import { callerIdNumber, type CallRecord } from '../matching/call';
import { matchCall, type MatchResult } from '../matching/services';
import { compareForRating, PoolLedger, rateCall } from '../rating/engine';
import { formatMicro } from '../rating/money';
import { billingDb, type BillingDatabase } from './schema';
import { loadBillingContext, resolveTariffGroup, type BillingContext } from './context';

const CHUNK = 1000;

export interface WindowRef {
  readonly tenantId: string;
  /** Calls whose start time is in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface RateRef extends Partial<WindowRef> {
  readonly tenantId: string;
  /** Only calls matched to this customer. */
  readonly customerId?: string;
  /** Explicit calls (instead of, or in addition to, a window). */
  readonly callIds?: readonly string[];
}

interface CallRowLite {
  call_id: string;
  pbx_name: string;
  direction: string;
  start_time_utc: Date;
  connect_time_utc: Date | null;
  disconnected_time_utc: Date;
  talk_time_ms: number;
  caller: string;
  callee: string;
  dnis: string;
  caller_id: string;
  content_hash: string;
}

const CALL_COLUMNS = [
  'calls.call_id',
  'calls.pbx_name',
  'calls.direction',
  'calls.start_time_utc',
  'calls.connect_time_utc',
  'calls.disconnected_time_utc',
  'calls.talk_time_ms',
  'calls.caller',
  'calls.callee',
  'calls.dnis',
  'calls.caller_id',
  'calls.content_hash',
] as const;

function toRecord(r: CallRowLite): CallRecord {
  return {
    callId: r.call_id,
    pbxName: r.pbx_name,
    direction: r.direction,
    startMs: r.start_time_utc.getTime(),
    connectMs: r.connect_time_utc ? r.connect_time_utc.getTime() : 0,
    disconnectMs: r.disconnected_time_utc.getTime(),
    talkMs: r.talk_time_ms,
    caller: r.caller,
    callee: r.callee,
    dnis: r.dnis,
    callerIdNumber: callerIdNumber(r.caller_id),
  };
}

async function lockTenant(db: Kysely<BillingDatabase>, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${'cdrflow-billing:' + tenantId}))`.execute(db);
}

async function loadCalls(db: Kysely<BillingDatabase>, ref: RateRef): Promise<CallRowLite[]> {
  const out = new Map<string, CallRowLite>();
  if (ref.fromMs !== undefined && ref.toMs !== undefined) {
    let q = db
      .selectFrom('calls')
      .select(CALL_COLUMNS)
      .where('calls.tenant_id', '=', ref.tenantId)
      .where('calls.start_time_utc', '>=', new Date(ref.fromMs))
      .where('calls.start_time_utc', '<', new Date(ref.toMs));
    if (ref.customerId !== undefined) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('billing_call_matches as m')
            .select('m.call_id')
            .whereRef('m.tenant_id', '=', 'calls.tenant_id')
            .whereRef('m.call_id', '=', 'calls.call_id')
            .where('m.customer_id', '=', ref.customerId!),
        ),
      );
    }
    for (const r of await q.execute()) out.set(r.call_id, r);
  }
  const ids = ref.callIds ?? [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('calls').select(CALL_COLUMNS).where('calls.tenant_id', '=', ref.tenantId).where('calls.call_id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.set(r.call_id, r);
  }
  return [...out.values()];
}

/** Matches calls and stores the outcome (insert or update, only when it changed). */
async function matchAndStore(db: Kysely<BillingDatabase>, ctx: BillingContext, calls: readonly CallRowLite[]): Promise<Map<string, MatchResult>> {
  const results = new Map<string, MatchResult>();
  const now = new Date();
  const rows = calls.map((c) => {
    const m = matchCall(toRecord(c), ctx.index, ctx.country);
    results.set(c.call_id, m);
    return {
      tenant_id: ctx.tenantId,
      call_id: c.call_id,
      start_time_utc: c.start_time_utc,
      matched: m.matched,
      service_id: m.matched ? m.service.serviceId : null,
      customer_id: m.matched ? m.service.customerId : null,
      direction: m.direction,
      rule: m.matched ? m.rule : null,
      match_key: m.matched ? m.key : null,
      reason: m.matched ? null : m.reason,
      detail: m.matched ? null : m.detail,
      call_content_hash: c.content_hash,
      matched_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('billing_call_matches')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'call_id'])
          .doUpdateSet((eb) => ({
            start_time_utc: eb.ref('excluded.start_time_utc'),
            matched: eb.ref('excluded.matched'),
            service_id: eb.ref('excluded.service_id'),
            customer_id: eb.ref('excluded.customer_id'),
            direction: eb.ref('excluded.direction'),
            rule: eb.ref('excluded.rule'),
            match_key: eb.ref('excluded.match_key'),
            reason: eb.ref('excluded.reason'),
            detail: eb.ref('excluded.detail'),
            call_content_hash: eb.ref('excluded.call_content_hash'),
            matched_at: eb.ref('excluded.matched_at'),
          }))
          .where(sql<boolean>`(billing_call_matches.matched, billing_call_matches.service_id, billing_call_matches.rule, billing_call_matches.reason, billing_call_matches.detail, billing_call_matches.call_content_hash, billing_call_matches.start_time_utc) is distinct from (excluded.matched, excluded.service_id, excluded.rule, excluded.reason, excluded.detail, excluded.call_content_hash, excluded.start_time_utc)`),
      )
      .execute();
  }
  return results;
}

export interface MatchSummary {
  matched: number;
  unmatched: number;
}

/** Matches the calls of a window to services and stores the outcome. Idempotent. */
export async function matchCalls(database: Kysely<Database>, ref: WindowRef): Promise<MatchSummary> {
  return billingDb(database)
    .transaction()
    .execute(async (trx) => {
      await lockTenant(trx, ref.tenantId);
      const ctx = await loadBillingContext(trx, ref.tenantId);
      const calls = await loadCalls(trx, ref);
      const results = await matchAndStore(trx, ctx, calls);
      let matched = 0;
      for (const m of results.values()) if (m.matched) matched++;
      return { matched, unmatched: results.size - matched };
    });
}

/** One rating outcome as stored. */
export interface RatingRecord {
  callId: string;
  startMs: number;
  status: 'rated' | 'unrated';
  customerId: string | null;
  serviceId: string | null;
  tariffGroup: string | null;
  tariffVersion: string | null;
  amountMicro: number | null;
  currency: string | null;
  reason: string | null;
  detail: string | null;
  derivation: unknown;
}

function monthRange(startMs: number, zone: string): { key: string; fromMs: number; toMs: number } {
  const local = DateTime.fromMillis(startMs, { zone }).startOf('month');
  return { key: local.toFormat('yyyy-MM'), fromMs: local.toMillis(), toMs: local.plus({ months: 1 }).toMillis() };
}

function rateAll(ctx: BillingContext, calls: readonly CallRowLite[], matches: ReadonlyMap<string, MatchResult>): RatingRecord[] {
  const ordered = calls.map(toRecord).sort(compareForRating);
  const ledger = new PoolLedger();
  const out: RatingRecord[] = [];
  for (const call of ordered) {
    const m = matches.get(call.callId);
    const base = { callId: call.callId, startMs: call.startMs, tariffGroup: null, tariffVersion: null, amountMicro: null, currency: null };
    if (!m || !m.matched) {
      out.push({ ...base, status: 'unrated', customerId: null, serviceId: null, reason: 'unmatched', detail: m && !m.matched ? `${m.reason}: ${m.detail}` : 'not matched', derivation: null });
      continue;
    }
    const service = m.service;
    const customer = ctx.customers.get(service.customerId)!;
    const matchInfo = { serviceId: service.serviceId, customerId: service.customerId, departmentId: service.departmentId, rule: m.rule, key: m.key };
    const group = resolveTariffGroup(ctx, service);
    if (group === null) {
      out.push({ ...base, status: 'unrated', customerId: customer.customerId, serviceId: service.serviceId, reason: 'no_tariff_group', detail: 'no tariff group on the service, its department or its customer', derivation: { match: matchInfo } });
      continue;
    }
    const { request, number } = buildRateRequest(call, m.direction, { country: customer.country, areaCode: service.areaCode, index: ctx.index });
    const r = rateCall(request, ctx.tariffs, { tariffGroup: group.group, timeZone: customer.timeZone, poolScope: customer.customerId }, ledger);
    const numberInfo = number ? { input: number.input, e164: number.e164, kind: number.kind } : null;
    if (r.status === 'rated') {
      out.push({
        ...base,
        status: 'rated',
        customerId: customer.customerId,
        serviceId: service.serviceId,
        tariffGroup: group.group,
        tariffVersion: r.derivation.version,
        amountMicro: r.amountMicro,
        currency: r.currency,
        reason: null,
        detail: null,
        derivation: { match: { ...matchInfo, tariffGroupFrom: group.from }, number: numberInfo, rating: r.derivation },
      });
    } else {
      out.push({ ...base, status: 'unrated', customerId: customer.customerId, serviceId: service.serviceId, tariffGroup: group.group, reason: r.reason, detail: r.detail, derivation: { match: { ...matchInfo, tariffGroupFrom: group.from }, number: numberInfo } });
    }
  }
  return out;
}

function fingerprint(r: RatingRecord): string {
  return contentHash({ s: r.status, c: r.customerId, v: r.serviceId, a: r.amountMicro, r: r.reason, d: r.detail, x: r.derivation });
}

export interface RatingChange {
  callId: string;
  customerId: string | null;
  before: { status: string; amount: string | null; reason: string | null; tariffVersion: string | null } | null;
  after: { status: string; amount: string | null; reason: string | null; tariffVersion: string | null };
}

export interface RateSummary {
  /** Calls in the requested scope. */
  calls: number;
  rated: number;
  unrated: number;
  unmatched: number;
  /** Sum of the current amounts of the rated calls in scope, 6 decimals. */
  totalAmount: string;
  /** Rating rows written: new calls and changed results (0 on an identical retry). */
  written: number;
  /** Of which replaced an earlier result (the earlier row is kept, superseded). */
  superseded: number;
  /** Calls outside the window re-rated because they share an included-minutes month. */
  widenedBy: number;
  runId: string;
}

interface RunOutput {
  summary: RateSummary;
  changes: RatingChange[];
}

async function run(database: Kysely<Database>, ref: RateRef): Promise<RunOutput> {
  const runId = randomUUID();
  return billingDb(database)
    .transaction()
    .execute(async (trx) => {
      await lockTenant(trx, ref.tenantId);
      const ctx = await loadBillingContext(trx, ref.tenantId);
      const calls = await loadCalls(trx, ref);
      const matches = await matchAndStore(trx, ctx, calls);
      const inScope = ref.customerId === undefined ? calls : calls.filter((c) => {
        const m = matches.get(c.call_id);
        return m?.matched === true && m.service.customerId === ref.customerId;
      });
      const scopeIds = new Set(inScope.map((c) => c.call_id));

      // Widen to whole months for customers whose tariff group has included minutes.
      const months = new Map<string, { customerId: string; fromMs: number; toMs: number }>();
      for (const c of inScope) {
        const m = matches.get(c.call_id);
        if (!m?.matched) continue;
        const g = resolveTariffGroup(ctx, m.service);
        const s = g ? ctx.settings.get(g.group) : undefined;
        if (!s || Object.keys(s.includedPools).length === 0) continue;
        const customer = ctx.customers.get(m.service.customerId)!;
        const range = monthRange(c.start_time_utc.getTime(), customer.timeZone);
        months.set(`${customer.customerId}|${range.key}`, { customerId: customer.customerId, fromMs: range.fromMs, toMs: range.toMs });
      }
      const all = [...inScope];
      if (months.size > 0) {
        const extra = await trx
          .selectFrom('calls')
          .innerJoin('billing_call_matches as m', (j) => j.onRef('m.tenant_id', '=', 'calls.tenant_id').onRef('m.call_id', '=', 'calls.call_id'))
          .select(CALL_COLUMNS)
          .where('calls.tenant_id', '=', ref.tenantId)
          .where((eb) =>
            eb.or(
              [...months.values()].map((mo) =>
                eb.and([eb('m.customer_id', '=', mo.customerId), eb('calls.start_time_utc', '>=', new Date(mo.fromMs)), eb('calls.start_time_utc', '<', new Date(mo.toMs))]),
              ),
            ),
          )
          .execute();
        const fresh = extra.filter((c) => !scopeIds.has(c.call_id));
        const extraMatches = await matchAndStore(trx, ctx, fresh);
        for (const [k, v] of extraMatches) matches.set(k, v);
        // Only calls still matched to a widened customer take part (a re-match may have moved them).
        for (const c of fresh) {
          const m = extraMatches.get(c.call_id);
          if (m?.matched && [...months.values()].some((mo) => mo.customerId === m.service.customerId)) all.push(c);
        }
      }
      const results = rateAll(ctx, all, matches);

      // Compare with the current rows.
      const ids = results.map((r) => r.callId);
      const current = new Map<string, { id: string; fingerprint: string; status: string; amount_micro: string | null; reason: string | null; tariff_version: string | null }>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await trx
          .selectFrom('billing_call_ratings')
          .select(['id', 'call_id', 'fingerprint', 'status', 'amount_micro', 'reason', 'tariff_version'])
          .where('tenant_id', '=', ref.tenantId)
          .where('call_id', 'in', ids.slice(i, i + CHUNK))
          .where('superseded_at', 'is', null)
          .execute();
        for (const r of rows) current.set(r.call_id, r);
      }
      const now = new Date();
      const toWrite: { rec: RatingRecord; fp: string; oldId: string | null }[] = [];
      const changes: RatingChange[] = [];
      for (const rec of results) {
        const fp = fingerprint(rec);
        const cur = current.get(rec.callId);
        if (cur && cur.fingerprint === fp) continue;
        toWrite.push({ rec, fp, oldId: cur?.id ?? null });
        changes.push({
          callId: rec.callId,
          customerId: rec.customerId,
          before: cur ? { status: cur.status, amount: cur.amount_micro === null ? null : formatMicro(BigInt(cur.amount_micro)), reason: cur.reason, tariffVersion: cur.tariff_version } : null,
          after: { status: rec.status, amount: rec.amountMicro === null ? null : formatMicro(rec.amountMicro), reason: rec.reason, tariffVersion: rec.tariffVersion },
        });
      }
      const oldIds = toWrite.filter((w) => w.oldId !== null).map((w) => w.oldId!);
      for (let i = 0; i < oldIds.length; i += CHUNK) {
        await trx.updateTable('billing_call_ratings').set({ superseded_at: now }).where('id', 'in', oldIds.slice(i, i + CHUNK)).execute();
      }
      for (let i = 0; i < toWrite.length; i += CHUNK) {
        const chunk = toWrite.slice(i, i + CHUNK);
        const inserted = await trx
          .insertInto('billing_call_ratings')
          .values(
            chunk.map(({ rec, fp }) => ({
              tenant_id: ref.tenantId,
              call_id: rec.callId,
              start_time_utc: new Date(rec.startMs),
              status: rec.status,
              customer_id: rec.customerId,
              service_id: rec.serviceId,
              tariff_group: rec.tariffGroup,
              tariff_version: rec.tariffVersion,
              amount_micro: rec.amountMicro,
              currency: rec.currency,
              reason: rec.reason,
              detail: rec.detail,
              derivation: JSON.stringify(rec.derivation),
              fingerprint: fp,
              run_id: runId,
              rated_at: now,
            })),
          )
          .returning(['id', 'call_id'])
          .execute();
        const newIds = new Map(inserted.map((r) => [r.call_id, r.id]));
        const pairs = chunk.filter((w) => w.oldId !== null).map((w) => [w.oldId!, newIds.get(w.rec.callId)!] as const);
        if (pairs.length > 0) {
          await sql`update billing_call_ratings r set superseded_by = v.new_id
                    from (select unnest(${pairs.map((p) => p[0])}::bigint[]) as old_id, unnest(${pairs.map((p) => p[1])}::bigint[]) as new_id) v
                    where r.id = v.old_id`.execute(trx);
        }
      }
      let rated = 0;
      let unrated = 0;
      let unmatched = 0;
      let total = 0n;
      for (const r of results) {
        if (!scopeIds.has(r.callId)) continue;
        if (r.status === 'rated') {
          rated++;
          total += BigInt(r.amountMicro!);
        } else if (r.reason === 'unmatched') unmatched++;
        else unrated++;
      }
      return {
        summary: {
          calls: scopeIds.size,
          rated,
          unrated,
          unmatched,
          totalAmount: formatMicro(total),
          written: toWrite.length,
          superseded: oldIds.length,
          widenedBy: all.length - inScope.length,
          runId,
        },
        changes,
      };
    });
}

/**
 * Matches and rates the calls of a window (or explicit call ids). Idempotent: a retry writes
 * nothing new. Returns a small JSON-safe summary for the workflow.
 */
export async function rateCalls(database: Kysely<Database>, ref: RateRef): Promise<RateSummary> {
  return (await run(database, ref)).summary;
}

export interface RerateReport {
  summary: RateSummary;
  /** Calls whose result changed (before = the superseded result, null for a first rating). */
  changes: RatingChange[];
  /** Sum of (after − before) over changed rated amounts, 6 decimals. */
  delta: string;
}

/**
 * Re-rates a date range for a tenant or one customer against the tariffs now stored. Earlier
 * results are kept (superseded) and the changes are returned for printing.
 */
export async function rerateCalls(database: Kysely<Database>, ref: RateRef & WindowRef): Promise<RerateReport> {
  const out = await run(database, ref);
  let delta = 0n;
  for (const c of out.changes) {
    const after = c.after.amount === null ? 0n : parseMicro(c.after.amount);
    const before = c.before?.amount == null ? 0n : parseMicro(c.before.amount);
    delta += after - before;
  }
  return { summary: out.summary, changes: out.changes, delta: formatMicro(delta) };
}

function parseMicro(s: string): bigint {
  const neg = s.startsWith('-');
  const [w, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(w!) * 1_000_000n + BigInt((f + '000000').slice(0, 6));
  return neg ? -v : v;
}

/**
 * Retries every call that is unmatched or unrated (e.g. after a missing service or rate was
 * added): matches again and rates those that now match. Returns what changed.
 */
export async function resolvePending(database: Kysely<Database>, tenantId: string): Promise<RateSummary> {
  const db = billingDb(database);
  const unmatched = await db.selectFrom('billing_call_matches').select('call_id').where('tenant_id', '=', tenantId).where('matched', '=', false).execute();
  const unrated = await db.selectFrom('billing_call_ratings').select('call_id').where('tenant_id', '=', tenantId).where('status', '=', 'unrated').where('superseded_at', 'is', null).execute();
  const ids = [...new Set([...unmatched, ...unrated].map((r) => r.call_id))];
  return rateCalls(database, { tenantId, callIds: ids });
}
