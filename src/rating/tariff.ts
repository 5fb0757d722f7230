/**
 * Compiles tariff rows into lookup structures for the hot path: per tariff group, its
 * versions sorted by effective date; per version and (direction, category) pair a digit
 * trie whose nodes hold one rate row per band.
 */
import { parseIsoDate } from './time';
import { BANDS, CATEGORIES, DIRECTIONS, type Band, type RateRow, type TariffGroupSettings } from './types';

/** Band slots in an entry: 0 = any, 1..4 = BANDS. */
export const BAND_SLOT: Readonly<Record<Band | 'any', number>> = { any: 0, peak: 1, offpeak: 2, weekend: 3, holiday: 4 };
export const SLOT_BAND: readonly (Band | 'any')[] = ['any', ...BANDS];
/** Fallback order per band: holiday → weekend → offpeak → any; weekend → offpeak → any; peak → any. */
export const BAND_FALLBACK: readonly (readonly number[])[] = [[0], [1, 0], [2, 0], [3, 2, 0], [4, 3, 2, 0]];

export interface PrefixEntry {
  readonly prefix: string;
  readonly bands: (RateRow | undefined)[];
}

/** Digit trie: node n's child for digit d is children[n * 10 + d] (0 = none; node 0 is the root). */
export class PrefixTrie {
  children = new Int32Array(10 * 64);
  entries: (PrefixEntry | undefined)[] = [undefined];
  private size = 1;

  entryFor(prefix: string): PrefixEntry {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const d = prefix.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new Error(`prefix ${JSON.stringify(prefix)} is not all digits`);
      let next = this.children[node * 10 + d]!;
      if (next === 0) {
        next = this.size++;
        if (next * 10 + 10 > this.children.length) {
          const grown = new Int32Array(this.children.length * 2);
          grown.set(this.children);
          this.children = grown;
        }
        this.children[node * 10 + d] = next;
        this.entries.push(undefined);
      }
      node = next;
    }
    let e = this.entries[node];
    if (!e) {
      e = { prefix, bands: [undefined, undefined, undefined, undefined, undefined] };
      this.entries[node] = e;
    }
    return e;
  }

  /** Longest entry whose prefix is a prefix of `digits`; undefined when none. */
  longest(digits: string): PrefixEntry | undefined {
    const children = this.children;
    const entries = this.entries;
    let node = 0;
    let best = entries[0];
    for (let i = 0; i < digits.length; i++) {
      const d = digits.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      node = children[node * 10 + d]!;
      if (node === 0) break;
      const e = entries[node];
      if (e !== undefined) best = e;
    }
    return best;
  }
}

export interface CompiledVersion {
  readonly effectiveFrom: string;
  readonly fromDay: number;
  /** Index: directionKey * CATEGORY_KEYS + categoryKey, where the last key of each is "any". */
  readonly tries: (PrefixTrie | undefined)[];
}

export interface CompiledGroup {
  readonly settings: TariffGroupSettings;
  /** Ascending by fromDay. */
  readonly versions: readonly CompiledVersion[];
  readonly holidayDays: ReadonlySet<number>;
  readonly peakMask: number;
  readonly weekendMask: number;
  readonly peakStartMs: number;
  readonly peakEndMs: number;
}

export type CompiledTariffs = ReadonlyMap<string, CompiledGroup>;

export const DIRECTION_KEYS = DIRECTIONS.length + 1;
export const CATEGORY_KEYS = CATEGORIES.length + 1;
export const DIRECTION_KEY: Readonly<Record<string, number>> = Object.fromEntries([...DIRECTIONS, 'any'].map((d, i) => [d, i]));
export const CATEGORY_KEY: Readonly<Record<string, number>> = Object.fromEntries([...CATEGORIES, 'any'].map((c, i) => [c, i]));

export class TariffCompileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`tariff is inconsistent: ${problems.join('; ')}`);
    this.name = 'TariffCompileError';
  }
}

function parseClock(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return (h * 60 + min) * 60_000;
}

/**
 * Builds the lookup structures. Throws TariffCompileError listing every inconsistency
 * (duplicate rows, unknown pools, minimum above maximum, unknown groups, bad settings).
 */
