import { DateTime } from 'luxon';

/** `YYYY-MM-DD HH:MM:SS` of a UTC instant (whole seconds; callers round first). */
export function formatUtcSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Oldest instant 8x8 still serves (data is kept for 2 years; spec §8.3). */
export function retentionStartMs(nowMs: number): number {
  return DateTime.fromMillis(nowMs, { zone: 'UTC' }).minus({ years: 2 }).toMillis();
}

/**
 * Request bounds for a half-open window [fromMs, toMs).
 *
 * The server compares at second precision with an inclusive end (`start ≤ t ≤ end`, spec §8.1/§13), so
 * we send `startTime = floor(from)` and `endTime = ceil(to)`: no second is ever lost and consecutive
 * contiguous windows (end = next start) overlap only at the single boundary instant. A call starting
 * exactly on that instant can be returned by both windows; storage upserts by callId, so it is never
 * counted twice. Never use `…:59` ends.
 */
export function requestBounds(fromMs: number, toMs: number): { startTime: string; endTime: string } {
  return {
    startTime: formatUtcSeconds(Math.floor(fromMs / 1000) * 1000),
    endTime: formatUtcSeconds(Math.ceil(toMs / 1000) * 1000),
  };
}
