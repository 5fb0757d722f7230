import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolLedger, rateInOrder, type RateRequest } from '../../src/rating';
import { amountOf, at, rate, req, row, tariffs, TZ } from './helpers';

const pooled = (o = {}) => tariffs([row({ includedPool: 'P', connectFeeMicro: 100_000, ...o })], { includedPools: { P: 120 } });

describe('included minutes (per customer, per calendar month, consumed in start-time order)', () => {
  test('a call fully inside the allowance costs nothing, not even the connect fee', () => {
    const ledger = new PoolLedger();
    const r = rate(pooled(), req({ seconds: 90 }), ledger);
    assert.equal(amountOf(r), 0);
    assert.equal(r.status === 'rated' && r.derivation.note, 'included');
    assert.equal(r.status === 'rated' && r.derivation.includedSecondsUsed, 120); // 60/60 billed 120 s
  });
  test('exactly exhausting the allowance, the next call pays in full', () => {
    const ledger = new PoolLedger();
    const t = pooled();
    assert.equal(amountOf(rate(t, req({ callId: 'a', seconds: 120 }), ledger)), 0);
    assert.equal(amountOf(rate(t, req({ callId: 'b', seconds: 60 }), ledger)), 700_000);
  });
  test('a call straddling the end of the allowance pays only the remainder plus connect fee', () => {
    const ledger = new PoolLedger();
    const t = pooled({ initialIncrement: 1, subsequentIncrement: 1 });
    assert.equal(amountOf(rate(t, req({ callId: 'a', seconds: 100 }), ledger)), 0);
    const r = rate(t, req({ callId: 'b', seconds: 50 }), ledger);
    assert.equal(amountOf(r), 100_000 + 30 * 10_000);
    assert.equal(r.status === 'rated' && r.derivation.pool?.remainingBefore, 20);
  });
  test('the allowance resets on the 1st of the month in the customer zone', () => {
    const ledger = new PoolLedger();
    const t = pooled();
    assert.equal(amountOf(rate(t, req({ callId: 'a', answerLocal: '2025-07-31T23:00:00', seconds: 120 }), ledger)), 0);
    assert.equal(amountOf(rate(t, req({ callId: 'b', answerLocal: '2025-08-01T00:30:00', seconds: 60 }), ledger)), 0);
  });
  test('pools are per customer', () => {
    const ledger = new PoolLedger();
    const t = pooled();
    assert.equal(amountOf(rate(t, req({ seconds: 120 }), ledger, 'A')), 0);
    assert.equal(amountOf(rate(t, req({ seconds: 120 }), ledger, 'B')), 0);
    assert.equal(amountOf(rate(t, req({ seconds: 60 }), ledger, 'A')), 700_000);
  });
  test('consumption is deterministic regardless of input order (start time, then call id)', () => {
    const t = pooled({ initialIncrement: 1, subsequentIncrement: 1 });
    const base = at('2025-07-14T10:00:00');
    const calls: RateRequest[] = [];
    for (let i = 0; i < 12; i++) calls.push(req({ callId: `c${String(i).padStart(2, '0')}`, answerMs: base + (i % 4) * 60_000, startMs: base + (i % 4) * 60_000, seconds: 17 + i }));
    const run = (list: RateRequest[]) =>
      rateInOrder(list.map((r) => ({ request: r, scope: { tariffGroup: 'G', timeZone: TZ, poolScope: 'c' } })), t).map((x) => [x.item.request.callId, amountOf(x.result)]);
    const forward = run(calls);
    const backward = run([...calls].reverse());
    assert.deepEqual(forward, backward);
    assert.ok(forward.some(([, a]) => a === 0) && forward.some(([, a]) => (a as number) > 0));
  });
});
