/**
 * Exact money arithmetic for rating.
 *
 * Units (see docs/rating.md):
 * - A *micro* is 1/1,000,000 of a currency unit. Every price in a tariff (rate per minute,
 *   connect fee, minimum, maximum) is an integer number of micros.
 * - While a call is priced the running amount is kept in *sixtieths of a micro*
 *   ("micro/60"): `rateMicroPerMinute * seconds` is then an integer and nothing is lost.
 * - The amount is rounded exactly once, at the very end, to the tariff group's precision
 *   (default 4 decimals, half-up) and returned as an integer number of micros.
 *
 * Bounds (all arithmetic stays within Number.MAX_SAFE_INTEGER ≈ 9.007e15):
 * - prices ≤ MAX_PRICE_MICRO (1e9 micro = 1,000 currency units), enforced at load;
 * - billed seconds ≤ MAX_BILLED_SECONDS (1,000,000 s ≈ 11.6 days), enforced per call;
 * - so usage ≤ 1e9 · 1e6 = 1e15 and connect/min/max · 60 ≤ 6e10: sum < 1.1e15 < 9.007e15.
 */

export const MICRO_PER_UNIT = 1_000_000;
/** Largest price accepted in a tariff: 1,000.000000 currency units. */
export const MAX_PRICE_MICRO = 1_000_000_000;
/** Longest call (after increments) the engine will price; longer calls are unrated. */
export const MAX_BILLED_SECONDS = 1_000_000;

export const ROUNDING_MODES = ['half_up', 'up', 'down'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const MONEY_RE = /^(\d{1,4})(?:\.(\d{1,6}))?$/;

/**
 * Parses a non-negative decimal string with at most 6 decimals ("0.12", "1", "0.000125")
 * into micros. Returns an error message instead of throwing.
 */
export function parseMoneyMicro(text: string): { ok: true; micro: number } | { ok: false; error: string } {
  const t = text.trim();
  const m = MONEY_RE.exec(t);
  if (!m) return { ok: false, error: `invalid amount ${JSON.stringify(text)}: expected a non-negative decimal with at most 6 decimals` };
  const whole = Number(m[1]);
  const frac = Number(((m[2] ?? '') + '000000').slice(0, 6));
  const micro = whole * MICRO_PER_UNIT + frac;
  if (micro > MAX_PRICE_MICRO) return { ok: false, error: `amount ${t} exceeds the maximum of 1000` };
  return { ok: true, micro };
}

/** Formats integer micros as a decimal string with exactly `decimals` places (0–6). */
export function formatMicro(micro: number | bigint, decimals = 6): string {
  let v = BigInt(micro);
  const neg = v < 0n;
  if (neg) v = -v;
  const unit = BigInt(MICRO_PER_UNIT);
  const whole = v / unit;
  const frac = (v % unit).toString().padStart(6, '0');
  const cut = frac.slice(0, decimals);
  const dropped = frac.slice(decimals);
  if (/[1-9]/.test(dropped)) throw new Error(`formatMicro: ${micro} is not representable with ${decimals} decimals`);
  return (neg ? '-' : '') + whole.toString() + (decimals > 0 ? '.' + cut : '');
}

/** Parses a signed decimal string (≤ 6 decimals) into bigint micros; used for totals. */
export function parseMicroBig(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new Error(`invalid decimal ${JSON.stringify(text)}`);
  const v = BigInt(m[2]!) * 1_000_000n + BigInt(((m[3] ?? '') + '000000').slice(0, 6));
  return m[1] === '-' ? -v : v;
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000] as const;

/**
 * Rounds an exact amount expressed in micro/60 to `decimals` currency decimals and returns
 * integer micros. `amount60` must be a non-negative safe integer.
 */
export function roundAmount60(amount60: number, decimals: number, mode: RoundingMode): number {
  const step = POW10[6 - decimals];
  if (step === undefined) throw new Error(`invalid rounding decimals ${decimals}`);
  const d = 60 * step; // denominator of one rounding unit, in micro/60
  const q = Math.floor(amount60 / d);
  const r = amount60 - q * d;
  let units = q;
  if (r > 0) {
    if (mode === 'up') units = q + 1;
    else if (mode === 'half_up' && 2 * r >= d) units = q + 1;
  }
  return units * step;
}

/** Exact amount in micro/60 rendered as a reduced fraction of micros, e.g. "1234/3" or "500". */
export function formatExact60(amount60: number): string {
  const g = gcd(amount60, 60);
  const num = amount60 / g;
  const den = 60 / g;
  return den === 1 ? String(num) : `${num}/${den}`;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a) || 1;
}
