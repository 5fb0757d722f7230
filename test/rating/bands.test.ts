import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolLedger, rateCall, type Band } from '../../src/rating';
import { amountOf, at, rate, req, row, tariffs, TZ } from './helpers';

const bandRows = [
  row({ band: 'peak', ratePerMinuteMicro: 120_000, source: 'peak' }),
  row({ band: 'offpeak', ratePerMinuteMicro: 60_000, source: 'offpeak' }),
  row({ band: 'weekend', ratePerMinuteMicro: 30_000, source: 'weekend' }),
  row({ band: 'holiday', ratePerMinuteMicro: 0, source: 'holiday' }),
];

describe('time bands judged in the customer time zone (Australia/Melbourne)', () => {
  const t = tariffs(bandRows, { holidays: ['2025-12-25'] });
  const cases: { name: string; local: string; band: Band }[] = [
    { name: 'Monday 07:59:59 is off-peak', local: '2025-07-14T07:59:59', band: 'offpeak' },
    { name: 'Monday exactly 08:00:00 is peak', local: '2025-07-14T08:00:00', band: 'peak' },
    { name: 'Monday 17:59:59 is peak', local: '2025-07-14T17:59:59', band: 'peak' },
    { name: 'Monday exactly 18:00:00 is off-peak', local: '2025-07-14T18:00:00', band: 'offpeak' },
    { name: 'Saturday noon is weekend', local: '2025-07-19T12:00:00', band: 'weekend' },
    { name: 'Sunday 23:59:59 is weekend', local: '2025-07-20T23:59:59', band: 'weekend' },
    { name: 'Monday 00:00:00 is off-peak', local: '2025-07-21T00:00:00', band: 'offpeak' },
    { name: 'Christmas (a Thursday) at 10:00 is holiday', local: '2025-12-25T10:00:00', band: 'holiday' },
    { name: 'Monday 00:30 local is Sunday 14:30 UTC: still Monday off-peak', local: '2025-07-14T00:30:00', band: 'offpeak' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = rate(t, req({ answerLocal: c.local, seconds: 30 }));
      assert.equal(r.status === 'rated' && r.derivation.bandAtAnswer, c.band);
      assert.equal(r.status === 'rated' && r.derivation.rate?.source, c.band);
    });
  }
  test('the same instant is a different band for a customer in another zone', () => {
    const ms = at('2025-07-14T10:00:00'); // Monday 10:00 Melbourne = Monday 01:00 London
    const r = rateCall(req({ answerMs: ms }), t, { tariffGroup: 'G', timeZone: 'Europe/London', poolScope: 'x' }, new PoolLedger());
    assert.equal(r.status === 'rated' && r.derivation.bandAtAnswer, 'offpeak');
  });
  test('band fallback: holiday → weekend → offpeak → any', () => {
    const t2 = tariffs([row({ band: 'offpeak', source: 'offpeak' }), row({ band: 'peak', source: 'peak' })], { holidays: ['2025-12-25'] });
    const sat = rate(t2, req({ answerLocal: '2025-07-19T12:00:00' }));
    assert.equal(sat.status === 'rated' && sat.derivation.rate?.source, 'offpeak');
    const xmas = rate(t2, req({ answerLocal: '2025-12-25T12:00:00' }));
    assert.equal(xmas.status === 'rated' && xmas.derivation.rate?.source, 'offpeak');
  });
  test('a destination without a row for the band is unrated (no_rate_for_band)', () => {
    const t3 = tariffs([row({ band: 'peak' })]);
    const r = rate(t3, req({ answerLocal: '2025-07-14T20:00:00' }));
    assert.equal(r.status === 'unrated' && r.reason, 'no_rate_for_band');
  });
});

