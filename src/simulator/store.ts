/**
 * Per-tenant call store: generated calls (computed per PBX per hour on demand, small LRU cache)
 * plus fault-injected late calls and corrections. Answers window/cursor queries in newest-first order
 * without ever touching calls outside the hours the window needs.
 */
import { buildDirectory, generateCall, generateSlot, slotCount, MAX_PBXES, type Directory, type PbxSpec } from './generator';
import { HOUR_MS, MAX_CALL_MS, compareCallsDesc, compareIdsDesc, isAfterCursor, type SimCall, type SimLeg } from './model';
import { Rng, seedOf } from './prng';

export interface PartyFilter {
  caller?: ReadonlySet<string>;
  callee?: ReadonlySet<string>;
  callerOrCallee?: ReadonlySet<string>;
}

export interface RecordCursor {
  start: number;
  callId: string;
}
export interface LegCursor extends RecordCursor {
  legId: number;
}

export interface WindowQuery {
  pbxIndexes: readonly number[];
  /** Inclusive instant bounds (ms). */
  fromMs: number;
  toMs: number;
  now: number;
  filter?: PartyFilter;
}

export interface LegQuery extends WindowQuery {
  isConnectTime: boolean;
  isSimplified: boolean;
}

export interface StoreConfig {
  seed: number;
  pbxes: readonly PbxSpec[];
  callsPerDay: number;
  historyStartMs: number;
  ingestDelayMs: number;
  internalDirection: string;
}

const SLOT_CACHE_MAX = 6_000;
/** Late calls get ids from a range generated ids never reach. */
const INJECTED_ID_BASE = 9_000_000_000_000;

function matchesFilter(caller: string, callee: string, f: PartyFilter | undefined): boolean {
  if (!f) return true;
  if (f.caller && !f.caller.has(caller)) return false;
  if (f.callee && !f.callee.has(callee)) return false;
  if (f.callerOrCallee && !f.callerOrCallee.has(caller) && !f.callerOrCallee.has(callee)) return false;
  return true;
}

function hasFilter(f: PartyFilter | undefined): boolean {
  return !!f && !!(f.caller || f.callee || f.callerOrCallee);
}

export class CallStore {
  readonly directories: readonly Directory[];
  readonly config: StoreConfig;
  readonly callsPerDayPerPbx: number;
  #slotCache = new Map<string, SimCall[]>();
  #extras = new Map<string, SimCall[]>();
  #corrections = new Map<string, number>();
  #injected = 0;
  #version = 0;
  #legCountCache = new Map<string, number>();

  constructor(config: StoreConfig) {
    if (config.pbxes.length === 0 || config.pbxes.length > MAX_PBXES) throw new Error(`a tenant needs 1..${MAX_PBXES} PBXes`);
    this.config = config;
    this.directories = config.pbxes.map((p, i) => buildDirectory(config.seed, i, p));
    this.callsPerDayPerPbx = config.callsPerDay / config.pbxes.length;
  }

  /** Increases whenever faults change data (late calls, corrections). */
  get version(): number {
    return this.#version;
  }

  pbxIndex(name: string): number {
    return this.directories.findIndex((d) => d.pbx === name);
  }

  isVisible(c: SimCall, now: number): boolean {
    return c.disconnect + this.config.ingestDelayMs <= now;
  }

  /** All calls of one PBX starting in UTC hour `hour` (generated + late), corrections applied, newest first. */
  slotCalls(pbxIndex: number, hour: number): SimCall[] {
    const key = `${pbxIndex}:${hour}`;
    const hit = this.#slotCache.get(key);
    if (hit) {
      this.#slotCache.delete(key);
      this.#slotCache.set(key, hit);
      return hit;
    }
    const dir = this.directories[pbxIndex];
    if (!dir) return [];
    let calls: SimCall[] = [];
    if ((hour + 1) * HOUR_MS > this.config.historyStartMs) {
      calls = generateSlot(this.config.seed, dir, hour, this.callsPerDayPerPbx, this.config.internalDirection);
      if (hour * HOUR_MS < this.config.historyStartMs) calls = calls.filter((c) => c.start >= this.config.historyStartMs);
    }
    const extra = this.#extras.get(key);
    if (extra) calls = [...calls, ...extra].sort(compareCallsDesc);
    if (this.#corrections.size > 0) calls = calls.map((c) => this.#corrected(c));
    this.#slotCache.set(key, calls);
    if (this.#slotCache.size > SLOT_CACHE_MAX) {
      const oldest = this.#slotCache.keys().next();
      if (!oldest.done) this.#slotCache.delete(oldest.value);
    }
    return calls;
  }

  #corrected(c: SimCall): SimCall {
    const delta = this.#corrections.get(c.callId);
    if (delta === undefined) return c;
    const legs = c.legs.map((l) => ({ ...l }));
    const last = legs.reduce((a, b) => (b.disconnect > a.disconnect ? b : a));
    last.disconnect += delta;
    if (last.connect > 0) last.talk += delta;
    return { ...c, legs, disconnect: c.disconnect + delta, talk: c.connect > 0 ? c.talk + delta : c.talk };
  }

