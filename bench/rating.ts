/**
 * Pure rating engine throughput on one core: `npm run bench:rating [-- N]`.
 * Builds N synthetic calls (mixed categories, destinations and times over a year) up front,
 * then times rateCall alone (derivation objects included) for both band rules.
 */
import { readFileSync } from 'node:fs';
import { PoolLedger, rateCall, type Category, type RateRequest } from '../src/rating';
import { loadTariffFiles } from '../src/reference-data/tariff-file';

const N = Number(process.argv[2] ?? 1_000_000);
const load = loadTariffFiles({
  tariffs: { name: 'examples/tariffs.csv', text: readFileSync('examples/tariffs.csv', 'utf8') },
  groups: { name: 'examples/tariff-groups.csv', text: readFileSync('examples/tariff-groups.csv', 'utf8') },
});
if (!load.ok) throw new Error(JSON.stringify(load.errors));
// Split-mode twin of BUSINESS with the same rows.
const splitRows = load.rows.filter((r) => r.tariffGroup === 'BUSINESS').map((r) => ({ ...r, tariffGroup: 'BSPLIT' }));
const bsettings = load.settings.find((s) => s.tariffGroup === 'BUSINESS')!;
const { compileTariffs } = require('../src/rating') as typeof import('../src/rating');
const tariffs = compileTariffs([...load.rows, ...splitRows], [...load.settings, { ...bsettings, tariffGroup: 'BSPLIT', bandRule: 'split' }]);

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const kinds: [Category, string, 'outbound' | 'inbound'][] = [
  ['national', '6129', 'outbound'],
  ['local', '6139', 'outbound'],
  ['mobile', '614', 'outbound'],
  ['international', '4420', 'outbound'],
  ['international', '4477', 'outbound'],
  ['international', '1415', 'outbound'],
  ['international', '3314', 'outbound'],
  ['toll_free', '614', 'inbound'],
  ['shared_cost', '6113', 'outbound'],
];
const t0 = Date.UTC(2025, 0, 1);
const calls: RateRequest[] = new Array(N);
for (let i = 0; i < N; i++) {
  const [category, prefix, direction] = kinds[Math.floor(rnd() * kinds.length)]!;
  let dest = prefix;
  while (dest.length < 11) dest += String(Math.floor(rnd() * 10));
  const start = t0 + Math.floor(rnd() * 364 * 86_400_000);
  const answered = rnd() > 0.2;
  calls[i] = { callId: String(1_700_000_000_000 + i), direction, category, destination: dest, startMs: start, answerMs: answered ? start + 5000 : 0, talkMs: answered ? Math.floor(rnd() * 900_000) : 0 };
}

function run(group: string): { perSec: number; total: number } {
  const ledger = new PoolLedger();
  const scope = { tariffGroup: group, timeZone: 'Australia/Melbourne', poolScope: 'bench' };
  let total = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const r = rateCall(calls[i]!, tariffs, scope, ledger);
    if (r.status === 'rated') total += r.amountMicro;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSec: Math.round(N / secs), total };
}

run('BUSINESS'); // warm-up (JIT, zone offset cache)
for (const g of ['BUSINESS', 'BSPLIT']) {
  const best = [run(g), run(g), run(g)].sort((a, b) => b.perSec - a.perSec)[0]!;
  console.log(`${g === 'BUSINESS' ? 'band rule start' : 'band rule split'}: ${best.perSec.toLocaleString('en-US')} calls/s (${N.toLocaleString('en-US')} calls, one core, node ${process.version})`);
}
