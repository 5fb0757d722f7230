import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TenantCredentials } from '../src/eightxeight/credentials';
import type { RangeReason } from './import-plan';

export type Phase = 'backfill' | 'continuous';
/** `awaiting_credentials` and `needs_attention` wait for a human; the others move by themselves. */
export type TenantState = 'importing' | 'waiting' | 'paused' | 'awaiting_credentials' | 'needs_attention';

export interface OperatorIssue {
  kind: string;
  message: string;
  operatorAction: string;
  pbx?: string;
  at: string;
}

/**
 * imported/updated/quarantined count the work of this tenant's import; matched/unmatched/rated/unrated
 * are the tenant's billing totals as of the end of the last cycle, plus the windows imported since.
 */
export interface TenantCounts {
  /** Calls stored for the first time. */
  imported: number;
  /** Calls 8x8 served again with changed content. */
  updated: number;
  quarantined: number;
  matched: number;
  unmatched: number;
  rated: number;
  unrated: number;
}

export interface TenantStatus {
  tenantId: string;
  phase: Phase;
  state: TenantState;
  /** Everything before this instant is imported for every PBX that is not blocked. */
  checkpoint: string;
  earliest: string;
  timeZone: string;
  cycleInterval: string;
  lookback: string;
  pbxes: { name: string; checkpoint: string; blocked?: OperatorIssue }[];
  pending: { from: string; to: string; reason: RangeReason; pbxes?: string[] }[];
  counts: TenantCounts;
  lastCycle: { startedAt: string; finishedAt: string; imported: number } | null;
  lastError: OperatorIssue | null;
  /** Set while calls are imported but cannot be matched or rated (no billing reference data). */
  billingIssue: OperatorIssue | null;
  notices: string[];
  /** Who the workflow signs in as; the password and API key are never shown. */
  credentials: { username: string; version: number };
}

export interface CredentialsUpdate {
  apiKey?: string;
  username?: string;
  password?: string;
}

export interface ReimportRequest {
  /** ISO-8601 instants or YYYY-MM-DD dates (taken in the tenant's time zone); [from, to). */
  from: string;
  to: string;
}

export const statusQuery = defineQuery<TenantStatus>('status');

/** Admins rotate credentials: a parked tenant resumes from its checkpoint. Partial updates allowed. */
export const updateCredentialsSignal = defineSignal<[CredentialsUpdate]>('updateCredentials');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Start the next cycle now instead of waiting for the interval. */
export const runNowSignal = defineSignal('runNow');

/** Checks new credentials against 8x8 first; answers the caller and keeps the old ones when rejected. */
export const rotateCredentialsUpdate = defineUpdate<{ accepted: true; version: number }, [TenantCredentials]>('rotateCredentials');
export const reimportRangeUpdate = defineUpdate<{ queued: { from: string; to: string } }, [ReimportRequest]>('reimportRange');
export const setCycleIntervalUpdate = defineUpdate<{ cycleInterval: string }, [string]>('setCycleInterval');
