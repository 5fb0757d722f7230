import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EightByEightError, type EightByEightErrorKind } from '../../src/eightxeight/errors';
import type { AnalyticsClient, CallRecordQuery } from '../../src/eightxeight/client';
import type { TenantCredentials } from '../../src/eightxeight/credentials';
import {
  DAY,
  HOUR,
  TestClock,
  assertMatchesGroundTruth,
  assertNoSecrets,
  errorTexts,
  idsOf,
  importAll,
  startHarness,
  type Harness,
} from './support';

const FROM = Date.parse('2025-07-14T08:00:00Z');
const TO = Date.parse('2025-07-14T14:00:00Z');
const query = (over: Partial<CallRecordQuery> = {}): CallRecordQuery => ({ pbx: 'allpbxes', fromMs: FROM, toMs: TO, pageSize: 50, ...over });

/** Everything any test logged or threw, checked for secrets at the end. */
const seenTexts: string[] = [];
const seenSecrets = new Set<string>();

async function withHarness(opts: Parameters<typeof startHarness>[0], fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness(opts);
  seenSecrets.add(h.tenant.apiKey);
  seenSecrets.add(h.tenant.password);
  try {
    await fn(h);
  } finally {
    for (const t of h.sim.issuedTokens()) seenSecrets.add(t);
    seenTexts.push(h.log.text(), JSON.stringify(h.sim.requestLog));
    await h.stop();
  }
}

