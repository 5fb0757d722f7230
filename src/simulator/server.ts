/**
 * A faithful local HTTP simulator of the Analytics for 8x8 Work CDR API (spec §13).
 * Listens on 127.0.0.1 only. Data is generated on demand (see generator.ts); faults are scriptable per tenant.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime, IANAZone } from 'luxon';
import type { Country } from './numbers';
import { FaultController, FaultState, type Endpoint, type MalformMode, type TransportFault } from './faults';
import { CallStore, type LegCursor, type PartyFilter, type RecordCursor, type WindowQuery } from './store';
import { renderLeg, renderRecord, timeRenderer } from './render';
import { HOUR_MS, type SimCall } from './model';
import { Rng, hashString, seedOf } from './prng';

export interface SimulatorTenantConfig {
  /** Slug, e.g. 'acme' (also the prefix inside scrollIds). */
  tenantId: string;
  apiKey: string;
  username: string;
  password: string;
  pbxes: { name: string; country: Country; timeZone: string; extensions?: number }[];
  seed: number;
  /** Average calls per day over the whole tenant (busy hours and quiet nights modulate it). */
  callsPerDay: number;
  /** Earliest call (default: simulator clock at start − 2 years). */
  historyStartMs?: number;
  /** A call becomes visible once disconnectedTimeUTC + delay <= now (default 0). */
  ingestDelayMs?: number;
  userAccessLevel?: 'Supervisor' | 'Essentials';
  hasOpenedAnalytics?: boolean;
  /** PBX names the user may see (default: all). */
  visiblePbxes?: string[];
}

export interface SimulatorOptions {
  tenants: SimulatorTenantConfig[];
  now?: () => number;
  port?: number;
  /** Only loopback is allowed; default 127.0.0.1. */
  host?: string;
  /** Default 1800 (as documented). */
  tokenTtlSeconds?: number;
  /** Status for rejected credentials at the token endpoint: 400 invalid_grant (documented, default) or 401 (client C3's world). */
  tokenAuthFailureStatus?: 400 | 401;
  /** `direction` value for internal calls; undocumented [ASSUME] (default 'Internal'). */
  internalDirection?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  tenantId?: string;
}

interface TokenInfo {
  tenantId: string;
  serial: number;
  expMs: number;
}

interface TenantState {
  config: SimulatorTenantConfig;
  apiKey: string;
  apiKeyActive: boolean;
  password: string;
  hasOpenedAnalytics: boolean;
  accessLevel: 'Supervisor' | 'Essentials';
  visible: Set<string>;
  store: CallStore;
  faults: FaultState;
  controller: FaultController;
  /** Tokens with serial <= this are expired (fault) . */
  expiredThroughSerial: number;
  revokedThroughSerial: number;
  pbxIds: Map<string, string>;
  lateRng: Rng;
}

const BASE_PATH = '/analytics/work';
const MAX_PAGE_SIZE = 7000;
const MAX_FILTER_VALUES = 125;
const TIME_FORMAT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const SPRING_PATH: Record<'call-records' | 'call-legs' | 'cdr', string> = {
  'call-records': '/api/analytics/report/external/v2/call-records',
  'call-legs': '/api/analytics/report/external/v2/call-legs',
  cdr: '/api/analytics/report/external/cdr',
};

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

export function encodeScrollId(tenantId: string, callId: string, startTimeUTC: number, legId?: number): string {
  return b64url(legId === undefined ? `${tenantId}_${callId}_${startTimeUTC}` : `${tenantId}_${callId}_${legId}_${startTimeUTC}`);
}

