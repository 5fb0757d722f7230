import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AnalyticsSimulator, encodeScrollId } from '../../src/simulator/server';
import { parseCallLeg, parseCallRecord } from '../../src/eightxeight/schemas';
import { DAY, HOUR, T0, TestClock, readExample, tenantConfig } from '../eightxeight/support';

type Json = Record<string, unknown>;
type Page = { meta: { totalRecordCount: number; scrollId: string }; data: Json[] };

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** Fields documented as "string | null" whose examples only happen to show null (spec §5.4/§6). */
const NULLABLE_STRINGS = new Set(['aaDestination', 'parentCallId', 'transferToCallId', 'callerDeviceId', 'calleeDeviceId', 'callerSvcName', 'callerSvcType', 'calleeSvcName', 'calleeSvcType']);

function typesByKey(rows: Json[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) (m.get(k) ?? m.set(k, new Set()).get(k))?.add(jsonType(v));
  return m;
}

function assertSameShape(simRows: Json[], exampleRows: Json[], what: string): void {
  const exampleKeys = Object.keys(exampleRows[0] ?? {});
  const allowed = typesByKey(exampleRows);
  for (const k of NULLABLE_STRINGS) if (allowed.has(k)) allowed.get(k)?.add('string').add('null');
  for (const row of simRows) {
    assert.deepEqual(Object.keys(row), exampleKeys, `${what}: same keys in the same order`);
    for (const [k, v] of Object.entries(row)) {
      assert.ok(allowed.get(k)?.has(jsonType(v)), `${what}.${k}: JSON type ${jsonType(v)} not seen in the examples`);
      if (Array.isArray(v)) for (const x of v) assert.equal(typeof x, 'string');
    }
  }
}