async function expectError(p: Promise<unknown>, kind: EightByEightErrorKind): Promise<EightByEightError> {
  try {
    await p;
  } catch (e) {
    seenTexts.push(...errorTexts(e));
    assert.ok(e instanceof EightByEightError, `expected EightByEightError, got ${String(e)}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    return e;
  }
  assert.fail(`expected a ${kind} error`);
}

function importOf(client: AnalyticsClient, h: Harness, q: CallRecordQuery = query(), creds: TenantCredentials = h.creds) {
  return importAll(client, h.tenant.tenantId, creds, q);
}

const dataRequests = (h: Harness) => h.sim.requestLog.filter((r) => r.path.endsWith('/v2/call-records'));
const tokenPosts = (h: Harness) => h.sim.requestLog.filter((r) => r.method === 'POST');

describe('AnalyticsClient against the simulator: happy path', () => {
  test('imports a window over 3 PBXes exactly, all params on every page, UTC, contiguous bounds, one token', async () => {
    await withHarness({}, async (h) => {
      const truth = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      assert.ok(truth.length > 150, `enough calls (${truth.length})`);
      const res = await importOf(h.client, h);
      assertMatchesGroundTruth(res.raw, truth);
      assert.deepEqual(idsOf(res.records), idsOf(res.raw));
      assert.ok(res.pages > 3, 'several pages');
      assert.deepEqual(res.totals, [truth.length, ...Array(res.pages - 1).fill(null)]);
      // The last data page still carries a real cursor (the end is the extra "No Data" answer); resuming from it yields nothing.
      const lastCursor = res.scrollIds[res.scrollIds.length - 1];
      assert.ok(lastCursor, 'real cursor on the last data page');
      assert.equal((await importOf(h.client, h, query({ resumeScrollId: lastCursor }))).pages, 0);
      h.sim.clearRequestLog();
      await importOf(h.client, h);
      const reqs = dataRequests(h);
      assert.equal(reqs.length, res.pages + 1, 'one extra request for the "No Data" page');
      for (const [i, r] of reqs.entries()) {
        assert.equal(r.query.pbxId, 'allpbxes');
        assert.equal(r.query.startTime, '2025-07-14 08:00:00');
        assert.equal(r.query.endTime, '2025-07-14 14:00:00');
        assert.equal(r.query.timeZone, 'UTC');
        assert.equal(r.query.pageSize, '50');
        assert.equal(r.query.scrollId === undefined, i === 0, 'scrollId on every page but the first');
        assert.notEqual(r.query.scrollId, 'No Data');
        assert.equal(r.status, 200);
      }
      assert.equal(tokenPosts(h).length, 0, 'token cached');
    });
  });

  test('comma list of PBX names and a single PBX', async () => {
    await withHarness({}, async (h) => {
      const two = await importOf(h.client, h, query({ pbx: 'acmeny,acmeuk', pageSize: 100 }));
      assertMatchesGroundTruth(two.raw, h.sim.groundTruth('acme', 'acmeny,acmeuk', FROM, TO));
      const one = await importOf(h.client, h, query({ pbx: 'acmesyd', pageSize: 7000 }));
      assertMatchesGroundTruth(one.raw, h.sim.groundTruth('acme', 'acmesyd', FROM, TO));
      assert.equal(one.pages, 1);
    });
  });

  test('token is cached per tenant and renewed when less than 60 s remain', async () => {
    await withHarness({}, async (h) => {
      await importOf(h.client, h, query({ pageSize: 7000 }));
      await importOf(h.client, h, query({ pageSize: 7000 }));
      assert.equal(tokenPosts(h).length, 1);
      h.clock.advance(1800_000 - 61_000);
      await importOf(h.client, h, query({ pageSize: 7000 }));
      assert.equal(tokenPosts(h).length, 1, 'still 61 s left');
      h.clock.advance(2_000);
      await importOf(h.client, h, query({ pageSize: 7000 }));
      assert.equal(tokenPosts(h).length, 2, 'renewed with 59 s left');
      assert.ok(!h.sim.requestLog.some((r) => r.status === 401), 'never used an expired token');
    });
  });

  test('verifyCredentials always fetches a fresh token; listPbxes gives names and opaque ids', async () => {
    await withHarness({}, async (h) => {
      await h.client.verifyCredentials('acme', h.creds);
      await h.client.verifyCredentials('acme', h.creds);
      assert.equal(tokenPosts(h).length, 2);
      const pbxes = await h.client.listPbxes('acme', h.creds);
      assert.deepEqual(pbxes.map((p) => p.name), ['acmeny', 'acmeuk', 'acmesyd']);
      assert.ok(pbxes.every((p) => /^[A-Za-z0-9]{22}$/.test(p.id) && p.deleted === false), 'opaque ids');
      assert.equal(tokenPosts(h).length, 2, 'listPbxes reused the cached token');
    });
  });

  test('resume from a checkpointed scrollId', async () => {
    await withHarness({}, async (h) => {
      const truth = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      const gen = h.client.callRecordPages('acme', h.creds, query());
      const first = await gen.next();
      const second = await gen.next();
      await gen.return(undefined);
      assert.ok(!first.done && !second.done, 'two pages');
      const checkpoint = second.value?.scrollId ?? undefined;
      assert.ok(checkpoint, 'cursor after page 2');
      const rest = await importOf(h.client, h, query({ resumeScrollId: checkpoint }));
      assert.ok(rest.totals.every((t) => t === null), 'no total on resumed pages');
      assertMatchesGroundTruth([...(first.value?.raw ?? []), ...(second.value?.raw ?? []), ...rest.raw], truth);
    });
  });

  test('call legs: every leg once, window on disconnect time, consistent with callLegCount', async () => {
    await withHarness({}, async (h) => {
      const legs: Record<string, unknown>[] = [];
      let total: number | null = null;
      for await (const page of h.client.callLegPages('acme', h.creds, { ...query({ pbx: 'acmeny', pageSize: 40 }) })) {
        if (page.pageNumber === 1) total = page.totalRecordCount;
        legs.push(...(page.raw as Record<string, unknown>[]));
        assert.equal(page.legs.length, page.raw.length);
      }
      assert.equal(legs.length, total);
      const keys = legs.map((l) => `${String(l.callId)}/${String(l.legId)}`);
      assert.equal(new Set(keys).size, keys.length);
      for (const l of legs) assert.ok((l.disconnectedTimeUTC as number) >= FROM && (l.disconnectedTimeUTC as number) <= TO, 'leg in window');
      const truthLegs = h.sim.groundTruthLegs('acme', 'acmeny', FROM, TO - 4 * HOUR);
      const got = new Set(keys);
      for (const l of truthLegs) {
        if ((l.disconnectedTimeUTC as number) <= TO) assert.ok(got.has(`${String(l.callId)}/${String(l.legId)}`), 'leg of a call in the window');
      }
    });
  });

  test('2-year retention: older windows are clamped with a warning, entirely older ones are skipped', async () => {
    await withHarness({}, async (h) => {
      const twoYearsAgo = Date.parse('2023-07-15T12:00:00Z');
      const res = await importOf(h.client, h, query({ fromMs: twoYearsAgo - 30 * DAY, toMs: twoYearsAgo + HOUR, pageSize: 7000 }));
      assertMatchesGroundTruth(res.raw, h.sim.groundTruth('acme', 'allpbxes', twoYearsAgo, twoYearsAgo + HOUR));
      const req = dataRequests(h)[0];
      assert.equal(req?.query.startTime, '2023-07-15 12:00:00');
      assert.ok(h.log.lines.some((l) => l.level === 'warn' && /clamped/.test(l.msg)), 'clamp warning');
      const before = h.sim.requestLog.length;
      const none = await importOf(h.client, h, query({ fromMs: twoYearsAgo - 60 * DAY, toMs: twoYearsAgo - 30 * DAY }));
      assert.equal(none.pages, 0);
      assert.equal(h.sim.requestLog.length, before, 'no request for a window past retention');
      assert.ok(h.log.lines.some((l) => /older than the 2-year retention/.test(l.msg)), 'skip warning');
    });
  });

  test('invalid queries are rejected before any request', async () => {
    await withHarness({}, async (h) => {
      await expectError(importOf(h.client, h, query({ pageSize: 7001 })), 'bad_request');
      await expectError(importOf(h.client, h, query({ fromMs: TO, toMs: FROM })), 'bad_request');
      assert.equal(h.sim.requestLog.length, 0);
    });
  });
});

describe('AnalyticsClient against the simulator: account faults (operator needed)', () => {
  test('password rotated: credentials_rejected with the operator action, then the new password works', async () => {
    await withHarness({}, async (h) => {
      await importOf(h.client, h, query({ pageSize: 7000 }));
      h.sim.faults('acme').rotatePassword('n3w^&@Passw0rd', { revokeTokens: true });
      seenSecrets.add('n3w^&@Passw0rd');
      const e = await expectError(importOf(h.client, h), 'credentials_rejected');
      assert.equal(e.needsOperator, true);
      assert.equal(e.retryable, false);
      assert.match(e.operatorAction, /password was rejected.*opened Analytics.*rotateCredentials/);
      const fresh = { ...h.creds, password: 'n3w^&@Passw0rd' };
      const res = await importOf(h.client, h, query(), fresh);
      assertMatchesGroundTruth(res.raw, h.sim.groundTruth('acme', 'allpbxes', FROM, TO));
    });
  });

  test('user never opened Analytics: credentials_rejected (400 and the 401 variant)', async () => {
    for (const status of [400, 401] as const) {
      await withHarness({ tenant: { hasOpenedAnalytics: false }, sim: { tokenAuthFailureStatus: status } }, async (h) => {
        const e = await expectError(h.client.verifyCredentials('acme', h.creds), 'credentials_rejected');
        assert.equal(e.status, status);
        assert.equal(tokenPosts(h).length, 1, 'not retried');
        h.sim.faults('acme').neverOpenedAnalytics(false);
        await h.client.verifyCredentials('acme', h.creds);
      });
    }
  });

  test('Essentials user: permission_missing naming the PBX', async () => {
    await withHarness({ tenant: { userAccessLevel: 'Essentials' } }, async (h) => {
      const e = await expectError(importOf(h.client, h, query({ pbx: 'acmeny' })), 'permission_missing');
      assert.equal(e.pbx, 'acmeny');
      assert.equal(e.needsOperator, true);
      assert.match(e.operatorAction, /Supervisor/);
      assert.equal(dataRequests(h).length, 1, 'not retried');
    });
  });

  test('PBX not visible: pbx_not_visible naming the PBX; allpbxes only covers visible PBXes', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').hidePbx('acmeuk');
      const e = await expectError(importOf(h.client, h, query({ pbx: 'acmeny,acmeuk' })), 'pbx_not_visible');
      assert.equal(e.pbx, 'acmeuk');
      assert.equal(e.status, 403);
      assert.match(e.operatorAction, /acmeuk/);
      const all = await importOf(h.client, h, query({ pageSize: 7000 }));
      assert.ok(all.records.every((r) => r.pbxId !== 'acmeuk'), 'hidden PBX absent');
      assertMatchesGroundTruth(all.raw, h.sim.groundTruth('acme', 'allpbxes', FROM, TO));
      assert.deepEqual((await h.client.listPbxes('acme', h.creds)).map((p) => p.name), ['acmeny', 'acmesyd']);
    });
  });

  test('API key revoked: api_key_rejected at the token endpoint and on data calls', async () => {
    await withHarness({}, async (h) => {
      await h.client.verifyCredentials('acme', h.creds);
      h.sim.faults('acme').revokeApiKey();
      const onData = await expectError(importOf(h.client, h), 'api_key_rejected');
      assert.equal(onData.needsOperator, true);
      assert.match(onData.operatorAction, /API key/);
      const onToken = await expectError(h.client.verifyCredentials('acme', h.creds), 'api_key_rejected');
      assert.equal(onToken.status, 400);
      h.sim.faults('acme').restoreApiKey();
      await h.client.verifyCredentials('acme', h.creds);
    });
  });
});

describe('AnalyticsClient against the simulator: transient faults (retried, nothing lost or doubled)', () => {
  const exact = async (h: Harness) => {
    const res = await importOf(h.client, h);
    assertMatchesGroundTruth(res.raw, h.sim.groundTruth('acme', 'allpbxes', FROM, TO));
    return res;
  };

  test('token expiry mid-scroll: renews once and completes', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').expireTokens({ afterRequests: 3 });
      await exact(h);
      assert.equal(tokenPosts(h).length, 2);
      assert.equal(dataRequests(h).filter((r) => r.status === 401).length, 1);
      assert.ok(h.log.lines.some((l) => /renewing once/.test(l.msg)), 'logged');
    });
  });

  test('token refused twice in a row surfaces token_expired (retryable)', async () => {
    await withHarness({}, async (h) => {
      await h.client.verifyCredentials('acme', h.creds);
      h.sim.faults('acme').rejectTokens({ times: 2 });
      const e = await expectError(importOf(h.client, h), 'token_expired');
      assert.equal(e.retryable, true);
      assert.equal(e.status, 401);
      assert.match(e.message, /Access token expired: \[REDACTED\]/);
      assert.equal(tokenPosts(h).length, 2, 'renewed exactly once');
    });
  });

  test('429 bursts honour Retry-After (seconds and HTTP-date); a long burst surfaces rate_limited', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').rateLimit({ times: 2, retryAfter: '3', skip: 1 });
      await exact(h);
      assert.deepEqual(h.sleeps, [3000, 3000]);
      h.sleeps.length = 0;
      h.sim.faults('acme').rateLimit({ times: 1, retryAfter: new Date(h.clock.ms + 5_000).toUTCString() });
      await exact(h);
      assert.deepEqual(h.sleeps, [5000]);
      h.sleeps.length = 0;
      h.sim.faults('acme').rateLimit({ times: 10, retryAfter: null });
      const e = await expectError(importOf(h.client, h), 'rate_limited');
      assert.equal(e.retryable, true);
      assert.equal(e.status, 429);
      assert.equal(h.sleeps.length, 2, 'bounded retries with backoff');
      h.sim.faults('acme').clear();
      h.sim.faults('acme').rateLimit({ times: 1, retryAfter: '120' });
      const big = await expectError(importOf(h.client, h), 'rate_limited');
      assert.equal(big.retryAfterMs, 120_000, 'long waits are left to Temporal');
    });
  });

  test('500 JSON and 503 HTML are retried; a persistent 502 surfaces server_error', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').serverError({ status: 500, skip: 2 });
      h.sim.faults('acme').serverError({ status: 503, json: false, skip: 3 });
      await exact(h);
      assert.deepEqual(dataRequests(h).filter((r) => r.status >= 500).map((r) => r.status).sort(), [500, 503]);
      h.sim.faults('acme').serverError({ status: 502, json: false, times: Infinity });
      const e = await expectError(importOf(h.client, h), 'server_error');
      assert.equal(e.status, 502);
      assert.equal(e.retryable, true);
    });
  });

  test('5xx on the token endpoint is retried too', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').serverError({ status: 503, endpoint: 'token' });
      await exact(h);
      assert.deepEqual(tokenPosts(h).map((r) => r.status), [503, 200]);
    });
  });

  test('slow answers within the timeout are fine; stalls past it are retried, then surface timeout', async () => {
    await withHarness({ client: { requestTimeoutMs: 600 } }, async (h) => {
      h.sim.faults('acme').slow(50, { skip: 1 });
      h.sim.faults('acme').stall({ skip: 3 });
      await exact(h);
      assert.ok(h.log.lines.some((l) => l.fields?.kind === 'timeout'), 'timeout logged and retried');
      h.sim.faults('acme').stall({ times: Infinity });
      const e = await expectError(importOf(h.client, h), 'timeout');
      assert.equal(e.retryable, true);
    });
  });

  test('truncated JSON is retried; persistent truncation surfaces bad_response', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').truncatedJson({ skip: 2 });
      await exact(h);
      h.sim.faults('acme').truncatedJson({ times: Infinity });
      const e = await expectError(importOf(h.client, h), 'bad_response');
      assert.equal(e.retryable, true);
    });
  });

  test('connection reset mid-body is retried; persistent resets surface connection_reset', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').resetMidBody({ skip: 1 });
      await exact(h);
      h.sim.faults('acme').resetMidBody({ times: Infinity });
      const e = await expectError(importOf(h.client, h), 'connection_reset');
      assert.equal(e.retryable, true);
    });
  });

  test('the same record on two pages is delivered once', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').duplicateRows({ times: 3 });
      await exact(h);
    });
  });
});

describe('AnalyticsClient against the simulator: data faults', () => {
  test('malformed rows are quarantined with reasons; everything else is imported exactly', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').malformRecords({ count: 3, mode: 'bad_number' });
      const res = await importOf(h.client, h);
      const truth = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      assert.equal(res.quarantined.length, 3);
      for (const q of res.quarantined) assert.match(q.reason, /call record \d+: field 'talkTimeMS'.*"n\/a"/);
      const qIds = idsOf(res.quarantined.map((q) => q.raw));
      assert.deepEqual([...idsOf(res.raw), ...qIds].sort(), idsOf(truth).sort(), 'imported + quarantined = ground truth');
      assertMatchesGroundTruth(res.raw, truth.filter((t) => !qIds.includes(String(t.callId))));
      assert.ok(h.log.lines.some((l) => /quarantined/.test(l.msg)), 'quarantine logged');
    });
  });

  test('odd but valid rows (integer callLegCount, unknown direction, extra field) are accepted', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').malformRecords({ count: 2, mode: 'tolerable' });
      const res = await importOf(h.client, h);
      assert.equal(res.quarantined.length, 0);
      const odd = res.records.filter((r) => r.direction === 'Forwarded');
      assert.equal(odd.length, 2);
      for (const r of odd) assert.equal(typeof r.callLegCount, 'number');
      assert.equal(res.records.length, h.sim.groundTruth('acme', 'allpbxes', FROM, TO).length);
    });
  });

  test('late records: a re-scan of an already imported window finds them', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').lateArrivals({ count: 4 });
      const before = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      const first = await importOf(h.client, h);
      assertMatchesGroundTruth(first.raw, before);
      const after = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      assert.equal(after.length, before.length + 4, 'four late calls arrived');
      const rescan = await importOf(h.client, h);
      assertMatchesGroundTruth(rescan.raw, after);
    });
  });

  test('records changed after first delivery: the re-scan returns the corrected version', async () => {
    await withHarness({}, async (h) => {
      h.sim.faults('acme').changeAfterServed({ count: 5, deltaMs: 7_000 });
      const first = await importOf(h.client, h);
      const truth = h.sim.groundTruth('acme', 'allpbxes', FROM, TO);
      const byId = new Map(truth.map((t) => [String(t.callId), t]));
      const changed = first.records.filter((r) => byId.get(r.callId)?.disconnectedTimeUTC !== r.disconnectedTimeUTC);
      assert.equal(changed.length, 5);
      for (const c of changed) assert.equal((byId.get(c.callId)?.disconnectedTimeUTC as number) - c.disconnectedTimeUTC, 7_000);
      const rescan = await importOf(h.client, h);
      assertMatchesGroundTruth(rescan.raw, truth);
    });
  });

  test('several tenants with the same simulator stay apart', async () => {
    const clock = new TestClock();
    const { AnalyticsSimulator } = await import('../../src/simulator/server');
    const { AnalyticsClient } = await import('../../src/eightxeight/client');
    const { tenantConfig, credsOf } = await import('./support');
    const a = tenantConfig();
    const b = tenantConfig({ tenantId: 'globex', apiKey: 'eght_GLOBEXKEY000000000000000000000000000000000000', username: 'api.globex.com', password: 'gl0bex!', seed: 7, pbxes: [{ name: 'globexsyd', country: 'AU', timeZone: 'Australia/Sydney' }] });
    const sim = await AnalyticsSimulator.start({ tenants: [a, b], now: clock.now });
    const client = new AnalyticsClient({ baseUrl: sim.url, now: clock.now, retryBaseDelayMs: 1 });
    try {
      const ra = await importAll(client, 'acme', credsOf(a), query({ pageSize: 7000 }));
      const rb = await importAll(client, 'globex', credsOf(b), query({ pageSize: 7000 }));
      assertMatchesGroundTruth(ra.raw, sim.groundTruth('acme', 'allpbxes', FROM, TO));
      assertMatchesGroundTruth(rb.raw, sim.groundTruth('globex', 'allpbxes', FROM, TO));
      assert.ok(rb.records.every((r) => r.pbxId === 'globexsyd'), 'tenant isolation');
      await expectError(importAll(client, 'globex', credsOf(b), query({ pbx: 'acmeny' })), 'pbx_not_visible');
    } finally {
      for (const t of sim.issuedTokens()) seenSecrets.add(t);
      seenSecrets.add(b.password);
      seenSecrets.add(b.apiKey);
      await client.close();
      await sim.stop();
    }
  });
});

describe('secrets', () => {
  test('no API key, password or token in any log line, error or request log of the tests above', () => {
    assert.ok(seenTexts.length > 20, 'captured output');
    assert.ok(seenSecrets.size > 5, 'collected secrets');
    assertNoSecrets(seenTexts, [...seenSecrets]);
  });
});