  #changed(): void {
    this.#version++;
    this.#slotCache.clear();
    this.#legCountCache.clear();
  }

  /** Records a correction (e.g. talk time fixed later by 8x8): the call ends `deltaMs` later. */
  correctCall(callId: string, deltaMs: number): void {
    this.#corrections.set(callId, (this.#corrections.get(callId) ?? 0) + deltaMs);
    this.#changed();
  }

  /** Adds a call that "arrives late" with the given start; returns it. */
  addLateCall(pbxIndex: number, start: number, now: number): SimCall {
    const dir = this.directories[pbxIndex];
    if (!dir) throw new Error(`no PBX #${pbxIndex}`);
    const n = ++this.#injected;
    const rng = new Rng(seedOf(this.config.seed, 'late', n));
    let call = generateCall(rng, dir, String(INJECTED_ID_BASE + n), start, this.config.internalDirection);
    // A late call is complete when it appears: squeeze it to end before now if needed.
    const latestEnd = now - this.config.ingestDelayMs;
    if (call.disconnect > latestEnd && latestEnd > start) {
      const shift = call.disconnect - latestEnd;
      call = { ...call, disconnect: latestEnd, talk: call.connect > 0 ? Math.max(0, call.talk - shift) : 0 };
    }
    const key = `${pbxIndex}:${Math.floor(start / HOUR_MS)}`;
    const list = this.#extras.get(key) ?? [];
    list.push(call);
    this.#extras.set(key, list);
    this.#changed();
    return call;
  }

  /** Rows of [fromMs, toMs] (inclusive, on call start) after `cursor`, newest first, at most `limit`. */
  pageRecords(q: WindowQuery, cursor: RecordCursor | null, limit: number): SimCall[] {
    const out: SimCall[] = [];
    const from = Math.max(q.fromMs, this.config.historyStartMs);
    const upper = cursor ? Math.min(q.toMs, cursor.start) : q.toMs;
    if (upper < from) return out;
    const loH = Math.floor(from / HOUR_MS);
    for (let h = Math.floor(upper / HOUR_MS); h >= loH && out.length < limit; h--) {
      const bucket: SimCall[] = [];
      for (const p of q.pbxIndexes) {
        for (const c of this.slotCalls(p, h)) {
          if (c.start < from || c.start > q.toMs) continue;
          if (cursor && !isAfterCursor(c.start, c.callId, cursor)) continue;
          if (!this.isVisible(c, q.now) || !matchesFilter(c.caller, c.callee, q.filter)) continue;
          bucket.push(c);
        }
      }
      if (q.pbxIndexes.length > 1) bucket.sort(compareCallsDesc);
      for (const c of bucket) out.push(c);
    }
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Number of records matching the window now (cheap: full hours are counted without generating calls). */
  countRecords(q: WindowQuery): number {
    const from = Math.max(q.fromMs, this.config.historyStartMs);
    if (q.toMs < from) return 0;
    const filtered = hasFilter(q.filter);
    let total = 0;
    for (let h = Math.floor(from / HOUR_MS); h <= Math.floor(q.toMs / HOUR_MS); h++) {
      const hs = h * HOUR_MS;
      const whole = hs >= from && hs + HOUR_MS - 1 <= q.toMs && hs + HOUR_MS + MAX_CALL_MS + this.config.ingestDelayMs <= q.now;
      for (const p of q.pbxIndexes) {
        const dir = this.directories[p];
        if (!dir) continue;
        if (whole && !filtered && this.#corrections.size === 0) {
          total += slotCount(this.config.seed, dir, h, this.callsPerDayPerPbx);
          for (const e of this.#extras.get(`${p}:${h}`) ?? []) if (this.isVisible(e, q.now)) total++;
          continue;
        }
        for (const c of this.slotCalls(p, h)) {
          if (c.start >= from && c.start <= q.toMs && this.isVisible(c, q.now) && matchesFilter(c.caller, c.callee, q.filter)) total++;
        }
      }
    }
    return total;
  }

  #legInstant(l: SimLeg, q: LegQuery): number {
    return q.isConnectTime ? l.connect : l.disconnect;
  }

  #legMatches(c: SimCall, l: SimLeg, q: LegQuery): boolean {
    if (q.isSimplified && l.child) return false;
    const t = this.#legInstant(l, q);
    if (t === 0 || t < q.fromMs || t > q.toMs) return false;
    return this.isVisible(c, q.now) && matchesFilter(l.caller, l.callee, q.filter);
  }

  /** Legs filtered on disconnect (or connect) time, ordered by leg start desc, callId desc, legId desc. */
  pageLegs(q: LegQuery, cursor: LegCursor | null, limit: number): { call: SimCall; leg: SimLeg }[] {
    const out: { call: SimCall; leg: SimLeg }[] = [];
    const upper = cursor ? Math.min(q.toMs, cursor.start) : q.toMs;
    const lower = Math.max(q.fromMs - MAX_CALL_MS, this.config.historyStartMs);
    if (upper < lower) return out;
    const span = Math.ceil(MAX_CALL_MS / HOUR_MS);
    for (let h = Math.floor(upper / HOUR_MS); h >= Math.floor(lower / HOUR_MS) && out.length < limit; h--) {
      const bucket: { call: SimCall; leg: SimLeg }[] = [];
      for (const p of q.pbxIndexes) {
        for (let ch = h - span; ch <= h; ch++) {
          for (const c of this.slotCalls(p, ch)) {
            for (const l of c.legs) {
              if (Math.floor(l.start / HOUR_MS) !== h || !this.#legMatches(c, l, q)) continue;
              if (cursor && !isAfterLegCursor(l.start, c.callId, l.legId, cursor)) continue;
              bucket.push({ call: c, leg: l });
            }
          }
        }
      }
      bucket.sort(compareLegRowsDesc);
      for (const r of bucket) out.push(r);
    }
    return out.length > limit ? out.slice(0, limit) : out;
  }

  countLegs(q: LegQuery): number {
    const settled = q.toMs + this.config.ingestDelayMs + MAX_CALL_MS <= q.now;
    const f = q.filter;
    const key = JSON.stringify([
      q.pbxIndexes, q.fromMs, q.toMs, q.isConnectTime, q.isSimplified, settled ? 0 : q.now,
      f?.caller ? [...f.caller] : null, f?.callee ? [...f.callee] : null, f?.callerOrCallee ? [...f.callerOrCallee] : null,
    ]);
    const hit = this.#legCountCache.get(key);
    if (hit !== undefined) return hit;
    let total = 0;
    const lower = Math.max(q.fromMs - MAX_CALL_MS, this.config.historyStartMs);
    for (let h = Math.floor(lower / HOUR_MS); h <= Math.floor(q.toMs / HOUR_MS); h++) {
      for (const p of q.pbxIndexes) {
        for (const c of this.slotCalls(p, h)) for (const l of c.legs) if (this.#legMatches(c, l, q)) total++;
      }
    }
    if (this.#legCountCache.size > 1000) this.#legCountCache.clear();
    this.#legCountCache.set(key, total);
    return total;
  }
}

export function isAfterLegCursor(start: number, callId: string, legId: number, c: LegCursor): boolean {
  if (start !== c.start) return start < c.start;
  const byId = compareIdsDesc(callId, c.callId);
  if (byId !== 0) return byId > 0;
  return legId < c.legId;
}

function compareLegRowsDesc(a: { call: SimCall; leg: SimLeg }, b: { call: SimCall; leg: SimLeg }): number {
  if (a.leg.start !== b.leg.start) return b.leg.start - a.leg.start;
  const byId = compareIdsDesc(a.call.callId, b.call.callId);
  if (byId !== 0) return byId;
  return b.leg.legId - a.leg.legId;
}
