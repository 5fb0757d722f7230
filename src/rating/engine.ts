/**
 * The pure rating engine. Given a call (RateRequest), the customer's scope (tariff group,
 * time zone, included-minutes scope) and the compiled tariffs, it returns an exact amount
 * with its full derivation, or the reason the call could not be rated.
 *
 * Order of operations (the arithmetic contract, also in docs/rating.md):
 *  1. not answered → 0 (note "unanswered"); talk time 0 → 0 (note "zero_duration").
 *  2. duration = ceil(talkMs / 1000) seconds.
 *  3. version = latest effective_from ≤ local date of the answer instant (customer zone).
 *  4. rate row = longest prefix among rows for (direction|any, category|any); ties prefer
 *     the exact direction, then the exact category; within it the band at answer, falling
 *     back holiday → weekend → offpeak → any.
 *  5. free seconds: grace (duration ≤ free → 0, else charged in full) or deduct
 *     (the first free seconds are removed).
 *  6. billed = initial increment whole, remainder rounded up to the subsequent increment.
 *  7. included minutes cover the earliest billed seconds (pool per customer, per calendar
 *     month of the call's start in the customer zone).
 *  8. usage = Σ rate × charged seconds per span (band rule "start": one span; "split":
 *     a span per band, split at peak edges, midnight and UTC-offset changes).
 *  9. fully included → 0. Otherwise subtotal = connect fee + usage; raised to the minimum,
 *     then capped at the maximum.
 * 10. rounded once to the group's decimals and mode. Everything before is exact integers in
 *     micro/60 (see money.ts for the bounds).
 */
import { MAX_BILLED_SECONDS, roundAmount60 } from './money';
import { BAND_FALLBACK, CATEGORY_KEY, CATEGORY_KEYS, DIRECTION_KEY, SLOT_BAND, type CompiledGroup, type CompiledTariffs, type PrefixEntry } from './tariff';
import { DAY_MS, periodOfDay, zoneClock, type ZoneClock } from './time';
import type { Band, Derivation, RateRequest, RateResult, RateRow, RateScope, Span, UnratedCall, UnratedReason } from './types';

// Local aliases: the CommonJS output reaches imported bindings through getter calls, which
// costs ~30% of the hot path; these module-level constants are read directly.
const DIR_KEY = DIRECTION_KEY;
const CAT_KEY = CATEGORY_KEY;
const CAT_KEYS = CATEGORY_KEYS;
const FALLBACK = BAND_FALLBACK;
const SLOT_TO_BAND = SLOT_BAND;
const DAY = DAY_MS;
const MAX_SECONDS = MAX_BILLED_SECONDS;
const round60 = roundAmount60;
const clockOf = zoneClock;
const periodOf = periodOfDay;
const ANY_DIRECTION = DIR_KEY['any']!;
const ANY_CATEGORY = CAT_KEY['any']!;

/**
 * Included-minutes consumption per pool key ("scope|pool|YYYY-MM"). Rating the same calls
 * in the same order (start time, then call id: see sortForRating) from the same ledger
 * state always gives the same result.
 */
export class PoolLedger {
  private readonly used = new Map<string, number>();

  constructor(initial?: Readonly<Record<string, number>>) {
    if (initial) for (const [k, v] of Object.entries(initial)) this.used.set(k, v);
  }

  usedSeconds(key: string): number {
    return this.used.get(key) ?? 0;
  }

