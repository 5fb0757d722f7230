import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { AnalyticsClient } from '../src/eightxeight/client';
import type { TenantCredentials } from '../src/eightxeight/credentials';
import { quarantineRecords, upsertCalls } from '../src/calls/store';
import { keepAlive } from './keep-alive';
import { toApplicationFailure } from './failures';

export interface ImportCallRecordsInput {
  tenantId: string;
  credentials: TenantCredentials;
  /** One PBX name, a comma list, or `allpbxes`. */
  pbx: string;
  /** Half-open window [from, to), ISO-8601 instants. */
  from: string;
  to: string;
  /** The tenant's zone, for reporting only: requests go out in UTC. */
  timeZone: string;
}

export interface ImportCounts {
  pages: number;
  seen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
}

export interface ImportCallRecordsResult extends ImportCounts {
  pbx: string;
  from: string;
  to: string;
}

/** What a heartbeat carries: enough to resume paging after a crash, readable in the Web UI. */
interface PagingCheckpoint extends ImportCounts {
  scrollId: string;
}

const ZERO_COUNTS: ImportCounts = { pages: 0, seen: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0 };

export function importCallRecordsActivity(deps: { db: Kysely<Database>; client: AnalyticsClient }) {
  return async function importCallRecords(input: ImportCallRecordsInput): Promise<ImportCallRecordsResult> {
    const fromMs = Date.parse(input.from);
    const toMs = Date.parse(input.to);
    const resumed = activityInfo().heartbeatDetails as PagingCheckpoint | undefined;
    const { scrollId: _resumeAfter, ...resumedCounts } = resumed ?? { scrollId: undefined };
    const counts: ImportCounts = { ...ZERO_COUNTS, ...resumedCounts };
    if (resumed) log.info('resuming import from heartbeat checkpoint', { pbx: input.pbx, pages: resumed.pages });
    const context = { source: 'call-records', pbx: input.pbx, windowStart: new Date(fromMs), windowEnd: new Date(toMs) };
    let checkpoint: PagingCheckpoint | undefined = resumed;
    try {
      await keepAlive(() => checkpoint, async () => {
        const pages = deps.client.callRecordPages(
          input.tenantId,
          input.credentials,
          { pbx: input.pbx, fromMs, toMs, timeZone: input.timeZone, ...(resumed ? { resumeScrollId: resumed.scrollId } : {}) },
          cancellationSignal(),
        );
        for await (const page of pages) {
          const items = page.records.map((record, i) => ({ record, raw: page.raw[i] }));
          const written = await upsertCalls(deps.db, input.tenantId, items);
          counts.quarantined += await quarantineRecords(deps.db, input.tenantId, context, page.quarantined);
          counts.pages += 1;
          counts.seen += page.records.length;
          counts.inserted += written.inserted;
          counts.updated += written.updated;
          counts.unchanged += written.unchanged;
          // Only after the page is committed: a retry resumes after it, never before.
          if (page.scrollId) {
            checkpoint = { ...counts, scrollId: page.scrollId };
            heartbeat(checkpoint);
          }
        }
      });
    } catch (err) {
      throw toApplicationFailure(err);
    }
    await deps.db
      .insertInto('import_windows')
      .values({
        tenant_id: input.tenantId,
        pbx: input.pbx,
        window_start: new Date(fromMs),
        window_end: new Date(toMs),
        records_seen: counts.seen,
        records_inserted: counts.inserted,
        records_updated: counts.updated,
        records_quarantined: counts.quarantined,
        pages: counts.pages,
        completed_at: new Date(),
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'pbx', 'window_start', 'window_end']).doUpdateSet((eb) => ({
          records_seen: eb.ref('excluded.records_seen'),
          records_inserted: eb.ref('excluded.records_inserted'),
          records_updated: eb.ref('excluded.records_updated'),
          records_quarantined: eb.ref('excluded.records_quarantined'),
          pages: eb.ref('excluded.pages'),
          completed_at: eb.ref('excluded.completed_at'),
        })),
      )
      .execute();
    return { pbx: input.pbx, from: input.from, to: input.to, ...counts };
  };
}
