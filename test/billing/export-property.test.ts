import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { buildInvoiceCsv, type InvoiceLine } from '../../src/billing';
import { compileTariffs, defaultGroupSettings, parseMicroBig, PoolLedger, rateCall } from '../../src/rating';
import { req, row } from '../rating/helpers';

describe('export totals', () => {
  test('the sum of per-call amounts in the CSV equals its per-service totals and its grand total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            service: fc.constantFrom('svc-a', 'svc-b', 'svc-c'),
            talkMs: fc.integer({ min: 0, max: 3_600_000 }),
            answerMs: fc.integer({ min: Date.UTC(2025, 6, 1), max: Date.UTC(2025, 6, 31) }),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        (calls, decimals, rate) => {
          const t = compileTariffs([row({ ratePerMinuteMicro: rate, connectFeeMicro: 12_345, initialIncrement: 30, subsequentIncrement: 6 })], [{ ...defaultGroupSettings('G'), roundingDecimals: decimals }]);
          const ledger = new PoolLedger();
          const lines: InvoiceLine[] = [];
          calls.forEach((c, i) => {
            const r = rateCall(req({ callId: `c${i}`, answerMs: c.answerMs, talkMs: c.talkMs }), t, { tariffGroup: 'G', timeZone: 'Australia/Melbourne', poolScope: 'x' }, ledger);
            if (r.status !== 'rated') throw new Error('unexpected unrated');
            lines.push({ serviceId: c.service, serviceLabel: c.service, callId: `c${i}`, startMs: c.answerMs, amountMicro: BigInt(r.amountMicro), currency: r.currency, derivation: r.derivation });
          });
          const ex = buildInvoiceCsv('cust', 'Australia/Melbourne', lines);
          const records = parse(ex.csv, { columns: true }) as Record<string, string>[];
          const sumOf = (type: string) => records.filter((r) => r.record_type === type).reduce((s, r) => s + parseMicroBig(r.amount!), 0n);
          const callSum = sumOf('call');
          assert.equal(sumOf('service_total'), callSum);
          assert.equal(sumOf('total'), callSum);
          assert.equal(ex.totalMicro, callSum);
          // Every charged call is in the export and nothing else.
          const charged = lines.filter((l) => l.derivation.note !== 'unanswered' && l.derivation.note !== 'zero_duration');
          assert.equal(callSum, charged.reduce((s, l) => s + l.amountMicro, 0n));
        },
      ),
      { numRuns: 300 },
    );
  });
});
