import { ApplicationFailure } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import { BillingSetupError, matchCalls, rateCalls, resolvePending } from '../src/billing';
import { billingDb } from '../src/billing/schema';
import type { Database } from '../src/db/schema';
import { BILLING_SETUP_FAILURE } from '../workflows/failure-types';
import { keepAlive } from './keep-alive';

export interface BillingRange {
  tenantId: string;
  /** [from, to) as ISO-8601 instants: the calls whose start falls in it. */
  from: string;
  to: string;
}

/**
 * A tenant without billing reference data cannot be matched or rated: that needs a human, not
 * retries. The import goes on; the calls wait and are settled once the data is loaded.
 */
async function withSetupCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BillingSetupError) {
      throw ApplicationFailure.create({
        message: err.message,
        type: BILLING_SETUP_FAILURE,
        nonRetryable: true,
        // Expected until the data is loaded (the status reports it): not an error worth a warning each window.
        category: 'BENIGN',
      });
    }
    throw err;
  }
}

const windowRef = (r: BillingRange) => ({ tenantId: r.tenantId, fromMs: Date.parse(r.from), toMs: Date.parse(r.to) });

/** Match and rate work on a window of calls by reference, in set-based SQL; only counts come back. */
export function billingActivities(deps: { db: Kysely<Database> }) {
  return {
    async matchCalls(range: BillingRange): Promise<{ matched: number; unmatched: number }> {
      return keepAlive(() => ({ step: 'match', ...range }), () => withSetupCheck(() => matchCalls(deps.db, windowRef(range))));
    },

    /** Rates (or re-rates, where the call or its tariff changed) every call of the window; repeats write nothing. */
    async rateCalls(range: BillingRange): Promise<{ rated: number; unrated: number }> {
      const r = await keepAlive(() => ({ step: 'rate', ...range }), () => withSetupCheck(() => rateCalls(deps.db, windowRef(range))));
      return { rated: r.rated, unrated: r.unrated };
    },

    /**
     * Once per cycle: calls never matched (imported while billing was not set up) and calls left
     * unmatched or unrated are tried again, so a service or tariff added later takes effect.
     */
    async settleBillingBacklog(input: { tenantId: string }): Promise<BillingTotals & { configured: boolean; settled: number }> {
      const configured = await billingDb(deps.db).selectFrom('billing_tenants').select('tenant_id').where('tenant_id', '=', input.tenantId).executeTakeFirst();
      if (!configured) return { configured: false, settled: 0, ...(await totals(deps.db, input.tenantId)) };
      const never = await sql<{ from: Date | null; to: Date | null; n: string }>`
        select min(c.start_time_utc) as "from", max(c.start_time_utc) as "to", count(*) as n
        from calls c
        where c.tenant_id = ${input.tenantId}
          and not exists (select 1 from billing_call_matches m where m.tenant_id = c.tenant_id and m.call_id = c.call_id)`.execute(deps.db);
      const backlog = never.rows[0];
      let settled = 0;
      if (backlog?.from && backlog.to) {
        const range = { tenantId: input.tenantId, fromMs: backlog.from.getTime(), toMs: backlog.to.getTime() + 1 };
        const step = { step: 'settle', from: backlog.from.toISOString(), to: backlog.to.toISOString() };
        await keepAlive(() => step, () => withSetupCheck(() => rateCalls(deps.db, range)));
        settled = Number(backlog.n);
      }
      await keepAlive(() => ({ step: 'resolve pending' }), () => withSetupCheck(() => resolvePending(deps.db, input.tenantId)));
      return { configured: true, settled, ...(await totals(deps.db, input.tenantId)) };
    },
  };
}

export interface BillingTotals {
  matched: number;
  unmatched: number;
  rated: number;
  unrated: number;
}

/** The tenant's current billing picture (current rating results only, superseded ones excluded). */
async function totals(db: Kysely<Database>, tenantId: string): Promise<BillingTotals> {
  const { rows } = await sql<{ matched: string; unmatched: string; rated: string; unrated: string }>`
    select
      (select count(*) from billing_call_matches where tenant_id = ${tenantId} and matched) as matched,
      (select count(*) from billing_call_matches where tenant_id = ${tenantId} and not matched) as unmatched,
      (select count(*) from billing_call_ratings where tenant_id = ${tenantId} and superseded_at is null and status = 'rated') as rated,
      (select count(*) from billing_call_ratings where tenant_id = ${tenantId} and superseded_at is null and status = 'unrated') as unrated`.execute(db);
  const r = rows[0]!;
  return { matched: Number(r.matched), unmatched: Number(r.unmatched), rated: Number(r.rated), unrated: Number(r.unrated) };
}
