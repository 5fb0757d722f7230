import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** One row per 8x8 call record, keyed by its natural key (tenant, callId). */
export interface CallsTable {
  tenant_id: string;
  call_id: string;
  pbx_name: string;
  direction: string;
  start_time_utc: Timestamp;
  connect_time_utc: Timestamp | null;
  disconnected_time_utc: Timestamp;
  talk_time_ms: number;
  call_time_ms: number;
  caller: string;
  callee: string;
  caller_id: string;
  dnis: string;
  answered: boolean;
  missed: boolean;
  abandoned: boolean;
  leg_count: number;
  /** The record exactly as 8x8 sent it. */
  raw: unknown;
  /** sha256 of the canonical raw JSON: a changed record is detected, an unchanged one is left alone. */
  content_hash: string;
  /** Bumped each time 8x8 serves different content for the same call. */
  revision: Generated<number>;
  first_seen_at: CreatedAt;
  updated_at: Timestamp;
}

/** Records 8x8 sent that failed validation: kept with the reason, never dropped. */
export interface QuarantinedRecordsTable {
  id: Generated<string>;
  tenant_id: string;
  source: string;
  pbx: string;
  window_start: Timestamp;
  window_end: Timestamp;
  reason: string;
  raw: unknown;
  raw_hash: string;
  received_at: CreatedAt;
}

/** Every window an import activity completed: the durable trail behind the workflow's checkpoint. */
export interface ImportWindowsTable {
  tenant_id: string;
  pbx: string;
  window_start: Timestamp;
  window_end: Timestamp;
  records_seen: number;
  records_inserted: number;
  records_updated: number;
  records_quarantined: number;
  pages: number;
  completed_at: Timestamp;
}

export interface Database {
  calls: CallsTable;
  quarantined_records: QuarantinedRecordsTable;
  import_windows: ImportWindowsTable;
}

export type CallRow = Selectable<CallsTable>;
export type NewCallRow = Insertable<CallsTable>;