describe('simulator contract', () => {
  const clock = new TestClock();
  const tenant = tenantConfig();
  let sim: AnalyticsSimulator;
  let token = '';
  const key = tenant.apiKey;

  const get = async (path: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
    const qs = new URLSearchParams(params).toString();
    const res = await fetch(`${sim.url}${path}?${qs}`, { headers: { '8x8-apikey': key, authorization: `Bearer ${token}`, ...headers } });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text) as Json };
  };
  const day = { startTime: '2025-07-14 00:00:00', endTime: '2025-07-15 00:00:00' };

  before(async () => {
    sim = await AnalyticsSimulator.start({ tenants: [tenant], now: clock.now });
    const res = await fetch(`${sim.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { '8x8-apikey': key, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: tenant.username, password: tenant.password }).toString(),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    assert.deepEqual(Object.keys(body), Object.keys(readExample<Json>('token-response.json')));
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 1800);
    token = String(body.access_token);
    const [h, p] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h ?? '', 'base64url').toString()), { alg: 'RS256' });
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Json;
    const example = readExample<{ payload: Json }>('token-claims-decoded.json').payload;
    assert.deepEqual(Object.keys(claims), Object.keys(example));
    assert.equal((claims.exp as number) - (claims.iat as number), 1800);
  });
  after(async () => sim.stop());

  test('call-records rows have the same keys, order and JSON types as the examples', async () => {
    const r = await get('/v2/call-records', { pbxId: 'allpbxes', ...day, timeZone: 'America/New_York', pageSize: '500' });
    assert.equal(r.status, 200);
    const page = r.json as unknown as Page;
    assert.deepEqual(Object.keys(page), ['meta', 'data']);
    assert.deepEqual(Object.keys(page.meta), ['totalRecordCount', 'scrollId']);
    assert.equal(page.data.length, 500);
    const examples = [...readExample<Page>('call-records-page-1.json').data, ...readExample<Page>('call-records-page-2.json').data];
    assertSameShape(page.data, examples, 'record');
    for (const row of page.data) {
      const r = parseCallRecord(row);
      assert.ok(r.ok, r.ok ? '' : r.quarantined.reason);
    }
  });

  test('call-legs rows have the same keys, order and JSON types as the example', async () => {
    const r = await get('/v2/call-legs', { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '300' });
    const page = r.json as unknown as Page;
    assert.ok(page.data.length > 100, 'contract check at line 89');
    assertSameShape(page.data, readExample<Page>('call-legs-page-1.json').data, 'leg');
    for (const row of page.data) {
      const r = parseCallLeg(row);
      assert.ok(r.ok, r.ok ? '' : r.quarantined.reason);
    }
    const last = page.data[page.data.length - 1] as Json;
    assert.equal(Buffer.from(page.meta.scrollId, 'base64url').toString(), `acme_${String(last.callId)}_${String(last.legId)}_${String(last.startTimeUTC)}`);
  });

  test('rendering: local strings in the request zone, HH:MM:SS truncation, "0" connect, durations consistent', async () => {
    const r = await get('/v2/call-records', { pbxId: 'acmeny', ...day, timeZone: 'America/New_York', pageSize: '400' });
    const rows = (r.json as unknown as Page).data;
    let unanswered = 0;
    for (const row of rows) {
      const start = row.startTimeUTC as number;
      assert.match(String(row.startTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-0400$/);
      assert.equal(Date.parse(String(row.startTime).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')), start);
      assert.equal(row.callTime, (row.disconnectedTimeUTC as number) - start);
      const talk = row.talkTimeMS as number;
      const hms = `${String(Math.floor(talk / 3_600_000)).padStart(2, '0')}:${String(Math.floor((talk % 3_600_000) / 60_000)).padStart(2, '0')}:${String(Math.floor((talk % 60_000) / 1000)).padStart(2, '0')}`;
      assert.equal(row.talkTime, hms);
      assert.equal(typeof row.callLegCount, 'string');
      if (row.connectTimeUTC === 0) {
        unanswered++;
        assert.equal(row.connectTime, '0');
        assert.equal(row.talkTimeMS, 0);
        assert.equal(row.answered, '-');
      } else {
        assert.equal(row.talkTimeMS, (row.disconnectedTimeUTC as number) - (row.connectTimeUTC as number));
        assert.equal(row.answered, 'Answered');
      }
    }
    assert.ok(unanswered > 0, 'contract check at line 122');
    // Newest first.
    for (let i = 1; i < rows.length; i++) assert.ok((rows[i - 1]?.startTimeUTC as number) >= (rows[i]?.startTimeUTC as number), 'contract check at line 124');
  });

  test('realistic variety: directions, queues, voicemail labels, multi-leg calls, dispositions', async () => {
    const r = await get('/v2/call-records', { pbxId: 'allpbxes', ...day, timeZone: 'UTC', pageSize: '7000' });
    const rows = (r.json as unknown as Page).data;
    const has = (f: (x: Json) => boolean) => rows.some(f);
    assert.ok(has((x) => x.direction === 'Incoming'));
    assert.ok(has((x) => x.direction === 'Outgoing'));
    assert.ok(has((x) => x.direction === 'Internal'));
    assert.ok(has((x) => x.callee === 'CallQueue' && x.abandoned === 'Abandoned'));
    assert.ok(has((x) => /^Voicemail \(\d+\)$/.test(String(x.callee))), 'contract check at line 135');
    assert.ok(has((x) => x.lastLegDisposition === 'Voicemail' && x.missed === 'Missed' && x.connectTimeUTC === 0));
    assert.ok(has((x) => Number(x.callLegCount) >= 3), 'contract check at line 137');
    assert.ok(has((x) => (x.waitTimeMS as number) > 0), 'contract check at line 138');
    assert.ok(has((x) => (x.calleeHoldDurationMS as number) > 0), 'contract check at line 139');
    const ids = rows.map((x) => x.callId);
    assert.equal(new Set(ids).size, ids.length, 'call ids unique');
  });

  test('external numbers are valid E.164 for AU, GB and US of every billing kind; internal parties are extensions; dnis has no +', async () => {
    const r = await get('/v2/call-records', { pbxId: 'allpbxes', startTime: '2025-07-08 00:00:00', endTime: '2025-07-15 00:00:00', timeZone: 'UTC', pageSize: '7000' });
    const rows = (r.json as unknown as Page).data;
    const kinds = new Map<string, Set<string>>();
    for (const row of rows) {
      assert.doesNotMatch(String(row.dnis), /^\+/);
      for (const party of [row.caller, row.callee].map(String)) {
        if (party.startsWith('+')) {
          const p = parsePhoneNumberFromString(party);
          assert.ok(p?.isValid(), `valid number ${party}`);
          const pbxCountry = row.pbxId === 'acmeny' ? 'US' : row.pbxId === 'acmeuk' ? 'GB' : 'AU';
          const kind = p?.country === pbxCountry ? String(p?.getType()) : 'INTERNATIONAL';
          (kinds.get(pbxCountry) ?? kinds.set(pbxCountry, new Set()).get(pbxCountry))?.add(kind);
        } else {
          assert.match(party, /^(\d{4}|CallQueue|Voicemail \(\d+\))$/);
        }
      }
    }
    assert.ok(kinds.get('AU')?.has('MOBILE') && kinds.get('AU')?.has('TOLL_FREE') && kinds.get('AU')?.has('SHARED_COST') && kinds.get('AU')?.has('FIXED_LINE'));
    assert.ok(kinds.get('GB')?.has('MOBILE') && kinds.get('GB')?.has('TOLL_FREE') && kinds.get('GB')?.has('FIXED_LINE'));
    assert.ok(kinds.get('US')?.has('TOLL_FREE') && kinds.get('US')?.has('FIXED_LINE_OR_MOBILE'));
    for (const c of ['AU', 'GB', 'US']) assert.ok(kinds.get(c)?.has('INTERNATIONAL'), `${c} international`);
  });

  test('paging: stateless repeatable pages, cursor = last row, terminal page exactly as documented', async () => {
    const params = { pbxId: 'acmeuk', startTime: '2025-07-14 09:00:00', endTime: '2025-07-14 10:00:00', timeZone: 'Europe/London', pageSize: '7' };
    const p1 = await get('/v2/call-records', params);
    const again = await get('/v2/call-records', params);
    assert.equal(p1.text, again.text);
    const page1 = p1.json as unknown as Page;
    const last = page1.data[page1.data.length - 1] as Json;
    assert.equal(page1.meta.scrollId, encodeScrollId('acme', String(last.callId), last.startTimeUTC as number));
    assert.doesNotMatch(page1.meta.scrollId, /=/);
    const total = page1.meta.totalRecordCount;
    const seen: Json[] = [...page1.data];
    let scrollId = page1.meta.scrollId;
    for (;;) {
      const p = (await get('/v2/call-records', { ...params, scrollId })).json as unknown as Page;
      if (p.meta.scrollId === 'No Data') {
        assert.deepEqual(p, readExample('call-records-page-3-end.json'));
        break;
      }
      assert.equal(p.meta.totalRecordCount, total);
      seen.push(...p.data);
      scrollId = p.meta.scrollId;
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen.map((s) => s.callId)).size, total);
  });

  test('window bounds are inclusive at second precision: a sloppy :59 end loses the last second', async () => {
    const boundary = Date.parse('2025-07-14T23:59:59.500Z');
    const exact = Date.parse('2025-07-15T00:00:00.000Z');
    const late = sim.faults('acme').addLateCall('acmeuk', boundary);
    const onEdge = sim.faults('acme').addLateCall('acmeuk', exact);
    const ids = async (endTime: string, startTime = '2025-07-14 00:00:00') =>
      ((await get('/v2/call-records', { pbxId: 'acmeuk', startTime, endTime, timeZone: 'UTC', pageSize: '7000' })).json as unknown as Page).data.map((d) => d.callId);
    const sloppy = await ids('2025-07-14 23:59:59');
    assert.ok(!sloppy.includes(late.callId), 'the :59 end drops 23:59:59.500');
    const contiguous = await ids('2025-07-15 00:00:00');
    assert.ok(contiguous.includes(late.callId), 'contract check at line 204');
    assert.ok(contiguous.includes(onEdge.callId), 'end bound inclusive');
    const next = await ids('2025-07-15 01:00:00', '2025-07-15 00:00:00');
    assert.ok(next.includes(onEdge.callId), 'start bound inclusive: the boundary call is in both windows');
  });

  test('order of checks and error bodies (spec §13)', async () => {
    const errors = readExample<Record<string, { status: number; body: Json }>>('errors.json');
    const shape = (b: Json) => Object.keys(b).sort();
    // 1. API key before anything else.
    let r = await get('/v2/call-records', { pageSize: '9999' }, { '8x8-apikey': 'wrong' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, errors.token_invalid_api_key?.body);
    // 2. Bearer before parameters.
    r = await get('/v2/call-records', { pageSize: '9999' }, { authorization: 'Bearer not-a-token' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, errors.get_malformed_bearer?.body);
    r = await get('/v2/call-records', {}, { authorization: '' });
    assert.deepEqual(r.json, errors.get_missing_bearer?.body);
    // 3. Parameters before permission.
    r = await get('/v2/call-records', { pbxId: 'nope', ...day, timeZone: 'UTC', pageSize: '7001' });
    assert.equal(r.status, 400);
    assert.deepEqual(shape(r.json), shape(errors.get_bad_parameter?.body ?? {}));
    assert.equal(r.json.message, 'pageSize must be between 1 and 7000');
    for (const bad of [
      { pbxId: 'acmeny', ...day, timeZone: 'Mars/Base', pageSize: '5' },
      { pbxId: 'acmeny', startTime: '2025-07-14T00:00:00', endTime: day.endTime, timeZone: 'UTC', pageSize: '5' },
      { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '5', scrollId: 'No Data' },
      { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '5', scrollId: 'garbage' },
      { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '5', caller: '1001', callerOrCallee: '1002' },
      { pbxId: 'acmeny', ...day, timeZone: 'UTC' },
    ]) {
      const x = await get('/v2/call-records', bad);
      assert.equal(x.status, 400, JSON.stringify(bad));
      assert.equal(x.json.error, 'Bad Request');
    }
    // 4. Permission: unknown PBX → 403 documented shape.
    r = await get('/v2/call-records', { pbxId: 'acmeny,otherpbx', ...day, timeZone: 'UTC', pageSize: '5' });
    assert.equal(r.status, 403);
    assert.deepEqual(shape(r.json), shape(errors.get_pbx_not_allowed?.body ?? {}));
    assert.equal(r.json.message, 'user(reporter.acme.com) does not have access to pbxId(otherpbx) to make this request.');
    assert.equal(r.json.path, '/api/analytics/report/external/v2/call-records');
    // Essentials user: 105-400-038 comes before the PBX check.
    sim.faults('acme').setAccessLevel('Essentials');
    r = await get('/v2/call-legs', { pbxId: 'otherpbx', ...day, timeZone: 'UTC', pageSize: '5' });
    sim.faults('acme').setAccessLevel('Supervisor');
    assert.equal(r.status, 400);
    assert.deepEqual(shape(r.json), shape(errors.get_no_cdr_permission?.body ?? {}));
    assert.equal(r.json.code, '105-400-038');
    assert.equal(r.json.path, '/api/analytics/report/external/v2/call-legs');
    // Expired token echoes the token.
    clock.advance(1801_000);
    r = await get('/v2/call-records', { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '5' });
    clock.advance(-1801_000);
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'invalid_token');
    assert.equal(r.json.error_description, `Access token expired: ${token}`);
  });

  test('token endpoint errors', async () => {
    const post = async (body: string, ctype = 'application/x-www-form-urlencoded', apiKey = key) => {
      const res = await fetch(`${sim.url}/v1/oauth/token`, { method: 'POST', headers: { '8x8-apikey': apiKey, 'content-type': ctype }, body });
      return { status: res.status, json: (await res.json()) as Json };
    };
    const errors = readExample<Record<string, { status: number; body: Json }>>('errors.json');
    assert.deepEqual(await post('username=x&password=y', undefined, 'bad'), { status: 400, json: errors.token_invalid_api_key?.body });
    assert.deepEqual(await post(new URLSearchParams({ username: 'nobody', password: 'x' }).toString()), { status: 400, json: errors.token_unknown_user?.body });
    assert.deepEqual(await post(new URLSearchParams({ username: tenant.username, password: 'wrong' }).toString()), { status: 400, json: errors.token_wrong_password?.body });
    const json = await post(JSON.stringify({ username: tenant.username, password: tenant.password }), 'application/json');
    assert.equal(json.status, 400);
    assert.equal(json.json.error, 'invalid_grant');
  });

  test('PBX list (schema form) with opaque ids; names are what the CDR endpoints take', async () => {
    const r = await get('/v2/pbxes/', { page: '0', size: '50' });
    assert.equal(r.status, 200);
    const ex = readExample<Json>('pbxes-page.json');
    assert.deepEqual(Object.keys(r.json), Object.keys(ex));
    const list = (r.json._embedded as { pbxList: Json[] }).pbxList;
    assert.deepEqual(list.map((p) => p.name), ['acmeny', 'acmeuk', 'acmesyd']);
    for (const p of list) assert.match(String(p.id), /^[A-Za-z0-9]{22}$/);
  });

  test('call legs are consistent with call records; isSimplified drops agent offers; isConnectTime filters on connect', async () => {
    const w = { pbxId: 'acmesyd', startTime: '2025-07-14 00:00:00', endTime: '2025-07-14 06:00:00', timeZone: 'UTC' };
    const records = ((await get('/v2/call-records', { ...w, pageSize: '7000' })).json as unknown as Page).data;
    const legs = sim.groundTruthLegs('acme', 'acmesyd', Date.parse('2025-07-14T00:00:00Z'), Date.parse('2025-07-14T06:00:00Z'));
    for (const rec of records) {
      const mine = legs.filter((l) => l.callId === rec.callId);
      assert.equal(String(mine.length), rec.callLegCount);
      for (const l of mine) {
        assert.ok((l.startTimeUTC as number) >= (rec.startTimeUTC as number), `leg ${String(l.callId)}/${String(l.legId)} starts after its call`);
        assert.ok((l.disconnectedTimeUTC as number) <= (rec.disconnectedTimeUTC as number), `leg ${String(l.callId)}/${String(l.legId)} ends with its call`);
      }
    }
    const full = ((await get('/v2/call-legs', { ...w, pageSize: '7000' })).json as unknown as Page);
    const simple = ((await get('/v2/call-legs', { ...w, pageSize: '7000', isSimplified: 'true' })).json as unknown as Page);
    assert.ok(simple.data.length < full.data.length, 'contract check at line 301');
    assert.equal(full.meta.totalRecordCount, full.data.length);
    const lo = Date.parse('2025-07-14T00:00:00Z');
    const hi = Date.parse('2025-07-14T06:00:00Z');
    for (const l of full.data) assert.ok((l.disconnectedTimeUTC as number) >= lo && (l.disconnectedTimeUTC as number) <= hi, 'contract check at line 305');
    const byConnect = ((await get('/v2/call-legs', { ...w, pageSize: '7000', isConnectTime: 'true' })).json as unknown as Page);
    for (const l of byConnect.data) assert.ok((l.connectTimeUTC as number) >= lo && (l.connectTimeUTC as number) <= hi, 'contract check at line 307');
    // Legs newest first by start, then callId, legId.
    for (let i = 1; i < full.data.length; i++) assert.ok((full.data[i - 1]?.startTimeUTC as number) >= (full.data[i]?.startTimeUTC as number), 'contract check at line 309');
  });

  test('caller/callee filters are exact matches on extensions', async () => {
    const r = await get('/v2/call-records', { pbxId: 'acmeny', ...day, timeZone: 'UTC', pageSize: '7000', caller: '1001,1002' });
    const rows = (r.json as unknown as Page).data;
    assert.ok(rows.length > 0, 'contract check at line 315');
    assert.ok(rows.every((x) => x.caller === '1001' || x.caller === '1002'));
    assert.equal((r.json.meta as Json).totalRecordCount, rows.length);
  });

  test('busy hours and quiet nights', () => {
    const nyHour = (h: number) => sim.groundTruth('acme', 'acmeny', Date.parse('2025-07-14T00:00:00Z') + h * HOUR, Date.parse('2025-07-14T00:00:00Z') + (h + 1) * HOUR).length;
    // 14:00 UTC = 10:00 New York; 07:00 UTC = 03:00 New York.
    assert.ok(nyHour(14) > 5 * Math.max(1, nyHour(7)), `busy ${nyHour(14)} vs night ${nyHour(7)}`);
  });
});

describe('simulator data semantics', () => {
  test('deterministic per seed, different across seeds; ids unique and stable', async () => {
    const clock = new TestClock();
    const a = await AnalyticsSimulator.start({ tenants: [tenantConfig()], now: clock.now });
    const b = await AnalyticsSimulator.start({ tenants: [tenantConfig()], now: clock.now });
    const c = await AnalyticsSimulator.start({ tenants: [tenantConfig({ seed: 43 })], now: clock.now });
    try {
      const from = T0 - 2 * DAY;
      const ga = a.groundTruth('acme', 'allpbxes', from, T0);
      assert.deepEqual(b.groundTruth('acme', 'allpbxes', from, T0), ga);
      assert.notDeepEqual(c.groundTruth('acme', 'allpbxes', from, T0), ga);
      assert.equal(new Set(ga.map((r) => r.callId)).size, ga.length);
      // A sub-window is exactly the matching slice of the bigger window.
      const sub = a.groundTruth('acme', 'allpbxes', from + 5 * HOUR + 1234, from + 9 * HOUR);
      assert.deepEqual(sub, ga.filter((r) => (r.startTimeUTC as number) >= from + 5 * HOUR + 1234 && (r.startTimeUTC as number) < from + 9 * HOUR));
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  test('ingest delay: calls become visible only once disconnected + delay <= now; 2-year retention', async () => {
    const clock = new TestClock();
    const sim = await AnalyticsSimulator.start({ tenants: [tenantConfig({ ingestDelayMs: 10 * 60_000 })], now: clock.now });
    try {
      const before = sim.groundTruth('acme', 'allpbxes', T0 - HOUR, T0);
      for (const r of before) assert.ok((r.disconnectedTimeUTC as number) + 600_000 <= T0, 'contract check at line 352');
      clock.advance(HOUR);
      const later = sim.groundTruth('acme', 'allpbxes', T0 - HOUR, T0);
      assert.ok(later.length > before.length, 'contract check at line 355');
      assert.equal(sim.groundTruth('acme', 'allpbxes', T0 - 800 * DAY, T0 - 740 * DAY).length, 0);
    } finally {
      await sim.stop();
    }
  });

  test('a 7000-row page over 3 PBXes is cheap to serve', async () => {
    const clock = new TestClock();
    const sim = await AnalyticsSimulator.start({ tenants: [tenantConfig({ callsPerDay: 50_000 })], now: clock.now });
    try {
      const t = Date.now();
      const rows = sim.groundTruth('acme', 'allpbxes', T0 - DAY / 2, T0);
      assert.ok(rows.length > 7000, 'contract check at line 368');
      assert.ok(Date.now() - t < 5_000, `took ${Date.now() - t} ms`);
    } finally {
      await sim.stop();
    }
  });
});
