/**
 * Scriptable faults per simulated tenant (spec §13.6). Each transport fault is consumed per matching
 * request: `times` (default 1; `Infinity` = until cleared) after skipping `skip` matching requests.
 */

export type Endpoint = 'token' | 'call-records' | 'call-legs' | 'cdr' | 'pbxes';
/** 'data' = call-records, call-legs and cdr. */
export type EndpointSelector = Endpoint | 'data' | 'any';

export type TransportFault =
  /** Answer with this status instead (429 with optional Retry-After; 500/502/503 with a JSON or HTML body). */
  | { type: 'status'; status: number; json?: boolean; retryAfter?: string }
  /** Answer normally but only after `delayMs`. */
  | { type: 'slow'; delayMs: number }
  /** Accept the request and never answer (the client must time out). */
  | { type: 'stall' }
  /** Send a complete HTTP response whose JSON body is cut in half. */
  | { type: 'truncated_json' }
  /** Send headers and half the body, then reset the connection. */
  | { type: 'reset_mid_body' }
  /** 401 "Access token expired: <the presented token>" whatever token was sent. */
  | { type: 'token_expired' };

export interface FaultSchedule {
  endpoint?: EndpointSelector;
  /** How many matching requests to affect (default 1; Infinity = until cleared). */
  times?: number;
  /** Let this many matching requests through first (e.g. hit page 3 of a scroll). */
  skip?: number;
}

export interface ScheduledFault {
  fault: TransportFault;
  endpoint: EndpointSelector;
  remaining: number;
  skip: number;
}

export type MalformMode = 'missing_field' | 'bad_number' | 'negative_duration' | 'end_before_start' | 'tolerable';

export interface FaultHandle {
  clear(): void;
}

/** Mutable fault state of one tenant, read by the server. */
export class FaultState {
  transport: ScheduledFault[] = [];
  duplicatePages = 0;
  malformBudget = 0;
  malformMode: MalformMode = 'bad_number';
  readonly malformed = new Map<string, MalformMode>();
  lateArrivals: { count: number; remaining: number } | null = null;
  changeBudget = 0;
  changeDeltaMs = 7_000;
  expireAfterRequests: number | null = null;

  matchTransport(endpoint: Endpoint): TransportFault | null {
    for (const f of this.transport) {
      if (f.remaining <= 0) continue;
      const hit = f.endpoint === 'any' || f.endpoint === endpoint || (f.endpoint === 'data' && (endpoint === 'call-records' || endpoint === 'call-legs' || endpoint === 'cdr'));
      if (!hit) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.remaining--;
      return f.fault;
    }
    return null;
  }
}

/** Hooks the controller needs from the server for account-level faults. */
export interface TenantAccountHooks {
  setPassword(newPassword: string, revokeTokens: boolean): void;
  setHasOpenedAnalytics(v: boolean): void;
  setAccessLevel(level: 'Supervisor' | 'Essentials'): void;
  setPbxVisible(name: string, visible: boolean): void;
  setApiKeyActive(active: boolean): void;
  replaceApiKey(newKey: string): void;
  expireIssuedTokens(): void;
  addLateCall(pbx: string, startMs: number): { callId: string; start: number };
  correctCall(callId: string, deltaMs: number): void;
}

export class FaultController {
  readonly #state: FaultState;
  readonly #hooks: TenantAccountHooks;

  constructor(state: FaultState, hooks: TenantAccountHooks) {
    this.#state = state;
    this.#hooks = hooks;
  }

  /** Schedule any transport fault. */
  inject(fault: TransportFault, schedule: FaultSchedule = {}): FaultHandle {
    const entry: ScheduledFault = { fault, endpoint: schedule.endpoint ?? 'data', remaining: schedule.times ?? 1, skip: schedule.skip ?? 0 };
    this.#state.transport.push(entry);
    return { clear: () => void (entry.remaining = 0) };
  }
  /** 429 Too Many Requests, with `Retry-After` (seconds or HTTP-date) unless `retryAfter` is null. */
  rateLimit(opts: FaultSchedule & { retryAfter?: string | null } = {}): FaultHandle {
    const retryAfter = opts.retryAfter === undefined ? '1' : opts.retryAfter;
    return this.inject({ type: 'status', status: 429, json: true, ...(retryAfter === null ? {} : { retryAfter }) }, opts);
  }
  /** 500/502/503 with a Spring-style JSON body or (json=false) an HTML gateway page. */
  serverError(opts: FaultSchedule & { status?: 500 | 502 | 503 | 504; json?: boolean; retryAfter?: string } = {}): FaultHandle {
    return this.inject({ type: 'status', status: opts.status ?? 500, json: opts.json ?? true, ...(opts.retryAfter ? { retryAfter: opts.retryAfter } : {}) }, opts);
  }
  slow(delayMs: number, opts: FaultSchedule = {}): FaultHandle {
    return this.inject({ type: 'slow', delayMs }, opts);
  }
  stall(opts: FaultSchedule = {}): FaultHandle {
    return this.inject({ type: 'stall' }, opts);
  }
  truncatedJson(opts: FaultSchedule = {}): FaultHandle {
    return this.inject({ type: 'truncated_json' }, opts);
  }
  resetMidBody(opts: FaultSchedule = {}): FaultHandle {
    return this.inject({ type: 'reset_mid_body' }, opts);
  }

