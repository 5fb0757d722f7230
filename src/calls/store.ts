import { sql, type Kysely } from 'kysely';
import type { Database, NewCallRow } from '../db/schema';
import { contentHash } from './canonical-json';

/** The fields of a validated 8x8 call record that billing needs as typed columns. */
export interface StorableCallRecord {
  callId: string;
  pbxId: string;
  direction: string;
  startTimeUTC: number;
  connectTimeUTC: number;
  disconnectedTimeUTC: number;
  talkTimeMS: number;
  callTime: number;
  caller: string;
  callee: string;
  callerId: string;
  dnis: string;
  answered: string;
  missed: string;
  abandoned: string;
  callLegCount: number;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

// 22 parameters per row; PostgreSQL allows 65,535 per statement.
const ROWS_PER_STATEMENT = 2000;

/**
 * Stores records by their natural key (tenant, callId). A record seen before with the same
 * content is left untouched; one whose content changed is updated and its revision bumped.
 * Safe to repeat: a retried page or a re-imported window never duplicates.
 */
export async function upsertCalls(
  db: Kysely<Database>,
  tenantId: string,
  items: readonly { record: StorableCallRecord; raw: unknown }[],
): Promise<UpsertCounts> {
  const byId = new Map<string, NewCallRow>();
  const now = new Date();
  for (const { record, raw } of items) byId.set(record.callId, toRow(tenantId, record, raw, now));
  const rows = [...byId.values()];
  const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: items.length - rows.length };
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const written = await db
      .insertInto('calls')
      .values(chunk)
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'call_id'])
          .doUpdateSet((eb) => ({
            pbx_name: eb.ref('excluded.pbx_name'),
            direction: eb.ref('excluded.direction'),
            start_time_utc: eb.ref('excluded.start_time_utc'),
            connect_time_utc: eb.ref('excluded.connect_time_utc'),
            disconnected_time_utc: eb.ref('excluded.disconnected_time_utc'),
            talk_time_ms: eb.ref('excluded.talk_time_ms'),
            call_time_ms: eb.ref('excluded.call_time_ms'),
            caller: eb.ref('excluded.caller'),
            callee: eb.ref('excluded.callee'),
            caller_id: eb.ref('excluded.caller_id'),
            dnis: eb.ref('excluded.dnis'),
            answered: eb.ref('excluded.answered'),
            missed: eb.ref('excluded.missed'),
            abandoned: eb.ref('excluded.abandoned'),
            leg_count: eb.ref('excluded.leg_count'),
            raw: eb.ref('excluded.raw'),
            content_hash: eb.ref('excluded.content_hash'),
            updated_at: eb.ref('excluded.updated_at'),
            revision: sql<number>`calls.revision + 1`,
          }))
          .where('calls.content_hash', '<>', (eb) => eb.ref('excluded.content_hash')),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    const inserted = written.filter((w) => w.inserted).length;
    counts.inserted += inserted;
    counts.updated += written.length - inserted;
    counts.unchanged += chunk.length - written.length;
  }
  return counts;
}

function toRow(tenantId: string, r: StorableCallRecord, raw: unknown, now: Date): NewCallRow {
  return {
    tenant_id: tenantId,
    call_id: r.callId,
    pbx_name: r.pbxId,
    direction: r.direction,
    start_time_utc: new Date(r.startTimeUTC),
    connect_time_utc: r.connectTimeUTC > 0 ? new Date(r.connectTimeUTC) : null,
    disconnected_time_utc: new Date(r.disconnectedTimeUTC),
    talk_time_ms: r.talkTimeMS,
    call_time_ms: r.callTime,
    caller: r.caller,
    callee: r.callee,
    caller_id: r.callerId,
    dnis: r.dnis,
    answered: r.answered === 'Answered',
    missed: r.missed === 'Missed',
    abandoned: r.abandoned === 'Abandoned',
    leg_count: r.callLegCount,
    raw: JSON.stringify(raw),
    content_hash: contentHash(raw),
    updated_at: now,
  };
}

export interface QuarantineItem {
  reason: string;
  raw: unknown;
}

/** Keeps records that failed validation, once each, with the reason. Returns how many were new. */
export async function quarantineRecords(
  db: Kysely<Database>,
  tenantId: string,
  context: { source: string; pbx: string; windowStart: Date; windowEnd: Date },
  items: readonly QuarantineItem[],
): Promise<number> {
  if (items.length === 0) return 0;
  const rows = new Map(
    items.map((item) => {
      const rawHash = contentHash(item.raw ?? null);
      return [
        rawHash,
        {
          tenant_id: tenantId,
          source: context.source,
          pbx: context.pbx,
          window_start: context.windowStart,
          window_end: context.windowEnd,
          reason: item.reason,
          raw: JSON.stringify(item.raw ?? null),
          raw_hash: rawHash,
        },
      ] as const;
    }),
  );
  const written = await db
    .insertInto('quarantined_records')
    .values([...rows.values()])
    .onConflict((oc) => oc.columns(['tenant_id', 'source', 'raw_hash']).doNothing())
    .returning('id')
    .execute();
  return written.length;
}