export function compileTariffs(rows: readonly RateRow[], settings: readonly TariffGroupSettings[]): CompiledTariffs {
  const problems: string[] = [];
  const bySettings = new Map<string, TariffGroupSettings>();
  for (const s of settings) {
    if (bySettings.has(s.tariffGroup)) problems.push(`tariff group ${s.tariffGroup} has settings twice`);
    bySettings.set(s.tariffGroup, s);
  }
  const versionsByGroup = new Map<string, Map<string, CompiledVersion>>();
  for (const row of rows) {
    const s = bySettings.get(row.tariffGroup);
    if (!s) {
      problems.push(`${row.source}: tariff group ${row.tariffGroup} has no settings`);
      continue;
    }
    if (row.includedPool !== null && s.includedPools[row.includedPool] === undefined) {
      problems.push(`${row.source}: included pool ${row.includedPool} is not defined for tariff group ${row.tariffGroup}`);
    }
    if (row.maximumChargeMicro !== null && row.maximumChargeMicro < row.minimumChargeMicro) {
      problems.push(`${row.source}: maximum charge is below the minimum charge`);
    }
    if (row.initialIncrement < 1 || row.subsequentIncrement < 1) problems.push(`${row.source}: increments must be at least 1 second`);
    const fromDay = parseIsoDate(row.effectiveFrom);
    if (fromDay === undefined) {
      problems.push(`${row.source}: effective_from ${row.effectiveFrom} is not a date`);
      continue;
    }
    let versions = versionsByGroup.get(row.tariffGroup);
    if (!versions) versionsByGroup.set(row.tariffGroup, (versions = new Map()));
    let v = versions.get(row.effectiveFrom);
    if (!v) {
      v = { effectiveFrom: row.effectiveFrom, fromDay, tries: new Array(DIRECTION_KEYS * CATEGORY_KEYS).fill(undefined) };
      versions.set(row.effectiveFrom, v);
    }
    const k = DIRECTION_KEY[row.direction]! * CATEGORY_KEYS + CATEGORY_KEY[row.category]!;
    let trie = v.tries[k];
    if (!trie) v.tries[k] = trie = new PrefixTrie();
    const entry = trie.entryFor(row.prefix);
    const slot = BAND_SLOT[row.band];
    const prev = entry.bands[slot];
    if (prev) {
      problems.push(`${row.source}: duplicates ${prev.source} (same group, effective date, direction, category, prefix and band)`);
    } else {
      entry.bands[slot] = row;
    }
  }
  const out = new Map<string, CompiledGroup>();
  for (const s of bySettings.values()) {
    const peakStartMs = parseClock(s.peakStart);
    const peakEndMs = parseClock(s.peakEnd);
    if (peakStartMs === undefined || peakEndMs === undefined || peakEndMs < peakStartMs) {
      problems.push(`tariff group ${s.tariffGroup}: peak period ${s.peakStart}-${s.peakEnd} is invalid`);
      continue;
    }
    const holidayDays = new Set<number>();
    for (const h of s.holidays) {
      const d = parseIsoDate(h);
      if (d === undefined) problems.push(`tariff group ${s.tariffGroup}: holiday ${h} is not a date`);
      else holidayDays.add(d);
    }
    if (!Number.isInteger(s.roundingDecimals) || s.roundingDecimals < 0 || s.roundingDecimals > 6) {
      problems.push(`tariff group ${s.tariffGroup}: rounding decimals must be 0..6`);
    }
    let peakMask = 0;
    let weekendMask = 0;
    for (const d of s.peakDays) peakMask |= 1 << d;
    for (const d of s.weekendDays) weekendMask |= 1 << d;
    const versions = [...(versionsByGroup.get(s.tariffGroup)?.values() ?? [])].sort((a, b) => a.fromDay - b.fromDay);
    out.set(s.tariffGroup, { settings: s, versions, holidayDays, peakMask, weekendMask, peakStartMs, peakEndMs });
  }
  if (problems.length > 0) throw new TariffCompileError(problems);
  return out;
}