function pbxOpaqueId(seed: number, name: string): string {
  const rng = new Rng(seedOf(seed, 'pbxid', name));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 22; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

export class AnalyticsSimulator {
  readonly url: string;
  readonly #server: Server;
  readonly #tenants = new Map<string, TenantState>();
  readonly #tokens = new Map<string, TokenInfo>();
  readonly #now: () => number;
  readonly #tokenTtlMs: number;
  readonly #authFailureStatus: 400 | 401;
  readonly #log: RequestLogEntry[] = [];
  readonly #stalled = new Set<ServerResponse>();
  #tokenSerial = 0;

  private constructor(server: Server, url: string, options: SimulatorOptions) {
    this.#server = server;
    this.url = url;
    this.#now = options.now ?? Date.now;
    this.#tokenTtlMs = (options.tokenTtlSeconds ?? 1800) * 1000;
    this.#authFailureStatus = options.tokenAuthFailureStatus ?? 400;
    const now = this.#now();
    for (const t of options.tenants) this.#addTenant(t, now, options.internalDirection ?? 'Internal');
  }

  static async start(options: SimulatorOptions): Promise<AnalyticsSimulator> {
    const host = options.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') throw new Error('the simulator listens on loopback only');
    const server = createServer();
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const sim = new AnalyticsSimulator(server, `http://${hostPart}:${addr.port}${BASE_PATH}`, options);
    server.on('request', (req, res) => sim.#handle(req, res));
    return sim;
  }

  async stop(): Promise<void> {
    for (const r of this.#stalled) r.destroy();
    this.#stalled.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  get requestLog(): readonly RequestLogEntry[] {
    return this.#log;
  }

  /** Tokens issued so far (tests use them to prove no token leaks into logs or errors). */
  issuedTokens(): string[] {
    return [...this.#tokens.keys()];
  }

  clearRequestLog(): void {
    this.#log.length = 0;
  }

  faults(tenantId: string): FaultController {
    return this.#tenant(tenantId).controller;
  }

  /** The tenant's PBX list as the API gives it (opaque id + name). */
  pbxes(tenantId: string): { id: string; name: string; deleted: boolean }[] {
    const t = this.#tenant(tenantId);
    return t.config.pbxes.map((p) => ({ id: t.pbxIds.get(p.name) ?? '', name: p.name, deleted: false }));
  }

  /**
   * Call records (rendered like the API in UTC, newest first) that a complete import of the half-open
   * window [fromMs, toMs) must hold as of the simulator clock: filter on startTimeUTC, calls visible
   * now, late calls and corrections included, transient faults and corruption excluded.
   */
  groundTruth(tenantId: string, pbx: string, fromMs: number, toMs: number): Record<string, unknown>[] {
    const t = this.#tenant(tenantId);
    const now = this.#now();
    const names = pbx === 'allpbxes' ? [...t.visible] : pbx.split(',').map((s) => s.trim());
    const idx = names.map((n) => t.store.pbxIndex(n)).filter((i) => i >= 0);
    const retention = DateTime.fromMillis(now, { zone: 'UTC' }).minus({ years: 2 }).toMillis();
    const q: WindowQuery = { pbxIndexes: idx, fromMs: Math.max(fromMs, retention), toMs: toMs - 1, now };
    const r = timeRenderer('UTC');
    return t.store.pageRecords(q, null, Number.MAX_SAFE_INTEGER).map((c) => renderRecord(c, r));
  }

  /** Legs of the calls in groundTruth(...) (every leg, newest first), for consistency checks. */
  groundTruthLegs(tenantId: string, pbx: string, fromMs: number, toMs: number): Record<string, unknown>[] {
    const t = this.#tenant(tenantId);
    const now = this.#now();
    const names = pbx === 'allpbxes' ? [...t.visible] : pbx.split(',').map((s) => s.trim());
    const idx = names.map((n) => t.store.pbxIndex(n)).filter((i) => i >= 0);
    const r = timeRenderer('UTC');
    return t.store
      .pageRecords({ pbxIndexes: idx, fromMs, toMs: toMs - 1, now }, null, Number.MAX_SAFE_INTEGER)
      .flatMap((c) => c.legs.map((l) => renderLeg(c, l, r)));
  }

  #tenant(tenantId: string): TenantState {
    const t = this.#tenants.get(tenantId);
    if (!t) throw new Error(`unknown simulator tenant ${tenantId}`);
    return t;
  }

  #addTenant(c: SimulatorTenantConfig, now: number, internalDirection: string): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(c.tenantId)) throw new Error(`tenantId must be a lowercase slug: ${c.tenantId}`);
    if (this.#tenants.has(c.tenantId)) throw new Error(`duplicate tenant ${c.tenantId}`);
    const historyStartMs = c.historyStartMs ?? DateTime.fromMillis(now, { zone: 'UTC' }).minus({ years: 2 }).toMillis();
    const store = new CallStore({
      seed: c.seed,
      pbxes: c.pbxes,
      callsPerDay: c.callsPerDay,
      historyStartMs,
      ingestDelayMs: c.ingestDelayMs ?? 0,
      internalDirection,
    });
    const faults = new FaultState();
    const state: TenantState = {
      config: c,
      apiKey: c.apiKey,
      apiKeyActive: true,
      password: c.password,
      hasOpenedAnalytics: c.hasOpenedAnalytics ?? true,
      accessLevel: c.userAccessLevel ?? 'Supervisor',
      visible: new Set(c.visiblePbxes ?? c.pbxes.map((p) => p.name)),
      store,
      faults,
      controller: undefined as unknown as FaultController,
      expiredThroughSerial: 0,
      revokedThroughSerial: 0,
      pbxIds: new Map(c.pbxes.map((p) => [p.name, pbxOpaqueId(c.seed, p.name)])),
      lateRng: new Rng(seedOf(c.seed, 'late-placement')),
    };
    state.controller = new FaultController(faults, {
      setPassword: (p, revoke) => {
        state.password = p;
        if (revoke) state.revokedThroughSerial = this.#tokenSerial;
      },
      setHasOpenedAnalytics: (v) => void (state.hasOpenedAnalytics = v),
      setAccessLevel: (l) => void (state.accessLevel = l),
      setPbxVisible: (name, v) => void (v ? state.visible.add(name) : state.visible.delete(name)),
      setApiKeyActive: (v) => void (state.apiKeyActive = v),
      replaceApiKey: (k) => void (state.apiKey = k),
      expireIssuedTokens: () => void (state.expiredThroughSerial = this.#tokenSerial),
      addLateCall: (pbx, start) => {
        const i = store.pbxIndex(pbx);
        if (i < 0) throw new Error(`unknown PBX ${pbx}`);
        const call = store.addLateCall(i, start, this.#now());
        return { callId: call.callId, start: call.start };
      },
      correctCall: (id, d) => store.correctCall(id, d),
    });
    this.#tenants.set(c.tenantId, state);
  }

  #tenantByKey(key: string | undefined): TenantState | undefined {
    if (!key) return undefined;
    for (const t of this.#tenants.values()) if (t.apiKey === key || t.config.apiKey === key) return t;
    return undefined;
  }

  // ---------------------------------------------------------------- request handling

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void this.#process(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) this.#send(res, new HttpReply(500, { status: 500, error: 'Internal Server Error', message: String(err) }));
        else res.destroy();
      });
    });
  }

  async #process(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const path = url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length) : url.pathname;
    const method = req.method ?? 'GET';
    const endpoint = routeOf(method, path);
    const logEntry: RequestLogEntry = { method, path: url.pathname, query, status: 0 };
    this.#log.push(logEntry);
    if (!endpoint) {
      this.#reply(res, logEntry, new HttpReply(404, { timeStamp: springTime(this.#now()), status: 404, error: 'Not Found', message: 'No message available', path: url.pathname }));
      return;
    }
    const keyHeader = headerValue(req, '8x8-apikey');
    const tenant = this.#tenantByKey(keyHeader);
    if (tenant) logEntry.tenantId = tenant.config.tenantId;

    // Gateway-level transport faults come first (they do not depend on the request being valid).
    const fault = tenant ? tenant.faults.matchTransport(endpoint) : null;
    if (fault?.type === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.type === 'stall') {
      this.#stalled.add(res);
      res.on('close', () => this.#stalled.delete(res));
      return;
    }
    if (fault?.type === 'status') {
      this.#reply(res, logEntry, faultReply(fault, this.#now()));
      return;
    }
    if (fault?.type === 'token_expired') {
      const presented = (headerValue(req, 'authorization') ?? '').replace(/^bearer\s+/i, '').trim();
      this.#reply(res, logEntry, new HttpReply(401, { error: 'invalid_token', error_description: `Access token expired: ${presented}` }));
      return;
    }

    let reply: HttpReply;
    let after: (() => void) | undefined;
    if (endpoint === 'token') reply = this.#token(tenant, keyHeader, req, body);
    else if (endpoint === 'pbxes') reply = this.#pbxList(tenant, keyHeader, req, query);
    else {
      const r = this.#dataRequest(endpoint, tenant, keyHeader, req, query);
      reply = r.reply;
      after = r.after;
    }
    if (fault?.type === 'truncated_json' || fault?.type === 'reset_mid_body') {
      const text = JSON.stringify(reply.body);
      const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      logEntry.status = reply.status;
      if (fault.type === 'truncated_json') {
        res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(half) });
        res.end(half);
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
        res.write(half, () => setImmediate(() => res.socket?.resetAndDestroy?.() ?? res.destroy()));
      }
      return;
    }
    this.#reply(res, logEntry, reply);
    after?.();
  }

  #reply(res: ServerResponse, entry: RequestLogEntry, reply: HttpReply): void {
    entry.status = reply.status;
    this.#send(res, reply);
  }

  #send(res: ServerResponse, reply: HttpReply): void {
    const isText = typeof reply.body === 'string';
    const payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': isText ? 'text/html' : 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    });
    res.end(payload);
  }

  // ---------------------------------------------------------------- token endpoint

  #token(tenant: TenantState | undefined, key: string | undefined, req: IncomingMessage, body: string): HttpReply {
    if (!tenant || !tenant.apiKeyActive || tenant.apiKey !== key) return invalidKey();
    const fail = (description: string) => new HttpReply(this.#authFailureStatus, { error_description: description, error: 'invalid_grant' });
    const ctype = headerValue(req, 'content-type') ?? '';
    if (!ctype.toLowerCase().startsWith('application/x-www-form-urlencoded')) return fail('Missing grant parameters');
    const form = new URLSearchParams(body);
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === null || password === '') return fail('Missing grant parameters');
    if (username !== tenant.config.username || !tenant.hasOpenedAnalytics) return fail('USER_NOTFOUND_ERROR');
    if (password !== tenant.password) return fail('Bad credentials');
    const now = this.#now();
    const serial = ++this.#tokenSerial;
    const iat = Math.floor(now / 1000);
    const exp = iat + Math.floor(this.#tokenTtlMs / 1000);
    const claims = {
      sub: b64url(`${tenant.config.username}#${serial}`),
      cst: 'admin',
      lid: `${tenant.config.tenantId}.${tenant.config.username}`,
      iss: 'https://platform.8x8.com',
      typ: 'access',
      aud: 'dashboard',
      scd: 'customer',
      exp,
      iat,
      bro: false,
      jti: randomUUID(),
      cid: `0015X0000${hashString(tenant.config.tenantId).toString(36).toUpperCase().padStart(9, '0').slice(0, 9)}`,
      pft: 'SMP',
    };
    const token = `${b64url(JSON.stringify({ alg: 'RS256' }))}.${b64url(JSON.stringify(claims))}.${b64url(randomBytes(128))}`;
    this.#tokens.set(token, { tenantId: tenant.config.tenantId, serial, expMs: now + this.#tokenTtlMs });
    return new HttpReply(200, { access_token: token, token_type: 'bearer', expires_in: Math.floor(this.#tokenTtlMs / 1000) });
  }

  /** Steps 1–2 of §13: API key, then bearer token. */
  #authorise(tenant: TenantState | undefined, key: string | undefined, req: IncomingMessage): HttpReply | null {
    if (!tenant || !tenant.apiKeyActive || tenant.apiKey !== key) return invalidKey();
    const auth = headerValue(req, 'authorization');
    if (!auth || !/^bearer\s+/i.test(auth)) {
      return new HttpReply(401, { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
    }
    const token = auth.replace(/^bearer\s+/i, '').trim();
    const info = this.#tokens.get(token);
    if (!info || info.tenantId !== tenant.config.tenantId) {
      return new HttpReply(401, { error: 'invalid_token', error_description: 'Cannot convert access token to JSON' });
    }
    if (info.expMs <= this.#now() || info.serial <= tenant.expiredThroughSerial || info.serial <= tenant.revokedThroughSerial) {
      return new HttpReply(401, { error: 'invalid_token', error_description: `Access token expired: ${token}` });
    }
    return null;
  }

  #pbxList(tenant: TenantState | undefined, key: string | undefined, req: IncomingMessage, query: Record<string, string>): HttpReply {
    const denied = this.#authorise(tenant, key, req);
    if (denied || !tenant) return denied ?? invalidKey();
    const page = Math.max(0, Number.parseInt(query.page ?? '0', 10) || 0);
    const size = Math.min(100, Math.max(1, Number.parseInt(query.size ?? '50', 10) || 50));
    const all = this.pbxes(tenant.config.tenantId).filter((p) => tenant.visible.has(p.name));
    const slice = all.slice(page * size, page * size + size);
    return new HttpReply(200, {
      _embedded: { pbxList: slice },
      _links: { self: { href: `https://api.8x8.com/analytics/work/v2/pbxes/?page=${page}&size=${size}` } },
      page: { size, totalElements: all.length, totalPages: Math.ceil(all.length / size), number: page },
    });
  }

  // ---------------------------------------------------------------- CDR endpoints

  #dataRequest(
    endpoint: 'call-records' | 'call-legs' | 'cdr',
    tenant: TenantState | undefined,
    key: string | undefined,
    req: IncomingMessage,
    q: Record<string, string>,
  ): { reply: HttpReply; after?: () => void } {
    const denied = this.#authorise(tenant, key, req);
    if (denied || !tenant) return { reply: denied ?? invalidKey() };
    if (tenant.faults.expireAfterRequests !== null) {
      tenant.faults.expireAfterRequests--;
      if (tenant.faults.expireAfterRequests <= 0) {
        tenant.faults.expireAfterRequests = null;
        tenant.expiredThroughSerial = this.#tokenSerial;
      }
    }
    const springPath = SPRING_PATH[endpoint];
    const legs = endpoint === 'call-legs' || (endpoint === 'cdr' && q.isCallRecord !== 'true');
    const bad = (message: string) =>
      ({ reply: new HttpReply(400, { timeStamp: springTime(this.#now()), status: 400, error: 'Bad Request', exception: message, message, path: springPath }) });

    // Step 3: parameters.
    for (const p of ['pbxId', 'startTime', 'endTime', 'timeZone', 'pageSize'] as const) {
      if (q[p] === undefined || q[p] === '') return bad(`Required request parameter '${p}' is not present`);
    }
    const { pbxId = '', startTime = '', endTime = '', timeZone = '', pageSize: pageSizeText = '' } = q;
    if (!TIME_FORMAT.test(startTime)) return bad(`startTime must be in format yyyy-MM-dd HH:mm:ss`);
    if (!TIME_FORMAT.test(endTime)) return bad(`endTime must be in format yyyy-MM-dd HH:mm:ss`);
    if (!IANAZone.isValidZone(timeZone)) return bad(`Invalid timeZone: ${timeZone}`);
    const from = DateTime.fromFormat(startTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    const to = DateTime.fromFormat(endTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    if (!from.isValid || !to.isValid) return bad('Invalid startTime or endTime');
    if (to.toMillis() < from.toMillis()) return bad('endTime must not be before startTime');
    if (!/^\d+$/.test(pageSizeText)) return bad('pageSize must be a number');
    const pageSize = Number(pageSizeText);
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) return bad(`pageSize must be between 1 and ${MAX_PAGE_SIZE}`);
    if (q.callerOrCallee !== undefined && (q.caller !== undefined || q.callee !== undefined)) {
      return bad('callerOrCallee cannot be combined with caller or callee');
    }
    const filter: PartyFilter = {};
    for (const f of ['caller', 'callee', 'callerOrCallee'] as const) {
      const v = q[f];
      if (v === undefined) continue;
      const values = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (values.length > MAX_FILTER_VALUES) return bad(`${f} accepts at most ${MAX_FILTER_VALUES} values`);
      filter[f] = new Set(values);
    }
    for (const f of ['isConnectTime', 'isSimplified'] as const) {
      if (q[f] !== undefined && q[f] !== 'true' && q[f] !== 'false') return bad(`${f} must be true or false`);
    }
    let recordCursor: RecordCursor | null = null;
    let legCursor: LegCursor | null = null;
    if (q.scrollId !== undefined) {
      if (q.scrollId === 'No Data') return bad('Invalid scrollId: No Data');
      const decoded = Buffer.from(q.scrollId, 'base64url').toString('utf8');
      const prefix = `${tenant.config.tenantId}_`;
      const rest = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : '';
      const m = legs ? /^(\d+)_(\d+)_(\d+)$/.exec(rest) : /^(\d+)_(\d+)$/.exec(rest);
      if (!m) return bad(`Invalid scrollId: ${q.scrollId}`);
      if (legs) legCursor = { callId: m[1] ?? '', legId: Number(m[2]), start: Number(m[3]) };
      else recordCursor = { callId: m[1] ?? '', start: Number(m[2]) };
    }

    // Step 4: permissions.
    const requested = pbxId === 'allpbxes' ? null : pbxId.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    const user = tenant.config.username;
    if (tenant.accessLevel !== 'Supervisor') {
      const names = requested ?? [...tenant.visible];
      const message = `user(${user}) does not have access to api category(CDR) for pbxId([${names.join(',')}]).`;
      return { reply: new HttpReply(400, { timeStamp: springTime(this.#now()), status: 400, error: 'Bad Request', exception: message, message, code: '105-400-038', path: springPath }) };
    }
    const names = requested ?? tenant.config.pbxes.map((p) => p.name).filter((n) => tenant.visible.has(n));
    for (const n of names) {
      if (!tenant.visible.has(n) || tenant.store.pbxIndex(n) < 0) {
        const message = `user(${user}) does not have access to pbxId(${n}) to make this request.`;
        return { reply: new HttpReply(403, { timeStamp: springTime(this.#now()), status: 403, error: 'Access Denied', exception: message, message, path: springPath }) };
      }
    }
    const pbxIndexes = [...new Set(names.map((n) => tenant.store.pbxIndex(n)))].sort((a, b) => a - b);

    // Step 5: data.
    const now = this.#now();
    const retention = DateTime.fromMillis(now, { zone: 'UTC' }).minus({ years: 2 }).toMillis();
    const window: WindowQuery = {
      pbxIndexes,
      fromMs: Math.max(from.toMillis(), retention),
      toMs: to.toMillis(),
      now,
      ...(filter.caller || filter.callee || filter.callerOrCallee ? { filter } : {}),
    };
    const render = timeRenderer(timeZone);
    const tid = tenant.config.tenantId;
    const empty = { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] as unknown[] };
    if (window.toMs < window.fromMs) return { reply: new HttpReply(200, empty) };

    if (legs) {
      const lq = { ...window, isConnectTime: q.isConnectTime === 'true', isSimplified: q.isSimplified === 'true' };
      const rows = tenant.store.pageLegs(lq, legCursor, pageSize);
      const last = rows[rows.length - 1];
      if (!last) return { reply: new HttpReply(200, empty) };
      return {
        reply: new HttpReply(200, {
          meta: { totalRecordCount: tenant.store.countLegs(lq), scrollId: encodeScrollId(tid, last.call.callId, last.leg.start, last.leg.legId) },
          data: rows.map((r) => renderLeg(r.call, r.leg, render)),
        }),
      };
    }

    let rows: SimCall[] = tenant.store.pageRecords(window, recordCursor, pageSize);
    const last = rows[rows.length - 1];
    if (!last) {
      return { reply: new HttpReply(200, empty), after: () => this.#maybeLateArrivals(tenant, window) };
    }
    if (recordCursor && tenant.faults.duplicatePages > 0) {
      const again = this.#findCall(tenant, pbxIndexes, recordCursor);
      if (again) {
        tenant.faults.duplicatePages--;
        rows = [again, ...rows];
      }
    }
    const data = rows.map((c) => this.#renderServed(tenant, c, render));
    const toChange: string[] = [];
    for (const c of rows) {
      if (tenant.faults.changeBudget <= 0) break;
      tenant.faults.changeBudget--;
      toChange.push(c.callId);
    }
    return {
      reply: new HttpReply(200, {
        meta: { totalRecordCount: tenant.store.countRecords(window), scrollId: encodeScrollId(tid, last.callId, last.start) },
        data,
      }),
      after: toChange.length > 0 ? () => toChange.forEach((id) => tenant.store.correctCall(id, tenant.faults.changeDeltaMs)) : undefined,
    };
  }

  #findCall(tenant: TenantState, pbxIndexes: readonly number[], cursor: RecordCursor): SimCall | undefined {
    const h = Math.floor(cursor.start / HOUR_MS);
    for (const p of pbxIndexes) {
      const c = tenant.store.slotCalls(p, h).find((x) => x.callId === cursor.callId);
      if (c) return c;
    }
    return undefined;
  }

  #renderServed(tenant: TenantState, c: SimCall, render: (ms: number) => string): unknown {
    const f = tenant.faults;
    let mode = f.malformed.get(c.callId);
    if (mode === undefined && f.malformBudget > 0) {
      f.malformBudget--;
      mode = f.malformMode;
      f.malformed.set(c.callId, mode);
    }
    const row = renderRecord(c, render);
    if (mode !== undefined) corrupt(row, mode);
    return row;
  }

  #maybeLateArrivals(tenant: TenantState, window: WindowQuery): void {
    const la = tenant.faults.lateArrivals;
    if (!la || la.remaining <= 0) return;
    la.remaining--;
    const latest = Math.min(window.toMs, window.now - (tenant.config.ingestDelayMs ?? 0) - 60_000);
    if (latest <= window.fromMs) return;
    for (let i = 0; i < la.count; i++) {
      const p = window.pbxIndexes[tenant.lateRng.int(0, window.pbxIndexes.length - 1)] ?? 0;
      const start = window.fromMs + Math.floor(tenant.lateRng.next() * (latest - window.fromMs));
      tenant.store.addLateCall(p, start, window.now);
    }
  }
}

function corrupt(row: Record<string, unknown>, mode: MalformMode): void {
  switch (mode) {
    case 'missing_field':
      delete row.startTimeUTC;
      break;
    case 'bad_number':
      row.talkTimeMS = 'n/a';
      break;
    case 'negative_duration':
      row.talkTimeMS = -1500;
      break;
    case 'end_before_start':
      row.disconnectedTimeUTC = (row.startTimeUTC as number) - 60_000;
      break;
    case 'tolerable':
      // Odd but acceptable: integer callLegCount, a direction value nobody documented, an extra field.
      row.callLegCount = Number(row.callLegCount);
      row.direction = 'Forwarded';
      row.lra = String(row.callee);
      break;
  }
}

function routeOf(method: string, path: string): Endpoint | null {
  if (method === 'POST' && path === '/v1/oauth/token') return 'token';
  if (method !== 'GET') return null;
  switch (path) {
    case '/v2/call-records':
      return 'call-records';
    case '/v2/call-legs':
      return 'call-legs';
    case '/v1/cdr':
      return 'cdr';
    case '/v2/pbxes':
    case '/v2/pbxes/':
    case '/v2/customer-data/pbxes':
      return 'pbxes';
    default:
      return null;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function springTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function invalidKey(): HttpReply {
  return new HttpReply(400, {
    status: 400,
    message: 'Invalid 8x8-apikey',
    code: 'SHA001',
    details: [
      {
        type: 'invalidValue',
        location: 'header',
        path: ['8x8-apikey'],
        hint: "Please provide valid apikey. If you don't have one, please sign up and create a developer account",
      },
    ],
  });
}

function faultReply(f: Extract<TransportFault, { type: 'status' }>, now: number): HttpReply {
  const headers: Record<string, string> = f.retryAfter ? { 'retry-after': f.retryAfter } : {};
  if (f.status === 429) return new HttpReply(429, { status: 429, message: 'Too Many Requests' }, headers);
  if (f.json === false) {
    return new HttpReply(f.status, `<html><head><title>${f.status} Service Temporarily Unavailable</title></head><body><center><h1>${f.status}</h1></center></body></html>`, headers);
  }
  return new HttpReply(f.status, { timeStamp: springTime(now), status: f.status, error: f.status === 503 ? 'Service Unavailable' : 'Internal Server Error', message: 'An unexpected error occurred', path: '/api/analytics/report/external/v2/call-records' }, headers);
}
