/**
 * Read-only client of the Analytics for 8x8 Work CDR API (spec §3–§10, §15): the token POST and GETs only.
 *
 * - Token: form-encoded username/password with `8x8-apikey`; cached per tenant+credentials (keyed by a
 *   hash), renewed when less than 60 s remain; a 401 `invalid_token` on a data call renews once and retries once.
 * - Paging: all parameters on every page, stop on `scrollId == "No Data"`; defensive stops on an empty page
 *   or a missing cursor; a repeated cursor or the page cap fails the fetch (bad_response) instead of
 *   silently dropping rows.
 * - Windows: UTC, `[from, to)` sent as `floor(from)`..`ceil(to)` (see time.ts); rows are de-duplicated by
 *   callId within a scroll, and consumers upsert across windows.
 * - Failures: classified into EightByEightError; 429/5xx/timeouts/resets/unreadable bodies are retried a
 *   few times inside one page fetch (Retry-After honoured), then surface for Temporal to retry.
 */
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { credentialsFingerprint, redactSecrets, type TenantCredentials } from './credentials';
import { EightByEightError, parseRetryAfter, type EightByEightErrorKind } from './errors';
import {
  pageEnvelopeSchema,
  parseCallLeg,
  parseCallRecord,
  pbxListSchema,
  tokenResponseSchema,
  type CallLeg,
  type CallRecord,
  type QuarantinedRecord,
} from './schemas';
import { requestBounds, retentionStartMs } from './time';

export interface AnalyticsLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info?(msg: string, fields?: Record<string, unknown>): void;
}

export interface AnalyticsClientOptions {
  /** e.g. 'https://api.8x8.com/analytics/work' or the simulator's url. */
  baseUrl: string;
  /** Whole request (headers + body) deadline; default 60000. */
  requestTimeoutMs?: number;
  /** Default 1000; 1..7000. */
  pageSize?: number;
  /** Clock for token expiry and retention; default Date.now. */
  now?: () => number;
  logger?: AnalyticsLogger;
  /** Retries of one request after a retryable failure (429/5xx/timeout/reset/bad body); default 2. */
  maxRetries?: number;
  /** First backoff delay (doubles per retry, with jitter); default 1000. */
  retryBaseDelayMs?: number;
  /** A wait longer than this (e.g. a big Retry-After) is not slept inside the activity: the error surfaces with retryAfterMs; default 30000. */
  maxRetryDelayMs?: number;
  /** Hard cap on pages per scroll; default 100000. */
  maxPages?: number;
  /** Renew the token when fewer than this many ms remain; default 60000. */
  tokenRenewMarginMs?: number;
  /** Injectable sleep (tests); default an abortable setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable randomness for jitter; default Math.random. */
  random?: () => number;
  /** undici dispatcher; default a private Agent (closed by close()). */
  dispatcher?: Dispatcher;
}

export interface CallRecordQuery {
  /** One PBX name, a comma list 'a,b', or 'allpbxes' (names, not the opaque ids of /v2/pbxes). */
  pbx: string;
  /** Half-open window [fromMs, toMs) in UTC epoch ms. */
  fromMs: number;
  toMs: number;
  /** Reporting zone; requests always use timeZone=UTC (spec §8.1 recommendation). */
  timeZone?: string;
  pageSize?: number;
  /** Resume paging after this cursor (a heartbeat checkpoint). */
  resumeScrollId?: string;
}

export interface CallLegQuery extends CallRecordQuery {
  isSimplified?: boolean;
  isConnectTime?: boolean;
}

interface PageBase {
  raw: unknown[];
  quarantined: QuarantinedRecord[];
  /** Cursor to resume after this page; null when the scroll is finished. */
  scrollId: string | null;
  /** From the first page only (null on later or resumed pages). */
  totalRecordCount: number | null;
  /** 1-based within this call of the generator. */
  pageNumber: number;
}
export interface CallRecordPage extends PageBase {
  records: CallRecord[];
}
export interface CallLegPage extends PageBase {
  legs: CallLeg[];
}