describe('calls crossing a band boundary, midnight and DST', () => {
  // 0.12 peak, 0.06 off-peak, 0.03 weekend per minute; increments 1/1 so spans are exact.
  const rows = bandRows.map((r) => ({ ...r, initialIncrement: 1, subsequentIncrement: 1 }));
  const start = tariffs(rows, { bandRule: 'start', roundingDecimals: 6 });
  const split = tariffs(rows, { bandRule: 'split', roundingDecimals: 6 });
  test('start rule: answered 17:59:30 for 120 s, all peak', () => {
    const r = rate(start, req({ answerLocal: '2025-07-14T17:59:30', seconds: 120 }));
    assert.equal(amountOf(r), 240_000);
  });
  test('split rule: answered 17:59:30 for 120 s = 30 s peak + 90 s off-peak', () => {
    const r = rate(split, req({ answerLocal: '2025-07-14T17:59:30', seconds: 120 }));
    assert.equal(amountOf(r), 60_000 + 90_000);
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['peak', 30], ['offpeak', 90]]);
  });
  test('split rule: a call answered at a fractional second puts the second that starts before 18:00 in peak', () => {
    const r = rate(split, req({ answerMs: at('2025-07-14T17:59:58.500'), seconds: 3 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['peak', 2], ['offpeak', 1]]);
  });
  test('split rule: exactly at the band change, all in the new band', () => {
    const r = rate(split, req({ answerLocal: '2025-07-14T18:00:00', seconds: 60 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['offpeak', 60]]);
  });
  test('split rule: across midnight Friday → Saturday', () => {
    const r = rate(split, req({ answerLocal: '2025-07-18T23:59:00', seconds: 120 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['offpeak', 60], ['weekend', 60]]);
    assert.equal(amountOf(r), 60_000 + 30_000);
  });
  test('start rule: across midnight uses the band at answer', () => {
    assert.equal(amountOf(rate(start, req({ answerLocal: '2025-07-18T23:59:00', seconds: 120 }))), 120_000);
  });
  test('split rule: a long call spanning a whole day has one span per band change', () => {
    const r = rate(split, req({ answerLocal: '2025-07-14T07:00:00', seconds: 86_400 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['offpeak', 3600], ['peak', 36_000], ['offpeak', 46_800]]);
  });
  test('DST start (Melbourne 2025-10-05 02:00 → 03:00): peak from 03:00 local begins 30 real minutes after 01:30', () => {
    const t = tariffs(rows, { bandRule: 'split', roundingDecimals: 6, peakDays: [1, 2, 3, 4, 5, 6, 7], weekendDays: [], peakStart: '03:00', peakEnd: '18:00' });
    const r = rate(t, req({ answerLocal: '2025-10-05T01:30:00', seconds: 3600 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['offpeak', 1800], ['peak', 1800]]);
    assert.equal(r.status === 'rated' && r.derivation.billedSeconds, 3600); // real seconds, not wall-clock
  });
  test('DST end (Melbourne 2025-04-06 03:00 → 02:00): the repeated hour is real time, midnight split still exact', () => {
    const t = tariffs(rows, { bandRule: 'split', roundingDecimals: 6, peakDays: [7], weekendDays: [6], peakStart: '00:00', peakEnd: '24:00' });
    // Saturday 23:00 AEDT for 5 real hours: 1 h Saturday (weekend) then 4 h Sunday (peak all day), across the fall-back.
    const r = rate(t, req({ answerLocal: '2025-04-05T23:00:00', seconds: 5 * 3600 }));
    assert.deepEqual(r.status === 'rated' && r.derivation.spans.map((s) => [s.band, s.seconds]), [['weekend', 3600], ['peak', 4 * 3600]]);
  });
  test('split rule keeps increments, connect fee and minimum from the row at answer', () => {
    const rows2 = bandRows.map((r) => ({ ...r, connectFeeMicro: r.band === 'peak' ? 100_000 : 999_000 }));
    const t = tariffs(rows2, { bandRule: 'split', roundingDecimals: 6 });
    const r = rate(t, req({ answerLocal: '2025-07-14T17:59:30', seconds: 61 }));
    // 60/60 from the peak row: billed 120 s = 30 s peak + 90 s off-peak, connect fee of the peak row.
    assert.equal(amountOf(r), 100_000 + 60_000 + 90_000);
  });
});

describe('effective-dated versions judged on the local date', () => {
  const t = tariffs([row({ effectiveFrom: '2025-01-01', ratePerMinuteMicro: 100_000 }), row({ effectiveFrom: '2025-07-01', ratePerMinuteMicro: 200_000 })]);
  test('last second of June local uses the old version', () => {
    const r = rate(t, req({ answerLocal: '2025-06-30T23:59:59' }));
    assert.equal(r.status === 'rated' && r.derivation.version, '2025-01-01');
  });
  test('1 July 00:30 local (still 30 June in UTC) uses the new version', () => {
    const r = rate(t, req({ answerLocal: '2025-07-01T00:30:00' }));
    assert.equal(r.status === 'rated' && r.derivation.version, '2025-07-01');
    assert.equal(amountOf(r), 200_000);
  });
  test('before the first version the call is unrated', () => {
    const r = rate(t, req({ answerLocal: '2024-12-31T23:00:00' }));
    assert.equal(r.status === 'unrated' && r.reason, 'no_tariff_version');
  });
});

void TZ;
