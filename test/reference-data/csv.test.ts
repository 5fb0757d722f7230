import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadTariffFiles } from '../../src/reference-data/tariff-file';
import { parseGroupCsv, parseServiceCsv, parseTariffCsv } from '../../src/reference-data/schemas';

const HEADER = 'tariff_group,effective_from,direction,category,prefix,band,rate_per_minute,connect_fee,initial_increment,subsequent_increment';

describe('tariff CSV validation, row by row with line numbers', () => {
  test('valid rows parse to exact micros', () => {
    const r = parseTariffCsv(`${HEADER}\nG,2025-01-01,outbound,mobile,614,peak,0.123456,0.1,30,6\n`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.rows[0]?.value.rate_per_minute, 123_456);
    assert.equal(r.rows[0]?.value.connect_fee, 100_000);
    assert.equal(r.rows[0]?.line, 2);
  });
  const bad: { name: string; row: string; reason: RegExp }[] = [
    { name: 'seven decimals', row: 'G,2025-01-01,outbound,mobile,614,peak,0.1234567,0,30,6', reason: /at most 6 decimals/ },
    { name: 'float notation', row: 'G,2025-01-01,outbound,mobile,614,peak,1e-3,0,30,6', reason: /rate_per_minute/ },
    { name: 'negative price', row: 'G,2025-01-01,outbound,mobile,614,peak,-1,0,30,6', reason: /rate_per_minute/ },
    { name: 'impossible date', row: 'G,2025-02-30,outbound,mobile,614,peak,0.1,0,30,6', reason: /effective_from/ },
    { name: 'unknown category', row: 'G,2025-01-01,outbound,satellite,614,peak,0.1,0,30,6', reason: /category/ },
    { name: 'non-digit prefix', row: 'G,2025-01-01,outbound,mobile,61x,peak,0.1,0,30,6', reason: /prefix/ },
    { name: 'zero increment', row: 'G,2025-01-01,outbound,mobile,614,peak,0.1,0,0,6', reason: /initial_increment/ },
    { name: 'price above the bound', row: 'G,2025-01-01,outbound,mobile,614,peak,1000.000001,0,30,6', reason: /maximum/ },
  ];
  for (const b of bad) {
    test(`rejects ${b.name} and reports line 3`, () => {
      const r = parseTariffCsv(`${HEADER}\nG,2025-01-01,any,any,,any,0.1,0,60,60\n${b.row}\n`);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0]?.line, 3);
      assert.match(r.errors[0]?.reason ?? '', b.reason);
    });
  }
  test('unknown header column is rejected (a typo must not drop a price)', () => {
    const r = parseTariffCsv('tariff_group,effective_from,rate_per_minte\nG,2025-01-01,0.1\n');
    assert.match(r.errors[0]?.reason ?? '', /unknown column.*rate_per_minte/);
  });
  test('CSV syntax errors are reported with a line', () => {
    const r = parseTariffCsv(`${HEADER}\nG,2025-01-01,any,any,"unterminated,any,0.1,0,60,60\n`);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]?.reason ?? '', /CSV syntax/);
  });
  test('maximum below minimum is rejected', () => {
    const r = parseTariffCsv('tariff_group,effective_from,rate_per_minute,minimum_charge,maximum_charge\nG,2025-01-01,0.1,1,0.5\n');
    assert.match(r.errors[0]?.reason ?? '', /maximum_charge is below minimum_charge/);
  });
  test('duplicate rows are reported with both lines by the loader, nothing compiled', () => {
    const res = loadTariffFiles({ tariffs: { name: 't.csv', text: `${HEADER}\nG,2025-01-01,any,any,,any,0.1,0,60,60\nG,2025-01-01,any,any,,any,0.2,0,60,60\n` } });
    assert.equal(res.ok, false);
    assert.deepEqual(!res.ok && res.errors, [{ file: 't.csv', line: 3, reason: 'duplicates t.csv:2 (same group, effective date, direction, category, prefix and band)' }]);
  });
});

describe('tariff group and service CSVs', () => {
  test('group settings: weekday lists, holidays, pools in minutes', () => {
    const r = parseGroupCsv('tariff_group,currency,peak_days,weekend_days,holidays,included_pools\nG,AUD,mon-fri,sat;sun,2025-12-25;2025-12-26,MOB=100;NAT=5\n');
    assert.deepEqual(r.errors, []);
    const v = r.rows[0]!.value;
    assert.deepEqual(v.peak_days, [1, 2, 3, 4, 5]);
    assert.deepEqual(v.weekend_days, [6, 7]);
    assert.deepEqual(v.holidays, ['2025-12-25', '2025-12-26']);
    assert.deepEqual(v.included_pools, { MOB: 6000, NAT: 300 });
  });
  test('services: extension needs a PBX and digits', () => {
    const r = parseServiceCsv('service_id,customer_id,kind,pbx,identifier,valid_from\nS1,C1,extension,,1001,2025-01-01\nS2,C1,extension,p,abc,2025-01-01\nS3,C1,did,,+61390001000,2025-01-01\n');
    assert.deepEqual(r.errors.map((e) => e.line), [2, 3]);
    assert.equal(r.rows.length, 1);
  });
  test('the example files load cleanly', () => {
    const res = loadTariffFiles({
      tariffs: { name: 'examples/tariffs.csv', text: readFileSync('examples/tariffs.csv', 'utf8') },
      groups: { name: 'examples/tariff-groups.csv', text: readFileSync('examples/tariff-groups.csv', 'utf8') },
    });
    assert.equal(res.ok, true, res.ok ? '' : JSON.stringify(res.errors));
  });
});
