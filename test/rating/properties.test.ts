import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTariffs, defaultGroupSettings, PoolLedger, rateCall, replayDerivation, roundAmount60, type RateRow } from '../../src/rating';
import { req, row } from './helpers';

const rowArb = fc
  .record({
    ratePerMinuteMicro: fc.integer({ min: 0, max: 1_000_000_000 }),
    connectFeeMicro: fc.integer({ min: 0, max: 5_000_000 }),
    minimumChargeMicro: fc.integer({ min: 0, max: 5_000_000 }),
    extraMax: fc.option(fc.integer({ min: 0, max: 100_000_000 }), { nil: null }),
    freeSeconds: fc.integer({ min: 0, max: 120 }),
    freeSecondsMode: fc.constantFrom('grace' as const, 'deduct' as const),
    initialIncrement: fc.integer({ min: 1, max: 120 }),
    subsequentIncrement: fc.integer({ min: 1, max: 120 }),
    band: fc.constantFrom('any' as const, 'offpeak' as const),
  })
  .map(({ extraMax, ...r }): RateRow => row({ ...r, maximumChargeMicro: extraMax === null ? null : r.minimumChargeMicro + extraMax }));

const settingsArb = fc.record({
  bandRule: fc.constantFrom('start' as const, 'split' as const),
  roundingDecimals: fc.integer({ min: 0, max: 6 }),
  roundingMode: fc.constantFrom('half_up' as const, 'up' as const, 'down' as const),
});

// Instants spread over 2025, including DST change days in Melbourne.
const answerArb = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 0, 1) });

describe('properties', () => {
  test('the amount never decreases as the duration grows', () => {
    fc.assert(
      fc.property(rowArb, settingsArb, answerArb, fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 200_000 }), (r, s, answerMs, a, b) => {
        // A second, cheaper band row makes split-mode spans price differently.
        const peak: RateRow = { ...r, band: 'peak', ratePerMinuteMicro: Math.floor(r.ratePerMinuteMicro / 3) };
        const t = compileTariffs([r, peak], [{ ...defaultGroupSettings('G'), ...s }]);
        const [short, long] = a <= b ? [a, b] : [b, a];
        const scope = { tariffGroup: 'G', timeZone: 'Australia/Melbourne', poolScope: 'p' };
        const x = rateCall(req({ answerMs, talkMs: short * 10 }), t, scope, new PoolLedger());
        const y = rateCall(req({ answerMs, talkMs: long * 10 }), t, scope, new PoolLedger());
        if (x.status !== 'rated' || y.status !== 'rated') return x.status === y.status || x.status === 'rated';
        return x.amountMicro <= y.amountMicro;
      }),
      { numRuns: 2000 },
    );
  });

  test('replaying a derivation reproduces the amount; re-rating gives the identical derivation', () => {
    fc.assert(
      fc.property(rowArb, settingsArb, answerArb, fc.integer({ min: 0, max: 20_000_000 }), (r, s, answerMs, talkMs) => {
        const t = compileTariffs([r, { ...r, band: 'weekend', ratePerMinuteMicro: 7 }], [{ ...defaultGroupSettings('G'), ...s }]);
        const scope = { tariffGroup: 'G', timeZone: 'Australia/Melbourne', poolScope: 'p' };
        const first = rateCall(req({ answerMs, talkMs }), t, scope, new PoolLedger());
        const again = rateCall(req({ answerMs, talkMs }), t, scope, new PoolLedger());
        assert.deepEqual(again, first);
        if (first.status === 'rated') {
          assert.equal(replayDerivation(first.derivation), first.amountMicro);
          assert.equal(first.derivation.spans.reduce((n, sp) => n + sp.seconds, 0), first.derivation.billedSeconds);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('integer rounding equals a bigint reference for any amount within the proven bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_100_000_000_000_000 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('half_up' as const, 'up' as const, 'down' as const), (a60, dec, mode) => {
        const step = 10n ** BigInt(6 - dec);
        const d = 60n * step;
        const A = BigInt(a60);
        let q = A / d;
        const rem = A % d;
        if (rem > 0n && (mode === 'up' || (mode === 'half_up' && 2n * rem >= d))) q += 1n;
        assert.equal(BigInt(roundAmount60(a60, dec, mode)), q * step);
      }),
      { numRuns: 5000 },
    );
  });
});
