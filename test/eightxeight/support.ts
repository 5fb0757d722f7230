/** Shared fixtures for the 8x8 client and simulator tests (not a test file itself). */
import path from 'node:path';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { AnalyticsClient, type AnalyticsClientOptions, type CallRecordQuery } from '../../src/eightxeight/client';
import type { TenantCredentials } from '../../src/eightxeight/credentials';
import type { CallRecord, QuarantinedRecord } from '../../src/eightxeight/schemas';
import { AnalyticsSimulator, type SimulatorOptions, type SimulatorTenantConfig } from '../../src/simulator/server';

export const EXAMPLES_DIR = path.resolve(__dirname, '../../../shared/reference/8x8-examples');

export function readExample<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')) as T;
}

/** Monday 2025-07-14 12:00 UTC plus one day: "now" for most tests. */
export const T0 = Date.parse('2025-07-15T12:00:00.000Z');
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export class TestClock {
  constructor(public ms: number = T0) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function tenantConfig(overrides: Partial<SimulatorTenantConfig> = {}): SimulatorTenantConfig {
  return {
    tenantId: 'acme',
    apiKey: 'eght_TESTKEYabcdefghijklmnopqrstuvwxyz0123456789ABCD',
    username: 'reporter.acme.com',
    password: 'S3cr3t^&@pass word',
    pbxes: [
      { name: 'acmeny', country: 'US', timeZone: 'America/New_York', extensions: 20 },
      { name: 'acmeuk', country: 'GB', timeZone: 'Europe/London', extensions: 12 },
      { name: 'acmesyd', country: 'AU', timeZone: 'Australia/Sydney', extensions: 10 },
    ],
    seed: 42,
    callsPerDay: 900,
    ...overrides,
  };
}

export function credsOf(t: SimulatorTenantConfig): TenantCredentials {
  return { apiKey: t.apiKey, username: t.username, password: t.password };
}

export interface CapturedLog {
  level: 'warn' | 'info';
  msg: string;
  fields?: Record<string, unknown>;
}

export function captureLogger(): { logger: NonNullable<AnalyticsClientOptions['logger']>; lines: CapturedLog[]; text: () => string } {
  const lines: CapturedLog[] = [];
  return {
    lines,
    logger: {
      warn: (msg, fields) => void lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
      info: (msg, fields) => void lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    },
    text: () => lines.map((l) => `${l.msg} ${JSON.stringify(l.fields ?? {})}`).join('\n'),
  };
}

export interface Harness {
  sim: AnalyticsSimulator;
  clock: TestClock;
  tenant: SimulatorTenantConfig;
  creds: TenantCredentials;
  client: AnalyticsClient;
  sleeps: number[];
  log: ReturnType<typeof captureLogger>;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: { tenant?: Partial<SimulatorTenantConfig>; sim?: Partial<SimulatorOptions>; client?: Partial<AnalyticsClientOptions>; clock?: TestClock } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new TestClock();
  const tenant = tenantConfig(opts.tenant);
  const sim = await AnalyticsSimulator.start({ tenants: [tenant], now: clock.now, ...opts.sim });
  const sleeps: number[] = [];
  const log = captureLogger();
  const client = new AnalyticsClient({
    baseUrl: sim.url,
    now: clock.now,
    logger: log.logger,
    requestTimeoutMs: 2_000,
    retryBaseDelayMs: 1,
    sleep: async (ms) => void sleeps.push(ms),
    ...opts.client,
  });
  return {
    sim,
    clock,
    tenant,
    creds: credsOf(tenant),
    client,
    sleeps,
    log,
    async stop() {
      await client.close();
      await sim.stop();
    },
  };
}

export interface ImportResult {
  records: CallRecord[];
  raw: unknown[];
  quarantined: QuarantinedRecord[];
  pages: number;
  totals: (number | null)[];
  scrollIds: (string | null)[];
}

export async function importAll(client: AnalyticsClient, tenantId: string, creds: TenantCredentials, query: CallRecordQuery): Promise<ImportResult> {
  const out: ImportResult = { records: [], raw: [], quarantined: [], pages: 0, totals: [], scrollIds: [] };
  for await (const page of client.callRecordPages(tenantId, creds, query)) {
    out.records.push(...page.records);
    out.raw.push(...page.raw);
    out.quarantined.push(...page.quarantined);
    out.pages++;
    out.totals.push(page.totalRecordCount);
    out.scrollIds.push(page.scrollId);
  }
  return out;
}

export function idsOf(rows: readonly unknown[]): string[] {
  return rows.map((r) => String((r as { callId: unknown }).callId));
}

/** Nothing lost, nothing twice: imported raw rows equal ground truth exactly (order-insensitive). */
export function assertMatchesGroundTruth(raw: readonly unknown[], truth: readonly Record<string, unknown>[]): void {
  const ids = idsOf(raw);
  assert.equal(new Set(ids).size, ids.length, 'no call imported twice');
  const byId = new Map(raw.map((r) => [String((r as { callId: unknown }).callId), r]));
  const missing = truth.filter((t) => !byId.has(String(t.callId))).map((t) => t.callId);
  assert.deepEqual(missing, [], 'no ground-truth call missing');
  assert.equal(raw.length, truth.length, 'no call beyond ground truth');
  for (const t of truth) assert.deepEqual(byId.get(String(t.callId)), t, `call ${String(t.callId)} identical to ground truth`);
}

/** Asserts no secret appears in any of the given texts. */
export function assertNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const t of texts) {
    for (const s of secrets) {
      if (s) assert.ok(!t.includes(s), `secret leaked into: ${t.slice(0, 200)}`);
    }
    assert.ok(!/eyJhbGciOi/.test(t), `JWT leaked into: ${t.slice(0, 200)}`);
  }
}

export function errorTexts(e: unknown): string[] {
  if (!(e instanceof Error)) return [String(e)];
  const parts = [e.message, String(e.stack ?? ''), JSON.stringify(e)];
  const rec = e as unknown as Record<string, unknown>;
  for (const k of Object.keys(rec)) parts.push(String(rec[k]));
  return parts;
}
