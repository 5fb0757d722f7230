/**
 * Time-zone arithmetic for the hot path: UTC instant → local wall clock in an IANA zone
 * without allocating per call.
 *
 * Offsets come from luxon (IANA database through Intl) and are cached per zone per
 * 15-minute UTC bucket. A bucket whose start and end offsets differ (a DST change inside
 * it) is not cached; such instants are asked of luxon directly, so the result is exact.
 */
import { IANAZone } from 'luxon';

const BUCKET_MS = 15 * 60 * 1000;
export const DAY_MS = 86_400_000;

export interface ZoneClock {
  readonly name: string;
  /** UTC offset in minutes at the instant `utcMs`. */
  offsetMinutes(utcMs: number): number;
  /** Local wall-clock milliseconds since 1970-01-01T00:00 local (i.e. utcMs + offset). */
  localMs(utcMs: number): number;
}

const zones = new Map<string, ZoneClock>();

export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

export function zoneClock(name: string): ZoneClock {
  const hit = zones.get(name);
  if (hit) return hit;
  if (!IANAZone.isValidZone(name)) throw new Error(`unknown time zone ${JSON.stringify(name)}`);
  const zone = IANAZone.create(name);
  const cache = new Map<number, number>();
  const offsetMinutes = (utcMs: number): number => {
    const b = Math.floor(utcMs / BUCKET_MS);
    const c = cache.get(b);
    if (c !== undefined) return c;
    const start = zone.offset(b * BUCKET_MS);
    const end = zone.offset(b * BUCKET_MS + BUCKET_MS - 1);
    if (start === end) {
      cache.set(b, start);
      return start;
    }
    return zone.offset(utcMs);
  };
  const clock: ZoneClock = {
    name,
    offsetMinutes,
    localMs: (utcMs) => utcMs + offsetMinutes(utcMs) * 60_000,
  };
  zones.set(name, clock);
  return clock;
}

/** Local day number (days since 1970-01-01 local) of a local-ms value. */
export function dayNumber(localMs: number): number {
  return Math.floor(localMs / DAY_MS);
}

/** ISO weekday 1 = Monday … 7 = Sunday of a day number (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Civil date of a day number (proleptic Gregorian), integer-only. */
export function civilFromDays(day: number): { y: number; m: number; d: number } {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d };
}

/** Day number of a civil date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Parses "YYYY-MM-DD" into a day number, or undefined when not a real date. */
export function parseIsoDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const day = daysFromCivil(y, mo, d);
  const back = civilFromDays(day);
  return back.y === y && back.m === mo && back.d === d ? day : undefined;
}

export function formatDay(day: number): string {
  const { y, m, d } = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "YYYY-MM" billing period of a local day number (calendar month). */
export function periodOfDay(day: number): string {
  const { y, m } = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

/** Local ISO rendering of a UTC instant in a zone, e.g. "2025-04-06T02:30:00+10:00" (for explain). */
export function formatLocal(utcMs: number, clock: ZoneClock): string {
  const off = clock.offsetMinutes(utcMs);
  const local = utcMs + off * 60_000;
  const day = dayNumber(local);
  const msOfDay = local - day * DAY_MS;
  const hh = Math.floor(msOfDay / 3_600_000);
  const mm = Math.floor((msOfDay % 3_600_000) / 60_000);
  const ss = Math.floor((msOfDay % 60_000) / 1000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${formatDay(day)}T${p(hh)}:${p(mm)}:${p(ss)}${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}