  consume(key: string, seconds: number): void {
    if (seconds > 0) this.used.set(key, this.usedSeconds(key) + seconds);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.used.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** The deterministic rating order: start time, then call id. */
export function compareForRating(a: { startMs: number; callId: string }, b: { startMs: number; callId: string }): number {
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  return a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;
}

function unrated(callId: string, reason: UnratedReason, detail: string): UnratedCall {
  return { status: 'unrated', callId, reason, detail };
}

/** Band slot (1..4, see BAND_SLOT) of a local wall-clock instant. */
export function bandSlotAt(g: CompiledGroup, localMs: number): number {
  const day = Math.floor(localMs / DAY);
  if (g.holidayDays.has(day)) return 4;
  const wd = ((((day + 3) % 7) + 7) % 7) + 1;
  if ((g.weekendMask >> wd) & 1) return 3;
  if ((g.peakMask >> wd) & 1) {
    const ms = localMs - day * DAY;
    if (ms >= g.peakStartMs && ms < g.peakEndMs) return 1;
  }
  return 2;
}

function rowForSlot(entry: PrefixEntry, slot: number): RateRow | undefined {
  const chain = FALLBACK[slot]!;
  for (let i = 0; i < chain.length; i++) {
    const r = entry.bands[chain[i]!];
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * UTC instant of the next possible band change after `utcMs` (peak edge, midnight or offset
 * change). `off0` is the zone offset at `utcMs` (passed in: the caller already has it).
 */
function nextBoundaryUtc(g: CompiledGroup, clock: ZoneClock, utcMs: number, off0: number): number {
  const local = utcMs + off0 * 60_000;
  const dayStart = Math.floor(local / DAY) * DAY;
  let next = dayStart + DAY;
  const ps = dayStart + g.peakStartMs;
  const pe = dayStart + g.peakEndMs;
  if (ps > local && ps < next) next = ps;
  if (pe > local && pe < next) next = pe;
  const cand = utcMs + (next - local);
  if (clock.offsetMinutes(cand) === off0) return cand;
  // The UTC offset changes before the wall-clock boundary: split at the exact change instant.
  let lo = utcMs;
  let hi = cand;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (clock.offsetMinutes(mid) === off0) lo = mid;
    else hi = mid;
  }
  return hi;
}

export function findEntry(version: CompiledGroup['versions'][number], req: RateRequest): PrefixEntry | undefined {
  const dk = DIR_KEY[req.direction];
  const ck = CAT_KEY[req.category];
  if (dk === undefined || ck === undefined) return undefined;
  const tries = version.tries;
  let best: PrefixEntry | undefined;
  // Order matters for ties: exact direction first, then exact category.
  const t0 = tries[dk * CAT_KEYS + ck];
  const t1 = tries[dk * CAT_KEYS + ANY_CATEGORY];
  const t2 = tries[ANY_DIRECTION * CAT_KEYS + ck];
  const t3 = tries[ANY_DIRECTION * CAT_KEYS + ANY_CATEGORY];
  if (t0 !== undefined) best = t0.longest(req.destination);
  if (t1 !== undefined) {
    const e = t1.longest(req.destination);
    if (e !== undefined && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  }
  if (t2 !== undefined) {
    const e = t2.longest(req.destination);
    if (e !== undefined && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  }
  if (t3 !== undefined) {
    const e = t3.longest(req.destination);
    if (e !== undefined && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  }
  return best;
}

interface ZeroParts {
  note: Derivation['note'];
  group: CompiledGroup | undefined;
  version: string | null;
  row: RateRow | null;
  prefix: string | null;
  bandAtAnswer: Band | null;
  durationSeconds: number;
  freeSecondsApplied: number;
}

function zero(req: RateRequest, scope: RateScope, p: ZeroParts): RateResult {
  const s = p.group?.settings;
  return {
    status: 'rated',
    callId: req.callId,
    amountMicro: 0,
    currency: s?.currency ?? '',
    derivation: {
      engine: 'cdrflow-rating/1',
      note: p.note,
      tariffGroup: p.group ? scope.tariffGroup : null,
      version: p.version,
      currency: s?.currency ?? '',
      timeZone: scope.timeZone,
      direction: req.direction,
      category: req.category,
      destination: req.destination,
      matchedPrefix: p.prefix,
      rate: p.row,
      bandRule: s?.bandRule ?? null,
      bandAtAnswer: p.bandAtAnswer,
      durationSeconds: p.durationSeconds,
      freeSecondsApplied: p.freeSecondsApplied,
      billedSeconds: 0,
      includedSecondsUsed: 0,
      pool: null,
      chargedSeconds: 0,
      spans: [],
      connectFeeMicro: 0,
      usage60: 0,
      subtotal60: 0,
      minimumApplied: false,
      maximumApplied: false,
      exact60: 0,
      roundingDecimals: s?.roundingDecimals ?? 0,
      roundingMode: s?.roundingMode ?? 'half_up',
      amountMicro: 0,
    },
  };
}

/**
 * Rates one call. `ledger` holds included-minutes consumption and is updated when the call
 * uses a pool; to reproduce results, rate calls in compareForRating order from the same state.
 * Never throws for bad call data: such calls come back unrated with the reason.
 */
export function rateCall(req: RateRequest, tariffs: CompiledTariffs, scope: RateScope, ledger: PoolLedger): RateResult {
  const group = tariffs.get(scope.tariffGroup);
  const base: ZeroParts = { note: 'unanswered', group, version: null, row: null, prefix: null, bandAtAnswer: null, durationSeconds: 0, freeSecondsApplied: 0 };
  if (!(req.answerMs > 0)) return zero(req, scope, base);
  if (!Number.isSafeInteger(req.talkMs) || req.talkMs < 0) {
    return unrated(req.callId, 'invalid_call', `talk time ${req.talkMs} ms is not a non-negative integer`);
  }
  if (req.talkMs === 0) return zero(req, scope, { ...base, note: 'zero_duration' });
  if (!group) return unrated(req.callId, 'no_tariff_group', `tariff group ${JSON.stringify(scope.tariffGroup)} is not defined`);
  const s = group.settings;
  const clock = clockOf(scope.timeZone);
  const durationSeconds = Math.ceil(req.talkMs / 1000);
  if (durationSeconds > MAX_SECONDS) {
    return unrated(req.callId, 'duration_out_of_range', `duration ${durationSeconds} s exceeds ${MAX_SECONDS} s`);
  }
  const answerLocal = clock.localMs(req.answerMs);
  const answerDay = Math.floor(answerLocal / DAY);
  const versions = group.versions;
  let vi = versions.length - 1;
  while (vi >= 0 && versions[vi]!.fromDay > answerDay) vi--;
  if (vi < 0) return unrated(req.callId, 'no_tariff_version', `tariff group ${scope.tariffGroup} has no version in force on the call's local date`);
  const version = versions[vi]!;
  const entry = findEntry(version, req);
  if (entry === undefined) {
    return unrated(req.callId, 'no_rate', `tariff group ${scope.tariffGroup} version ${version.effectiveFrom} has no rate for ${req.direction} ${req.category} ${req.destination || '(no number)'}`);
  }
  const slot = bandSlotAt(group, answerLocal);
  const bandAtAnswer = SLOT_TO_BAND[slot] as Band;
  const row = rowForSlot(entry, slot);
  if (row === undefined) {
    return unrated(req.callId, 'no_rate_for_band', `prefix "${entry.prefix}" of tariff group ${scope.tariffGroup} version ${version.effectiveFrom} has no rate for band ${bandAtAnswer}`);
  }
  const zp: ZeroParts = { note: 'free_seconds', group, version: version.effectiveFrom, row, prefix: entry.prefix, bandAtAnswer, durationSeconds, freeSecondsApplied: 0 };

  // Free seconds.
  let effective = durationSeconds;
  let freeApplied = 0;
  if (row.freeSeconds > 0) {
    if (row.freeSecondsMode === 'grace') {
      if (durationSeconds <= row.freeSeconds) return zero(req, scope, { ...zp, freeSecondsApplied: durationSeconds });
    } else {
      freeApplied = Math.min(row.freeSeconds, durationSeconds);
      effective = durationSeconds - freeApplied;
      if (effective === 0) return zero(req, scope, { ...zp, freeSecondsApplied: freeApplied });
    }
  }

  // Increments: the initial interval is charged whole, the rest in whole subsequent intervals.
  const ini = row.initialIncrement;
  const sub = row.subsequentIncrement;
  const billed = effective <= ini ? ini : ini + Math.ceil((effective - ini) / sub) * sub;
  if (billed > MAX_SECONDS) {
    return unrated(req.callId, 'duration_out_of_range', `billed duration ${billed} s exceeds ${MAX_SECONDS} s`);
  }

  // Included minutes.
  let covered = 0;
  let pool: Derivation['pool'] = null;
  if (row.includedPool !== null) {
    const allowance = s.includedPools[row.includedPool] ?? 0;
    // The pool period is the calendar month of the call's start (the order key), in the customer zone.
    const key = `${scope.poolScope}|${row.includedPool}|${periodOf(Math.floor(clock.localMs(req.startMs) / DAY))}`;
    const before = Math.max(0, allowance - ledger.usedSeconds(key));
    covered = Math.min(before, billed);
    ledger.consume(key, covered);
    pool = { key, allowanceSeconds: allowance, remainingBefore: before, remainingAfter: before - covered };
  }

  // Spans.
  const firstStart = req.answerMs + freeApplied * 1000;
  const spans: Span[] = [];
  let usage60 = 0;
  let coverLeft = covered;
  if (s.bandRule === 'start') {
    const inc = coverLeft;
    spans.push({ band: bandAtAnswer, rateBand: row.band, ratePerMinuteMicro: row.ratePerMinuteMicro, seconds: billed, includedSeconds: inc, startMs: firstStart });
    usage60 = row.ratePerMinuteMicro * (billed - inc);
  } else {
    let t = firstStart;
    let remaining = billed;
    while (remaining > 0) {
      const off = clock.offsetMinutes(t);
      const sl = bandSlotAt(group, t + off * 60_000);
      const r = rowForSlot(entry, sl);
      const band = SLOT_TO_BAND[sl] as Band;
      if (r === undefined) {
        return unrated(req.callId, 'no_rate_for_band', `prefix "${entry.prefix}" of tariff group ${scope.tariffGroup} version ${version.effectiveFrom} has no rate for band ${band} (reached during the call)`);
      }
      const boundary = nextBoundaryUtc(group, clock, t, off);
      const n = Math.min(remaining, Math.max(1, Math.ceil((boundary - t) / 1000)));
      const inc = Math.min(coverLeft, n);
      coverLeft -= inc;
      usage60 += r.ratePerMinuteMicro * (n - inc);
      const last = spans[spans.length - 1];
      if (last !== undefined && last.band === band && last.ratePerMinuteMicro === r.ratePerMinuteMicro && last.rateBand === r.band) {
        spans[spans.length - 1] = { ...last, seconds: last.seconds + n, includedSeconds: last.includedSeconds + inc };
      } else {
        spans.push({ band, rateBand: r.band, ratePerMinuteMicro: r.ratePerMinuteMicro, seconds: n, includedSeconds: inc, startMs: t });
      }
      t += n * 1000;
      remaining -= n;
    }
  }

  const charged = billed - covered;
  let connect = 0;
  let subtotal60 = 0;
  let exact60 = 0;
  let minApplied = false;
  let maxApplied = false;
  if (charged > 0) {
    connect = row.connectFeeMicro;
    subtotal60 = connect * 60 + usage60;
    exact60 = subtotal60;
    if (exact60 < row.minimumChargeMicro * 60) {
      exact60 = row.minimumChargeMicro * 60;
      minApplied = true;
    }
    if (row.maximumChargeMicro !== null && exact60 > row.maximumChargeMicro * 60) {
      exact60 = row.maximumChargeMicro * 60;
      maxApplied = true;
    }
  }
  const amountMicro = round60(exact60, s.roundingDecimals, s.roundingMode);
  return {
    status: 'rated',
    callId: req.callId,
    amountMicro,
    currency: s.currency,
    derivation: {
      engine: 'cdrflow-rating/1',
      note: charged > 0 ? 'charged' : 'included',
      tariffGroup: scope.tariffGroup,
      version: version.effectiveFrom,
      currency: s.currency,
      timeZone: scope.timeZone,
      direction: req.direction,
      category: req.category,
      destination: req.destination,
      matchedPrefix: entry.prefix,
      rate: row,
      bandRule: s.bandRule,
      bandAtAnswer,
      durationSeconds,
      freeSecondsApplied: freeApplied,
      billedSeconds: billed,
      includedSecondsUsed: covered,
      pool,
      chargedSeconds: charged,
      spans,
      connectFeeMicro: connect,
      usage60,
      subtotal60,
      minimumApplied: minApplied,
      maximumApplied: maxApplied,
      exact60,
      roundingDecimals: s.roundingDecimals,
      roundingMode: s.roundingMode,
      amountMicro,
    },
  };
}

/**
 * Recomputes the amount from a stored derivation alone (spans, fees, limits, rounding) —
 * what `explain` uses to show that the stored amount is reproducible.
 */
export function replayDerivation(d: Derivation): number {
  if (d.chargedSeconds === 0 || d.rate === null) return 0;
  let usage60 = 0;
  for (const sp of d.spans) usage60 += sp.ratePerMinuteMicro * (sp.seconds - sp.includedSeconds);
  let exact60 = d.rate.connectFeeMicro * 60 + usage60;
  exact60 = Math.max(exact60, d.rate.minimumChargeMicro * 60);
  if (d.rate.maximumChargeMicro !== null) exact60 = Math.min(exact60, d.rate.maximumChargeMicro * 60);
  return round60(exact60, d.roundingDecimals, d.roundingMode);
}

/** Rates calls in the deterministic order (start time, call id) sharing one ledger. Returns results in that order. */
export function rateInOrder<T extends { request: RateRequest; scope: RateScope }>(
  items: readonly T[],
  tariffs: CompiledTariffs,
  ledger: PoolLedger = new PoolLedger(),
): { item: T; result: RateResult }[] {
  const sorted = [...items].sort((a, b) => compareForRating(a.request, b.request));
  return sorted.map((item) => ({ item, result: rateCall(item.request, tariffs, item.scope, ledger) }));
}