export interface PbxInfo {
  id: string;
  name: string;
  deleted: boolean;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const DEFAULT_TOKEN_TTL_S = 1800;
const MAX_PAGE_SIZE = 7000;
const NO_DATA = 'No Data';
const TOKEN_PATH = '/v1/oauth/token';

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class AnalyticsClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #pageSize: number;
  readonly #now: () => number;
  readonly #logger: AnalyticsLogger | undefined;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #maxPages: number;
  readonly #renewMarginMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pendingTokens = new Map<string, Promise<CachedToken>>();

  constructor(options: AnalyticsClientOptions) {
    const pageSize = options.pageSize ?? 1000;
    assertPageSize(pageSize);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#pageSize = pageSize;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 1_000;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.#maxPages = options.maxPages ?? 100_000;
    this.#renewMarginMs = options.tokenRenewMarginMs ?? 60_000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 4_000,
        connections: 8,
        headersTimeout: this.#timeoutMs + 1_000,
        bodyTimeout: this.#timeoutMs + 1_000,
        connect: { timeout: Math.min(this.#timeoutMs, 30_000) },
      });
  }

  /** Closes the private connection pool. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** Forgets every cached token (e.g. after credentials rotation). */
  forgetTokens(): void {
    this.#tokens.clear();
  }

  // ------------------------------------------------------------------ public API

  callRecordPages(tenantId: string, credentials: TenantCredentials, query: CallRecordQuery, signal?: AbortSignal): AsyncGenerator<CallRecordPage> {
    return this.#pages(tenantId, credentials, '/v2/call-records', query, {}, parseCallRecord, (r) => r.callId, signal, (base, items) => ({ ...base, records: items }));
  }

  callLegPages(tenantId: string, credentials: TenantCredentials, query: CallLegQuery, signal?: AbortSignal): AsyncGenerator<CallLegPage> {
    const extra: Record<string, string> = {};
    if (query.isSimplified !== undefined) extra.isSimplified = String(query.isSimplified);
    if (query.isConnectTime !== undefined) extra.isConnectTime = String(query.isConnectTime);
    return this.#pages(tenantId, credentials, '/v2/call-legs', query, extra, parseCallLeg, (l) => `${l.callId}/${l.legId}`, signal, (base, items) => ({ ...base, legs: items }));
  }

  /** GET /v2/pbxes/ (all pages): opaque ids and the names the CDR endpoints take. */
  async listPbxes(tenantId: string, credentials: TenantCredentials, signal?: AbortSignal): Promise<PbxInfo[]> {
    const out: PbxInfo[] = [];
    for (let page = 0; page < 1000; page++) {
      const json = await this.#getJson(tenantId, credentials, '/v2/pbxes/', { page: String(page), size: '100' }, signal);
      const parsed = pbxListSchema.safeParse(json);
      if (!parsed.success) throw this.#badResponse(credentials, 'PBX list has an unexpected shape', undefined);
      const list = parsed.data._embedded?.pbxList ?? [];
      for (const p of list) out.push({ id: p.id, name: p.name, deleted: p.deleted ?? false });
      const info = parsed.data.page ?? parsed.data._embedded?.page;
      const totalPages = info?.totalPages ?? 1;
      if (list.length === 0 || page + 1 >= totalPages) break;
    }
    return out;
  }

