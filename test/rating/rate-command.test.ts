import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readCalls, rateRecords } from '../../src/cli/rate';
import { loadTariffFiles } from '../../src/reference-data/tariff-file';

describe('rate command on the example files', () => {
  const load = loadTariffFiles({
    tariffs: { name: 'examples/tariffs.csv', text: readFileSync('examples/tariffs.csv', 'utf8') },
    groups: { name: 'examples/tariff-groups.csv', text: readFileSync('examples/tariff-groups.csv', 'utf8') },
  });
  assert.ok(load.ok);
  const { calls, errors } = readCalls(readFileSync('examples/calls.json', 'utf8'), 'json');
  test('every call is priced as documented in docs/rating.md', () => {
    assert.deepEqual(errors, []);
    if (!load.ok) return;
    const out = rateRecords(calls, load.compiled, { tariffGroup: 'BUSINESS', timeZone: 'Australia/Melbourne', country: 'AU', areaCode: '3' });
    const got = Object.fromEntries(out.lines.map((l) => [l.callId, l.status === 'rated' ? l.amount : `unrated:${l.reason}`]));
    assert.deepEqual(got, {
      '1752524081001': '0.6100', // national peak, 186 s → 4 min at 0.14 (1 July version) + 0.05 connect
      '1752524081002': '0.0000', // mobile, 95 s → 96 s billed (30/6), inside the 100 included minutes
      '1752524081003': '0.0517', // UK 0.05/min 1/1, 62 s = 0.051666… → half-up 0.0517
      '1752524081004': '0.2500', // 13 12 34 untimed
      '1752524081005': '0.0000', // unanswered
      '1752524081006': '0.4620', // inbound 1800 from a mobile, 126 s at 0.22
      '1752524081007': 'unrated:no_rate', // 1900 premium: no rate in the tariff
      '1752524081008': '0.1000', // local 8-digit number completed with area code 3, untimed
    });
    assert.equal(out.totalMicro, 1_473_700n);
  });
  test('the CLI prints JSON with derivations', () => {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/rate.ts', '--tariffs', 'examples/tariffs.csv', '--groups', 'examples/tariff-groups.csv', '--calls', 'examples/calls.json', '--tariff-group', 'BUSINESS', '--area-code', '3'], { encoding: 'utf8' });
    const doc = JSON.parse(stdout) as { calls: { derivation?: { rate?: { source: string } } }[]; summary: { totalAmount: string; unrated: number } };
    assert.equal(doc.summary.totalAmount, '1.473700');
    assert.equal(doc.summary.unrated, 1);
    assert.equal(doc.calls[0]?.derivation?.rate?.source, 'examples/tariffs.csv:19');
  });
  test('the CLI refuses a broken tariff file and names the line', () => {
    assert.throws(
      () => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/rate.ts', '--tariffs', 'examples/calls.json', '--calls', 'examples/calls.json', '--tariff-group', 'X'], { encoding: 'utf8', stdio: 'pipe' }),
      (e: { status?: number; stderr?: string }) => e.status === 2 && /examples\/calls\.json:\d+:/.test(e.stderr ?? ''),
    );
  });
});
