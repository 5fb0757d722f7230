import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTariffs, defaultGroupSettings, TariffCompileError, type RateRow } from '../../src/rating';
import { amountOf, rate, req, row, tariffs } from './helpers';

describe('longest-prefix destination match', () => {
  const t = tariffs([
    row({ category: 'international', prefix: '', ratePerMinuteMicro: 1_000_000, source: 'rest' }),
    row({ category: 'international', prefix: '44', ratePerMinuteMicro: 50_000, source: 'uk' }),
    row({ category: 'international', prefix: '447', ratePerMinuteMicro: 200_000, source: 'uk-mobile' }),
    row({ direction: 'outbound', category: 'national', prefix: '61', source: 'national-exact' }),
    row({ direction: 'any', category: 'national', prefix: '61', source: 'national-any-direction' }),
    row({ direction: 'outbound', category: 'any', prefix: '612', source: 'longer-any-category' }),
    row({ direction: 'any', category: 'mobile', prefix: '614', source: 'mobile-any-dir' }),
    row({ direction: 'outbound', category: 'any', prefix: '614', source: 'mobile-any-cat' }),
  ]);
  const cases: { name: string; category: RateRow['category']; destination: string; source: string; prefix: string }[] = [
    { name: 'longest prefix wins over shorter', category: 'international', destination: '447700900123', source: 'uk-mobile', prefix: '447' },
    { name: 'shorter prefix when the longer does not match', category: 'international', destination: '442079460958', source: 'uk', prefix: '44' },
    { name: 'empty prefix is the catch-all', category: 'international', destination: '33142685300', source: 'rest', prefix: '' },
    { name: 'same length: exact direction beats any direction', category: 'national', destination: '61398765432', source: 'national-exact', prefix: '61' },
    { name: 'longer prefix beats a more specific direction/category', category: 'national', destination: '61298765432', source: 'longer-any-category', prefix: '612' },
    { name: 'same length: exact direction (any category) beats exact category (any direction)', category: 'mobile', destination: '61412345678', source: 'mobile-any-cat', prefix: '614' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = rate(t, req({ category: c.category as never, destination: c.destination }));
      assert.equal(r.status, 'rated');
      if (r.status !== 'rated') return;
      assert.equal(r.derivation.rate?.source, c.source);
      assert.equal(r.derivation.matchedPrefix, c.prefix);
    });
  }
  test('no matching rate is unrated with the reason, never zero', () => {
    const r = rate(t, req({ category: 'premium', destination: '611900123456' }));
    assert.equal(r.status, 'unrated');
    assert.equal(r.status === 'unrated' && r.reason, 'no_rate');
  });
  test('inbound rows do not price outbound calls', () => {
    const t2 = tariffs([row({ direction: 'inbound' })]);
    const r = rate(t2, req({ direction: 'outbound' }));
    assert.equal(r.status === 'unrated' && r.reason, 'no_rate');
    assert.equal(amountOf(rate(t2, req({ direction: 'inbound' }))), 600_000);
  });
  test('unknown tariff group is unrated', () => {
    const r = rate(new Map(), req());
    assert.equal(r.status === 'unrated' && r.reason, 'no_tariff_group');
  });
});

describe('rounding: exact until one final rounding per call', () => {
  // 0.05/min, 1/1, 62 s = 0.0516666… exactly.
  const cases: { name: string; decimals: number; mode: 'half_up' | 'up' | 'down'; rate: number; seconds: number; amount: number }[] = [
    { name: '4 decimals half-up rounds 0.05166… up', decimals: 4, mode: 'half_up', rate: 50_000, seconds: 62, amount: 51_700 },
    { name: '4 decimals down', decimals: 4, mode: 'down', rate: 50_000, seconds: 62, amount: 51_600 },
    { name: '2 decimals up (to the cent)', decimals: 2, mode: 'up', rate: 50_000, seconds: 62, amount: 60_000 },
    { name: '2 decimals half-up', decimals: 2, mode: 'half_up', rate: 50_000, seconds: 62, amount: 50_000 },
    { name: 'exact half goes up (0.00005 → 0.0001)', decimals: 4, mode: 'half_up', rate: 300, seconds: 10, amount: 100 },
    { name: 'just below half goes down (0.0000499… → 0)', decimals: 4, mode: 'half_up', rate: 299, seconds: 10, amount: 0 },
    { name: '6 decimals keeps micros; 1/60 micro remainder rounds', decimals: 6, mode: 'half_up', rate: 1, seconds: 31, amount: 1 },
    { name: 'an exact amount is unchanged by up', decimals: 2, mode: 'up', rate: 600_000, seconds: 60, amount: 600_000 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = tariffs([row({ ratePerMinuteMicro: c.rate, initialIncrement: 1, subsequentIncrement: 1 })], { roundingDecimals: c.decimals, roundingMode: c.mode });
      assert.equal(amountOf(rate(t, req({ seconds: c.seconds }))), c.amount);
    });
  }
  test('per-second tails of a per-minute rate do not drift: 1000 one-second calls at 0.01/min', () => {
    // Each call is exactly 1/6000 currency = 166.67 micro: rounding happens per call only.
    const t = tariffs([row({ ratePerMinuteMicro: 10_000, initialIncrement: 1, subsequentIncrement: 1 })], { roundingDecimals: 6 });
    let total = 0;
    for (let i = 0; i < 1000; i++) total += amountOf(rate(t, req({ seconds: 1 })));
    assert.equal(total, 167 * 1000);
  });
});

describe('tariff compilation rejects inconsistent decks', () => {
  test('duplicate row, unknown pool, missing settings', () => {
    assert.throws(
      () =>
        compileTariffs(
          [row({ source: 'a:1' }), row({ source: 'a:2' }), row({ source: 'a:3', prefix: '1', includedPool: 'NOPE' }), row({ source: 'a:4', tariffGroup: 'X' })],
          [defaultGroupSettings('G')],
        ),
      (e: unknown) => e instanceof TariffCompileError && e.problems.length === 3 && e.problems.some((p) => p.includes('a:2: duplicates a:1')),
    );
  });
});
