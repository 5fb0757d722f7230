import type { RoundingMode } from './money';

export const DIRECTIONS = ['outbound', 'inbound', 'internal'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Call categories. The first six are the ones billing teams price; the rest are classified so they are never guessed. */
export const CATEGORIES = [
  'local',
  'national',
  'mobile',
  'international',
  'toll_free',
  'internal',
  'shared_cost',
  'premium',
  'emergency',
  'short_code',
  'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const BANDS = ['peak', 'offpeak', 'weekend', 'holiday'] as const;
export type Band = (typeof BANDS)[number];

/** `start`: the band in force at answer prices the whole call. `split`: each second is priced at the band in force when it starts. */
export const BAND_RULES = ['start', 'split'] as const;
export type BandRule = (typeof BAND_RULES)[number];

/** `grace`: a call no longer than freeSeconds is free, a longer one is charged in full. `deduct`: the first freeSeconds of every call are not charged. */
export const FREE_SECONDS_MODES = ['grace', 'deduct'] as const;
export type FreeSecondsMode = (typeof FREE_SECONDS_MODES)[number];

/** One row of a tariff (rate deck): the price of a destination in one band of one version of a tariff group. */
export interface RateRow {
  readonly tariffGroup: string;
  /** Version of the tariff group: the local date (customer time zone) from which this deck applies. */
  readonly effectiveFrom: string;
  readonly direction: Direction | 'any';
  readonly category: Category | 'any';
  /** E.164 digits without "+"; "" matches every destination. */
  readonly prefix: string;
  readonly band: Band | 'any';
  readonly ratePerMinuteMicro: number;
  readonly connectFeeMicro: number;
  readonly minimumChargeMicro: number;
  readonly maximumChargeMicro: number | null;
  readonly freeSeconds: number;
  readonly freeSecondsMode: FreeSecondsMode;
  readonly initialIncrement: number;
  readonly subsequentIncrement: number;
  /** Name of an included-minutes pool of the tariff group consumed by this row's calls, or null. */
  readonly includedPool: string | null;
  readonly description: string;
  /** Where the row came from, e.g. "tariffs.csv:12". */
  readonly source: string;
}

/** Settings of a tariff group that apply to all its rows. */
export interface TariffGroupSettings {
  readonly tariffGroup: string;
  readonly currency: string;
  readonly bandRule: BandRule;
  /** Decimals of the per-call amount (0–6). */
  readonly roundingDecimals: number;
  readonly roundingMode: RoundingMode;
  /** ISO weekdays (1 = Monday) that have a peak period. */
  readonly peakDays: readonly number[];
  /** "HH:MM" local, inclusive. */
  readonly peakStart: string;
  /** "HH:MM" local, exclusive ("24:00" allowed). */
  readonly peakEnd: string;
  readonly weekendDays: readonly number[];
  /** Local dates "YYYY-MM-DD" rated in the holiday band. */
  readonly holidays: readonly string[];
  /** Included-minutes pools: name → seconds per billing period (calendar month, customer time zone). */
  readonly includedPools: Readonly<Record<string, number>>;
}

export function defaultGroupSettings(tariffGroup: string, currency = 'AUD'): TariffGroupSettings {
  return {
    tariffGroup,
    currency,
    bandRule: 'start',
    roundingDecimals: 4,
    roundingMode: 'half_up',
    peakDays: [1, 2, 3, 4, 5],
    peakStart: '08:00',
    peakEnd: '18:00',
    weekendDays: [6, 7],
    holidays: [],
    includedPools: {},
  };
}

/** What the engine needs to know about one call. Built from an 8x8 record by src/matching/call.ts. */
export interface RateRequest {
  readonly callId: string;
  readonly direction: Direction;
  readonly category: Category;
  /** Digits looked up in the prefix table (E.164 without "+", or the raw short code). */
  readonly destination: string;
  /** Call start, epoch ms (orders included-minutes consumption). */
  readonly startMs: number;
  /** Answer instant, epoch ms; 0 when the call was not answered. */
  readonly answerMs: number;
  /** Talk time in ms (answer to hang-up). */
  readonly talkMs: number;
}

/** Who is rated with what: the tariff group, the customer's time zone and the included-minutes scope. */
export interface RateScope {
  readonly tariffGroup: string;
  readonly timeZone: string;
  /** Included minutes are shared by all calls with the same scope (normally the customer id). */
  readonly poolScope: string;
}

export interface Span {
  readonly band: Band;
  /** The row that priced this span (its band may be a fallback such as "any"). */
  readonly rateBand: Band | 'any';
  readonly ratePerMinuteMicro: number;
  /** Billed seconds in this span. */
  readonly seconds: number;
  /** Of which covered by included minutes. */
  readonly includedSeconds: number;
  /** UTC ms at which the span starts. */
  readonly startMs: number;
}

export interface Derivation {
  readonly engine: 'cdrflow-rating/1';
  readonly note: 'charged' | 'unanswered' | 'zero_duration' | 'free_seconds' | 'included';
  readonly tariffGroup: string | null;
  readonly version: string | null;
  readonly currency: string;
  readonly timeZone: string;
  readonly direction: Direction;
  readonly category: Category;
  readonly destination: string;
  readonly matchedPrefix: string | null;
  readonly rate: RateRow | null;
  readonly bandRule: BandRule | null;
  readonly bandAtAnswer: Band | null;
  readonly durationSeconds: number;
  readonly freeSecondsApplied: number;
  readonly billedSeconds: number;
  readonly includedSecondsUsed: number;
  readonly pool: { readonly key: string; readonly allowanceSeconds: number; readonly remainingBefore: number; readonly remainingAfter: number } | null;
  readonly chargedSeconds: number;
  readonly spans: readonly Span[];
  readonly connectFeeMicro: number;
  /** Σ rate × seconds over spans, in micro/60. */
  readonly usage60: number;
  /** connect fee + usage, before minimum and maximum, in micro/60. */
  readonly subtotal60: number;
  readonly minimumApplied: boolean;
  readonly maximumApplied: boolean;
  /** Exact amount before rounding, in micro/60. */
  readonly exact60: number;
  readonly roundingDecimals: number;
  readonly roundingMode: RoundingMode;
  readonly amountMicro: number;
}

export const UNRATED_REASONS = [
  'no_tariff_group',
  'no_tariff_version',
  'no_rate',
  'no_rate_for_band',
  'duration_out_of_range',
  'invalid_call',
] as const;
export type UnratedReason = (typeof UNRATED_REASONS)[number];

export interface RatedCall {
  readonly status: 'rated';
  readonly callId: string;
  readonly amountMicro: number;
  readonly currency: string;
  readonly derivation: Derivation;
}

export interface UnratedCall {
  readonly status: 'unrated';
  readonly callId: string;
  readonly reason: UnratedReason;
  readonly detail: string;
}

export type RateResult = RatedCall | UnratedCall;
