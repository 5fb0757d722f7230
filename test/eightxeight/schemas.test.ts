import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallLeg, parseCallRecord, pageEnvelopeSchema, pbxListSchema, tokenResponseSchema } from '../../src/eightxeight/schemas';
import { redactSecrets, credentialsFingerprint } from '../../src/eightxeight/credentials';
import { requestBounds, formatUtcSeconds } from '../../src/eightxeight/time';
import { EightByEightError, parseRetryAfter } from '../../src/eightxeight/errors';
import { readExample } from './support';

type Page = { meta: { totalRecordCount: number; scrollId: string }; data: Record<string, unknown>[] };

describe('contract: every documented example parses', () => {
  for (const file of ['call-records-page-1.json', 'call-records-page-2.json', 'call-records-page-3-end.json']) {
    test(`${file} envelope and rows`, () => {
      const page = readExample<Page>(file);
      assert.ok(pageEnvelopeSchema.safeParse(page).success);
      for (const row of page.data) {
        const r = parseCallRecord(row);
        assert.ok(r.ok, r.ok ? '' : r.quarantined.reason);
        assert.equal(typeof r.record.callLegCount, 'number');
        assert.equal(r.record.callLegCount, Number(row.callLegCount));
        assert.equal(r.record.callTime, (row.disconnectedTimeUTC as number) - (row.startTimeUTC as number));
        assert.equal(r.raw, row, 'raw is the received object');
        assert.equal(r.record.callId, row.callId);
      }
    });
  }

  test('call-legs-page-1.json rows', () => {
    const page = readExample<Page>('call-legs-page-1.json');
    assert.ok(pageEnvelopeSchema.safeParse(page).success);
    for (const row of page.data) {
      const r = parseCallLeg(row);
      assert.ok(r.ok, r.ok ? '' : r.quarantined.reason);
      assert.equal(r.record.legId, row.legId);
    }
  });

  test('token-response.json and pbxes-page.json', () => {
    const t = tokenResponseSchema.parse(readExample('token-response.json'));
    assert.equal(t.expires_in, 1800);
    const p = pbxListSchema.parse(readExample('pbxes-page.json'));
    assert.deepEqual(
      p._embedded?.pbxList?.map((x) => x.name),
      ['acmecorpny', 'acmecorpuk'],
    );
    assert.equal(p.page?.totalPages, 1);
  });

  test('the scrollIds of the examples decode to the last row of their page (cursor anatomy)', () => {
    for (const file of ['call-records-page-1.json', 'call-records-page-2.json']) {
      const page = readExample<Page>(file);
      const last = page.data[page.data.length - 1] as Record<string, unknown>;
      assert.equal(Buffer.from(page.meta.scrollId, 'base64url').toString(), `acmecorp_${String(last.callId)}_${String(last.startTimeUTC)}`);
    }
  });
});