  /** The 8x8 user's password changes: the old one is rejected from now on. */
  rotatePassword(newPassword: string, opts: { revokeTokens?: boolean } = {}): void {
    this.#hooks.setPassword(newPassword, opts.revokeTokens ?? false);
  }
  /** The user has (not) opened Analytics for 8x8 Work in a browser yet (token → USER_NOTFOUND_ERROR). */
  neverOpenedAnalytics(never = true): void {
    this.#hooks.setHasOpenedAnalytics(!never);
  }
  /** Essentials users get 400 105-400-038 on CDR endpoints. */
  setAccessLevel(level: 'Supervisor' | 'Essentials'): void {
    this.#hooks.setAccessLevel(level);
  }
  hidePbx(name: string): void {
    this.#hooks.setPbxVisible(name, false);
  }
  showPbx(name: string): void {
    this.#hooks.setPbxVisible(name, true);
  }
  /** The API key stops working (SHA001 on token and GET). */
  revokeApiKey(): void {
    this.#hooks.setApiKeyActive(false);
  }
  restoreApiKey(): void {
    this.#hooks.setApiKeyActive(true);
  }
  /** A new key replaces the old one (old → SHA001). */
  replaceApiKey(newKey: string): void {
    this.#hooks.replaceApiKey(newKey);
  }
  /** Every token issued so far expires, now or after `afterRequests` more data requests (mid-scroll). */
  expireTokens(opts: { afterRequests?: number } = {}): void {
    const n = opts.afterRequests ?? 0;
    if (n <= 0) this.#hooks.expireIssuedTokens();
    else this.#state.expireAfterRequests = n;
  }
  /** The next `times` data requests get 401 "Access token expired: <token>" (echoing the token), valid or not. */
  rejectTokens(opts: FaultSchedule = {}): FaultHandle {
    return this.inject({ type: 'token_expired' }, opts);
  }
  /** The next `times` cursor pages also repeat the previous page's last row (same record on two pages). */
  duplicateRows(opts: { times?: number } = {}): void {
    this.#state.duplicatePages += opts.times ?? 1;
  }
  /** The next `count` call records served are corrupted, and stay corrupted on every later read. */
  malformRecords(opts: { count?: number; mode?: MalformMode } = {}): void {
    this.#state.malformBudget += opts.count ?? 1;
    this.#state.malformMode = opts.mode ?? 'bad_number';
  }
  /** When a call-records scroll reaches its end, `count` new calls appear inside that window (for `times` scrolls). */
  lateArrivals(opts: { count?: number; times?: number } = {}): void {
    this.#state.lateArrivals = { count: opts.count ?? 1, remaining: opts.times ?? 1 };
  }
  /** Adds one late call right now. */
  addLateCall(pbx: string, startMs: number): { callId: string; start: number } {
    return this.#hooks.addLateCall(pbx, startMs);
  }
  /** The next `count` call records served are corrected right after serving (talk time grows by `deltaMs`). */
  changeAfterServed(opts: { count?: number; deltaMs?: number } = {}): void {
    this.#state.changeBudget += opts.count ?? 1;
    this.#state.changeDeltaMs = opts.deltaMs ?? 7_000;
  }
  /** Corrects one call now. */
  correctCall(callId: string, deltaMs: number): void {
    this.#hooks.correctCall(callId, deltaMs);
  }
  /** Drops pending transport/paging faults (account state and data changes stay). */
  clear(): void {
    this.#state.transport = [];
    this.#state.duplicatePages = 0;
    this.#state.malformBudget = 0;
    this.#state.lateArrivals = null;
    this.#state.changeBudget = 0;
    this.#state.expireAfterRequests = null;
  }
}