  /** Obtains a fresh token (never the cached one) or throws EightByEightError; the token is then cached. */
  async verifyCredentials(tenantId: string, credentials: TenantCredentials, signal?: AbortSignal): Promise<void> {
    await this.#withRetries(tenantId, credentials, TOKEN_PATH, signal, async () => {
      const fresh = await this.#requestToken(credentials, signal);
      this.#tokens.set(credentialsFingerprint(tenantId, credentials), fresh);
    });
  }

  // ------------------------------------------------------------------ paging

  async *#pages<T, P>(
    tenantId: string,
    credentials: TenantCredentials,
    path: string,
    query: CallRecordQuery,
    extra: Record<string, string>,
    parse: (raw: unknown) => { ok: true; record: T; raw: unknown } | { ok: false; quarantined: QuarantinedRecord },
    keyOf: (item: T) => string,
    signal: AbortSignal | undefined,
    build: (base: PageBase, items: T[]) => P,
  ): AsyncGenerator<P> {
    const pageSize = query.pageSize ?? this.#pageSize;
    assertPageSize(pageSize);
    if (!query.pbx || query.pbx.trim() === '') throw new EightByEightError({ kind: 'bad_request', message: 'no PBX name given' });
    if (!Number.isFinite(query.fromMs) || !Number.isFinite(query.toMs) || query.toMs <= query.fromMs) {
      throw new EightByEightError({ kind: 'bad_request', message: `invalid window [${query.fromMs}, ${query.toMs})` });
    }
    let fromMs = query.fromMs;
    const oldest = retentionStartMs(this.#now());
    if (query.toMs <= oldest) {
      this.#logger?.warn('8x8 window is older than the 2-year retention; nothing to fetch', {
        tenantId, pbx: query.pbx, fromMs: query.fromMs, toMs: query.toMs, retentionStartMs: oldest,
      });
      return;
    }
    if (fromMs < oldest) {
      this.#logger?.warn('8x8 window starts before the 2-year retention; clamped (older calls are gone)', {
        tenantId, pbx: query.pbx, fromMs, clampedFromMs: oldest,
      });
      fromMs = oldest;
    }
    const bounds = requestBounds(fromMs, query.toMs);
    const params: Record<string, string> = {
      pbxId: query.pbx,
      startTime: bounds.startTime,
      endTime: bounds.endTime,
      timeZone: 'UTC',
      pageSize: String(pageSize),
      ...extra,
    };
    const seen = new Set<string>();
    const cursors = new Set<string>();
    let scrollId: string | null = query.resumeScrollId ?? null;
    if (scrollId === NO_DATA) return;
    const resumed = scrollId !== null;
    let duplicates = 0;
    for (let pageNumber = 1; ; pageNumber++) {
      if (pageNumber > this.#maxPages) {
        throw new EightByEightError({ kind: 'bad_response', message: `8x8 scroll exceeded ${this.#maxPages} pages for ${query.pbx}; refusing to continue` });
      }
      if (scrollId !== null) cursors.add(scrollId);
      const json = await this.#getJson(tenantId, credentials, path, scrollId === null ? params : { ...params, scrollId }, signal);
      const env = pageEnvelopeSchema.safeParse(json);
      if (!env.success) throw this.#badResponse(credentials, `8x8 page ${pageNumber} has no meta/data envelope`, undefined);
      const data = env.data.data ?? [];
      const next = env.data.meta.scrollId ?? null;
      const items: T[] = [];
      const raw: unknown[] = [];
      const quarantined: QuarantinedRecord[] = [];
      for (const row of data) {
        const r = parse(row);
        if (!r.ok) {
          quarantined.push(r.quarantined);
          continue;
        }
        const key = keyOf(r.record);
        if (seen.has(key)) {
          duplicates++;
          continue;
        }
        seen.add(key);
        items.push(r.record);
        raw.push(r.raw);
      }
      const finished = next === NO_DATA || data.length === 0 || next === null;
      if (data.length === 0 && next !== NO_DATA) {
        this.#logger?.warn('8x8 returned an empty page without "No Data"; treating it as the end', { tenantId, pbx: query.pbx, pageNumber });
      } else if (data.length > 0 && next === null) {
        this.#logger?.warn('8x8 page has rows but no scrollId; treating it as the last page', { tenantId, pbx: query.pbx, pageNumber });
      }
      if (!finished && next !== null && cursors.has(next)) {
        throw new EightByEightError({ kind: 'bad_response', message: `8x8 returned the same scrollId twice on page ${pageNumber} for ${query.pbx}; stopping to avoid a loop` });
      }
      if (quarantined.length > 0) {
        this.#logger?.warn('8x8 rows quarantined', { tenantId, pbx: query.pbx, pageNumber, count: quarantined.length, reasons: quarantined.slice(0, 3).map((q) => q.reason) });
      }
      if (data.length > 0) {
        const total = pageNumber === 1 && !resumed ? (env.data.meta.totalRecordCount ?? null) : null;
        yield build({ raw, quarantined, scrollId: finished ? null : next, totalRecordCount: total, pageNumber }, items);
      }
      if (finished) break;
      scrollId = next;
    }
    if (duplicates > 0) this.#logger?.info?.('8x8 repeated rows within one scroll were dropped', { tenantId, pbx: query.pbx, duplicates });
  }

  // ------------------------------------------------------------------ requests

  /** One authenticated GET with bounded retries and a single re-auth on 401. */
  async #getJson(tenantId: string, credentials: TenantCredentials, path: string, query: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    let reauthenticated = false;
    return this.#withRetries(tenantId, credentials, path, signal, async () => {
      const token = await this.#token(tenantId, credentials, signal);
      const res = await this.#send('GET', path, query, { '8x8-apikey': credentials.apiKey, authorization: `Bearer ${token.token}`, accept: 'application/json' }, undefined, credentials, token.token, signal);
      if (res.status === 401 && !reauthenticated) {
        reauthenticated = true;
        this.#dropToken(tenantId, credentials, token.token);
        this.#logger?.warn('8x8 access token refused; renewing once', { tenantId, path });
        const again = await this.#token(tenantId, credentials, signal);
        const retry = await this.#send('GET', path, query, { '8x8-apikey': credentials.apiKey, authorization: `Bearer ${again.token}`, accept: 'application/json' }, undefined, credentials, again.token, signal);
        if (retry.status === 401) this.#dropToken(tenantId, credentials, again.token);
        return this.#json(retry, 'data', credentials, again.token);
      }
      return this.#json(res, 'data', credentials, token.token);
    });
  }

  async #withRetries<R>(tenantId: string, credentials: TenantCredentials, path: string, signal: AbortSignal | undefined, fn: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof EightByEightError) || !err.retryable || err.kind === 'token_expired' || attempt >= this.#maxRetries) throw err;
        const backoff = this.#retryBaseDelayMs * 2 ** attempt * (0.5 + this.#random() / 2);
        const delay = err.retryAfterMs ?? Math.round(backoff);
        if (delay > this.#maxRetryDelayMs) throw err;
        this.#logger?.warn('8x8 request failed; retrying', { tenantId, path, kind: err.kind, status: err.status, attempt: attempt + 1, delayMs: delay, error: err.message });
        await this.#sleep(delay, signal);
      }
    }
  }

  async #token(tenantId: string, credentials: TenantCredentials, signal?: AbortSignal): Promise<CachedToken> {
    const key = credentialsFingerprint(tenantId, credentials);
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAtMs - this.#now() > this.#renewMarginMs) return cached;
    let pending = this.#pendingTokens.get(key);
    if (!pending) {
      pending = this.#requestToken(credentials, signal).finally(() => this.#pendingTokens.delete(key));
      this.#pendingTokens.set(key, pending);
    }
    const fresh = await pending;
    this.#tokens.set(key, fresh);
    return fresh;
  }

  #dropToken(tenantId: string, credentials: TenantCredentials, token: string): void {
    const key = credentialsFingerprint(tenantId, credentials);
    if (this.#tokens.get(key)?.token === token) this.#tokens.delete(key);
  }

  async #requestToken(credentials: TenantCredentials, signal?: AbortSignal): Promise<CachedToken> {
    const body = new URLSearchParams({ username: credentials.username, password: credentials.password }).toString();
    const issuedAt = this.#now();
    const res = await this.#send('POST', TOKEN_PATH, {}, { '8x8-apikey': credentials.apiKey, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, credentials, undefined, signal);
    const json = this.#json(res, 'token', credentials, undefined);
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) throw this.#badResponse(credentials, '8x8 token response has no access_token', res.status);
    const ttlS = parsed.data.expires_in ?? DEFAULT_TOKEN_TTL_S;
    return { token: parsed.data.access_token, expiresAtMs: issuedAt + ttlS * 1000 };
  }

  /** Parses a 200 JSON body or throws the classified error. */
  #json(res: RawResponse, context: 'token' | 'data', credentials: TenantCredentials, token: string | undefined): unknown {
    if (res.status >= 200 && res.status < 300) {
      const json = tryJson(res.text);
      if (json === undefined) throw this.#badResponse(credentials, `8x8 answered ${res.status} with a body that is not JSON`, res.status, token);
      return json;
    }
    throw this.#classify(res, context, credentials, token);
  }

  #badResponse(credentials: TenantCredentials, message: string, status: number | undefined, token?: string): EightByEightError {
    return new EightByEightError({ kind: 'bad_response', message: this.#redact(message, credentials, token), ...(status !== undefined ? { status } : {}) });
  }

  #redact(text: string, credentials: TenantCredentials, token: string | undefined): string {
    return redactSecrets(text, token ? [credentials.apiKey, credentials.password, token] : [credentials.apiKey, credentials.password]);
  }

  /** Spec §3.4 / §10 classification. */
  #classify(res: RawResponse, context: 'token' | 'data', credentials: TenantCredentials, token: string | undefined): EightByEightError {
    const body = asRecord(tryJson(res.text));
    const str = (k: string) => (typeof body?.[k] === 'string' ? (body[k] as string) : undefined);
    const code = str('code');
    const error = str('error');
    const message = str('message') ?? str('error_description') ?? '';
    const excerpt = this.#redact(res.text.length > 300 ? `${res.text.slice(0, 300)}...` : res.text, credentials, token);
    const status = res.status;
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.#now());
    const make = (kind: EightByEightErrorKind, msg: string, pbx?: string) =>
      new EightByEightError({
        kind,
        message: this.#redact(msg, credentials, token),
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(pbx !== undefined ? { pbx } : {}),
      });

    if (code === 'SHA001') return make('api_key_rejected', `8x8 rejected the API key (${status} SHA001: ${message || 'Invalid 8x8-apikey'})`);
    if (status === 429) return make('rate_limited', `8x8 rate limited the request (429)${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''}`);
    if (status >= 500) return make('server_error', `8x8 server error ${status}: ${excerpt}`);
    if (context === 'token') {
      if (status === 401 || error === 'invalid_grant') {
        return make('credentials_rejected', `8x8 rejected the credentials of user ${credentials.username} (${status} ${error ?? ''}: ${str('error_description') ?? message})`);
      }
      return make('bad_request', `8x8 token request failed with ${status}: ${excerpt}`);
    }
    if (status === 401) return make('token_expired', `8x8 refused the access token (401 ${error ?? ''}: ${str('error_description') ?? message})`);
    if (status === 403) {
      const pbx = /pbxId\(\[?([^)\]]*)\]?\)/.exec(message)?.[1];
      return make('pbx_not_visible', `8x8 denied access to PBX ${pbx ?? '(unknown)'} (403: ${message})`, pbx);
    }
    if (status === 400 && (code === '105-400-038' || /does not have access/i.test(message))) {
      const pbx = /pbxId\(\[?([^)\]]*)\]?\)/.exec(message)?.[1];
      return make('permission_missing', `8x8 user lacks the CDR permission (400 ${code ?? ''}: ${message})`, pbx);
    }
    if (status === 408) return make('timeout', `8x8 answered 408 request timeout`);
    return make('bad_request', `8x8 rejected the request with ${status}: ${excerpt}`);
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: string | undefined,
    credentials: TenantCredentials,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    signal?.throwIfAborted();
    const qs = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    const url = `${this.#baseUrl}${path}${qs ? `?${qs}` : ''}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('request timeout'));
    }, this.#timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await request(url, { method, headers, body, signal: controller.signal, dispatcher: this.#dispatcher });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const code = (err as { code?: string } | null)?.code ?? '';
      const detail = this.#redact(`${code} ${(err as Error)?.message ?? String(err)}`.trim(), credentials, token);
      if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
        throw new EightByEightError({ kind: 'timeout', message: `8x8 did not answer ${method} ${path} within ${this.#timeoutMs} ms` });
      }
      throw new EightByEightError({ kind: 'connection_reset', message: `connection to 8x8 failed during ${method} ${path}: ${detail}` });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function assertPageSize(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new EightByEightError({ kind: 'bad_request', message: `pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}, got ${n}` });
  }
}