describe('tolerance and quarantine', () => {
  const base = () => ({ ...(readExample<Page>('call-records-page-1.json').data[1] as Record<string, unknown>) });

  test('integer callLegCount, unknown direction and extra fields are accepted and kept', () => {
    const row = { ...base(), callLegCount: 3, direction: 'Forwarded', lra: '120088', brandNewField: { x: 1 } };
    const r = parseCallRecord(row);
    assert.ok(r.ok);
    assert.equal(r.record.callLegCount, 3);
    assert.equal(r.record.direction, 'Forwarded');
    assert.equal((r.record as Record<string, unknown>).lra, '120088');
    assert.deepEqual((r.record as Record<string, unknown>).brandNewField, { x: 1 });
  });

  test('numeric strings are coerced, null names and missing cosmetic fields default', () => {
    const row: Record<string, unknown> = { ...base(), startTimeUTC: '1752519947088', talkTimeMS: '62345', callerName: null, callId: 1752524081290 };
    delete row.departments;
    delete row.callTime;
    const r = parseCallRecord(row);
    assert.ok(r.ok, r.ok ? '' : r.quarantined.reason);
    assert.equal(r.record.startTimeUTC, 1752519947088);
    assert.equal(r.record.talkTimeMS, 62345);
    assert.equal(r.record.callerName, '');
    assert.equal(r.record.callId, '1752524081290');
    assert.deepEqual(r.record.departments, []);
    assert.equal(r.record.callTime, 74218);
  });

  const cases: [string, (r: Record<string, unknown>) => void, RegExp][] = [
    ['missing startTimeUTC', (r) => delete r.startTimeUTC, /field 'startTimeUTC'.*field missing/],
    ['non-numeric talk time', (r) => (r.talkTimeMS = 'n/a'), /field 'talkTimeMS'.*"n\/a"/],
    ['negative duration', (r) => (r.talkTimeMS = -1500), /field 'talkTimeMS'.*-1500/],
    ['end before start', (r) => (r.disconnectedTimeUTC = (r.startTimeUTC as number) - 1), /disconnectedTimeUTC.*before startTimeUTC/],
    ['missing callId', (r) => delete r.callId, /field 'callId'/],
    ['callee not a string', (r) => (r.callee = 1002), /field 'callee'/],
  ];
  for (const [name, mutate, reason] of cases) {
    test(`quarantines a row with ${name}, with a readable reason`, () => {
      const row = base();
      mutate(row);
      const r = parseCallRecord(row);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.quarantined.reason, reason);
        assert.equal(r.quarantined.raw, row);
      }
    });
  }

  test('a row that is not an object is quarantined', () => {
    const r = parseCallRecord('garbage');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.quarantined.reason, /not a JSON object/);
  });
});

describe('helpers', () => {
  test('redactSecrets removes secrets, their encodings and any JWT', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const text = `pw=S3cr3t^&@pass word key=KEY123 enc=${encodeURIComponent('S3cr3t^&@pass word')} form=S3cr3t%5E%26%40pass+word Access token expired: ${jwt}`;
    const out = redactSecrets(text, ['S3cr3t^&@pass word', 'KEY123']);
    assert.ok(!out.includes('S3cr3t'));
    assert.ok(!out.includes('KEY123'));
    assert.ok(!out.includes('eyJ'));
    assert.match(out, /Access token expired: \[REDACTED\]/);
  });

  test('credentialsFingerprint is a hash, not the password', () => {
    const f = credentialsFingerprint('t', { apiKey: 'k', username: 'u', password: 'hunter2' });
    assert.match(f, /^[0-9a-f]{64}$/);
    assert.notEqual(f, credentialsFingerprint('t', { apiKey: 'k', username: 'u', password: 'hunter3' }));
  });

  test('requestBounds: floor start, ceil end, never :59 ends, contiguous windows share their boundary', () => {
    const a = requestBounds(Date.parse('2025-07-14T00:00:00Z'), Date.parse('2025-07-15T00:00:00Z'));
    assert.deepEqual(a, { startTime: '2025-07-14 00:00:00', endTime: '2025-07-15 00:00:00' });
    const b = requestBounds(Date.parse('2025-07-14T10:00:00.400Z'), Date.parse('2025-07-14T11:00:00.400Z'));
    assert.deepEqual(b, { startTime: '2025-07-14 10:00:00', endTime: '2025-07-14 11:00:01' });
    assert.equal(formatUtcSeconds(0), '1970-01-01 00:00:00');
  });

  test('parseRetryAfter: seconds and HTTP-date', () => {
    assert.equal(parseRetryAfter('2', 0), 2000);
    const now = Date.parse('2025-07-15T12:00:00Z');
    assert.equal(parseRetryAfter('Tue, 15 Jul 2025 12:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  test('EightByEightError flags follow the kind', () => {
    const e = new EightByEightError({ kind: 'credentials_rejected', message: 'x' });
    assert.equal(e.retryable, false);
    assert.equal(e.needsOperator, true);
    assert.match(e.operatorAction, /rotateCredentials/);
    const r = new EightByEightError({ kind: 'rate_limited', message: 'x', retryAfterMs: 5 });
    assert.equal(r.retryable, true);
    assert.equal(r.needsOperator, false);
    assert.equal(r.retryAfterMs, 5);
    const p = new EightByEightError({ kind: 'pbx_not_visible', message: 'x', pbx: 'acmeny' });
    assert.match(p.operatorAction, /acmeny/);
  });
});
