import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { amountOf, rate, req, row, tariffs } from './helpers';

// Rate 0.60/min = 0.01/s unless stated, so amounts in micros = billed seconds × 10,000.
describe('billing increments (initial interval whole, remainder in subsequent intervals)', () => {
  const cases: { name: string; ini: number; sub: number; talkMs: number; billed: number }[] = [
    { name: '60/60 one second', ini: 60, sub: 60, talkMs: 1000, billed: 60 },
    { name: '60/60 exactly on the increment', ini: 60, sub: 60, talkMs: 60_000, billed: 60 },
    { name: '60/60 one second over', ini: 60, sub: 60, talkMs: 61_000, billed: 120 },
    { name: '60/60 a partial second over counts as a second', ini: 60, sub: 60, talkMs: 60_001, billed: 120 },
    { name: '30/6 below initial', ini: 30, sub: 6, talkMs: 1000, billed: 30 },
    { name: '30/6 exactly initial', ini: 30, sub: 6, talkMs: 30_000, billed: 30 },
    { name: '30/6 one second over initial', ini: 30, sub: 6, talkMs: 31_000, billed: 36 },
    { name: '30/6 exactly on a subsequent increment', ini: 30, sub: 6, talkMs: 36_000, billed: 36 },
    { name: '30/6 one second over a subsequent increment', ini: 30, sub: 6, talkMs: 37_000, billed: 42 },
    { name: '1/1 one second', ini: 1, sub: 1, talkMs: 1000, billed: 1 },
    { name: '1/1 59 seconds', ini: 1, sub: 1, talkMs: 59_000, billed: 59 },
    { name: '1/1 rounds 999 ms up to 1 s', ini: 1, sub: 1, talkMs: 999, billed: 1 },
    { name: '20/6 on 45 s bills 50 s (group model, not whole-duration 48 s)', ini: 20, sub: 6, talkMs: 45_000, billed: 50 },
    { name: '60/1 on 61 s', ini: 60, sub: 1, talkMs: 61_000, billed: 61 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = tariffs([row({ initialIncrement: c.ini, subsequentIncrement: c.sub })]);
      const r = rate(t, req({ talkMs: c.talkMs }));
      assert.equal(r.status, 'rated');
      if (r.status !== 'rated') return;
      assert.equal(r.derivation.billedSeconds, c.billed);
      assert.equal(r.amountMicro, c.billed * 10_000);
    });
  }
});

describe('zero duration and unanswered calls cost nothing, not even the connect fee', () => {
  const t = tariffs([row({ connectFeeMicro: 100_000, minimumChargeMicro: 200_000 })]);
  test('answered, zero seconds', () => {
    const r = rate(t, req({ talkMs: 0 }));
    assert.equal(amountOf(r), 0);
    assert.equal(r.status === 'rated' && r.derivation.note, 'zero_duration');
  });
  test('unanswered (connect time 0) even with talk time reported', () => {
    const r = rate(t, req({ answerMs: 0, talkMs: 30_000, startMs: 1 }));
    assert.equal(amountOf(r), 0);
    assert.equal(r.status === 'rated' && r.derivation.note, 'unanswered');
  });
  test('negative talk time is unrated, not priced', () => {
    const r = rate(t, req({ talkMs: -5 }));
    assert.equal(r.status, 'unrated');
    assert.equal(r.status === 'unrated' && r.reason, 'invalid_call');
  });
  test('a call longer than the engine bound is unrated', () => {
    const r = rate(t, req({ talkMs: 1_000_001_000 }));
    assert.equal(r.status === 'unrated' && r.reason, 'duration_out_of_range');
  });
});

describe('connect fee, minimum and maximum charge', () => {
  const cases: { name: string; o: Parameters<typeof row>[0]; seconds: number; amount: number; min?: boolean; max?: boolean }[] = [
    { name: 'connect fee added once', o: { connectFeeMicro: 100_000 }, seconds: 60, amount: 700_000 },
    { name: 'connect fee with two minutes', o: { connectFeeMicro: 100_000 }, seconds: 61, amount: 1_300_000 },
    { name: 'minimum raises a short call', o: { minimumChargeMicro: 500_000, initialIncrement: 30, subsequentIncrement: 6 }, seconds: 10, amount: 500_000, min: true },
    { name: 'minimum exactly reached is not applied', o: { minimumChargeMicro: 300_000, initialIncrement: 30, subsequentIncrement: 6 }, seconds: 30, amount: 300_000 },
    { name: 'minimum below the price does nothing', o: { minimumChargeMicro: 500_000 }, seconds: 60, amount: 600_000 },
    { name: 'minimum counts the connect fee', o: { minimumChargeMicro: 650_000, connectFeeMicro: 100_000 }, seconds: 60, amount: 700_000 },
    { name: 'maximum caps a long call', o: { maximumChargeMicro: 1_000_000 }, seconds: 600, amount: 1_000_000, max: true },
    { name: 'maximum exactly reached is not applied', o: { maximumChargeMicro: 1_200_000 }, seconds: 120, amount: 1_200_000 },
    { name: 'maximum includes the connect fee', o: { maximumChargeMicro: 1_000_000, connectFeeMicro: 500_000 }, seconds: 60, amount: 1_000_000, max: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = rate(tariffs([row(c.o)]), req({ seconds: c.seconds }));
      assert.equal(amountOf(r), c.amount);
      if (r.status !== 'rated') return;
      assert.equal(r.derivation.minimumApplied, c.min ?? false);
      assert.equal(r.derivation.maximumApplied, c.max ?? false);
    });
  }
});

describe('free seconds', () => {
  const cases: { name: string; mode: 'grace' | 'deduct'; free: number; ini: number; seconds: number; amount: number; note: string }[] = [
    { name: 'grace: exactly the free seconds is free', mode: 'grace', free: 5, ini: 60, seconds: 5, amount: 0, note: 'free_seconds' },
    { name: 'grace: one second over is charged in full', mode: 'grace', free: 5, ini: 60, seconds: 6, amount: 600_000, note: 'charged' },
    { name: 'deduct: exactly the free seconds is free', mode: 'deduct', free: 10, ini: 1, seconds: 10, amount: 0, note: 'free_seconds' },
    { name: 'deduct: one second over bills one second (1/1)', mode: 'deduct', free: 10, ini: 1, seconds: 11, amount: 10_000, note: 'charged' },
    { name: 'deduct: remainder still gets the initial increment', mode: 'deduct', free: 10, ini: 60, seconds: 11, amount: 600_000, note: 'charged' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = tariffs([row({ freeSeconds: c.free, freeSecondsMode: c.mode, initialIncrement: c.ini, subsequentIncrement: c.ini, connectFeeMicro: 0 })]);
      const r = rate(t, req({ seconds: c.seconds }));
      assert.equal(amountOf(r), c.amount);
      assert.equal(r.status === 'rated' && r.derivation.note, c.note);
    });
  }
  test('a call inside grace free seconds pays no connect fee', () => {
    const t = tariffs([row({ freeSeconds: 5, connectFeeMicro: 100_000 })]);
    assert.equal(amountOf(rate(t, req({ seconds: 3 }))), 0);
  });
});
