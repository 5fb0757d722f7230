import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { quarantineRecords, upsertCalls, type StorableCallRecord } from '../../src/calls/store';
import { openTestDatabase } from '../support/db';

let t: Awaited<ReturnType<typeof openTestDatabase>>;
before(async () => {
  t = await openTestDatabase();
});
after(() => t?.close());

function call(id: string, talk = 60_000): { record: StorableCallRecord; raw: unknown } {
  const record: StorableCallRecord = {
    callId: id,
    pbxId: 'acmesyd',
    direction: 'Outgoing',
    startTimeUTC: 1_752_000_000_000,
    connectTimeUTC: 1_752_000_005_000,
    disconnectedTimeUTC: 1_752_000_005_000 + talk,
    talkTimeMS: talk,
    callTime: talk + 5000,
    caller: '1001',
    callee: '+61398765432',
    callerId: 'Alice,+61390001000',
    dnis: '61398765432',
    answered: 'Answered',
    missed: '-',
    abandoned: '-',
    callLegCount: 1,
  };
  return { record, raw: { ...record, callLegCount: String(record.callLegCount), extra: 'kept as received' } };
}

test('records are stored once by their natural key; a repeat changes nothing; changed content is updated', async () => {
  const first = await upsertCalls(t.db, 'acme', [call('1'), call('2'), call('3')]);
  assert.deepEqual(first, { inserted: 3, updated: 0, unchanged: 0 });

  const before = await t.db.selectFrom('calls').selectAll().orderBy('call_id').execute();
  const again = await upsertCalls(t.db, 'acme', [call('1'), call('2'), call('3')]);
  assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 3 });
  assert.deepEqual(await t.db.selectFrom('calls').selectAll().orderBy('call_id').execute(), before);

  const changed = await upsertCalls(t.db, 'acme', [call('2', 75_000), call('4')]);
  assert.deepEqual(changed, { inserted: 1, updated: 1, unchanged: 0 });
  const row = await t.db.selectFrom('calls').selectAll().where('call_id', '=', '2').executeTakeFirstOrThrow();
  assert.equal(row.talk_time_ms, 75_000);
  assert.equal(row.revision, 2);
  assert.equal(row.answered, true);
  assert.deepEqual((row.raw as { extra: string }).extra, 'kept as received');
});

test('the same call twice in one batch is stored once, and tenants never mix', async () => {
  const r = await upsertCalls(t.db, 'other', [call('9'), call('9')]);
  assert.deepEqual(r, { inserted: 1, updated: 0, unchanged: 1 });
  const count = await t.db.selectFrom('calls').select(t.db.fn.countAll<string>().as('n')).where('call_id', '=', '9').executeTakeFirstOrThrow();
  assert.equal(count.n, '1');
});

test('quarantined records are kept once each with their reason', async () => {
  const ctx = { source: 'call-records', pbx: 'acmesyd', windowStart: new Date(0), windowEnd: new Date(86_400_000) };
  const items = [{ reason: 'callId: missing', raw: { startTimeUTC: 1 } }, { reason: 'talkTimeMS: not a number', raw: { callId: 'x', talkTimeMS: 'abc' } }];
  assert.equal(await quarantineRecords(t.db, 'acme', ctx, items), 2);
  assert.equal(await quarantineRecords(t.db, 'acme', ctx, items), 0, 'a retried page does not quarantine twice');
  const rows = await t.db.selectFrom('quarantined_records').select(['reason', 'raw']).orderBy('reason').execute();
  assert.deepEqual(rows.map((r) => r.reason), ['callId: missing', 'talkTimeMS: not a number']);
});
