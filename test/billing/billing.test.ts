import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import { upsertCalls } from '../../src/calls/store';
import { exportInvoice, explainCall, listUnmatched, listUnrated, loadReferenceCsv, matchCalls, rateCalls, rerateCalls, resolvePending } from '../../src/billing';
import { billingDb } from '../../src/billing/schema';
import { exampleCalls, insertCalls, loadExamples, TENANT } from './fixtures';

const JULY_FROM = Date.UTC(2025, 5, 30);
const JULY_TO = Date.UTC(2025, 7, 1);

describe('billing against PostgreSQL', () => {
  let h: Awaited<ReturnType<typeof openTestDatabase>>;
  before(async () => {
    h = await openTestDatabase();
  });
  after(async () => {
    await h?.close();
  });

  test('a reference file with any bad row applies nothing and names every bad line', async () => {
    await loadExamples(h.db, ['tenant', 'tariff-groups', 'tariffs', 'customers', 'departments']);
    const text = [
      'service_id,customer_id,kind,pbx,identifier,valid_from',
      'ok-1,acme,extension,acmemelb,1001,2025-01-01',
      'bad-customer,nobody,extension,acmemelb,1003,2025-01-01',
      'bad-did,acme,did,acmemelb,12,2025-01-01',
      'ok-1,acme,extension,acmemelb,1009,2025-01-01',
    ].join('\n');
    const r = await loadReferenceCsv(h.db, { tenantId: TENANT, kind: 'services', fileName: 's.csv', text });
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => [e.line, e.reason]), [
      [3, 'customer nobody is not loaded'],
      [4, 'identifier "12" is not a valid AU number'],
      [5, 'service ok-1 already on line 2'],
    ]);
    const count = await billingDb(h.db).selectFrom('billing_services').select(sql<string>`count(*)`.as('n')).where('tenant_id', '=', TENANT).executeTakeFirstOrThrow();
    assert.equal(count.n, '0');
    await loadExamples(h.db, ['services']);
    const did = await billingDb(h.db).selectFrom('billing_services').select(['identifier', 'area_code']).where('service_id', '=', 'acme-main').executeTakeFirstOrThrow();
    assert.deepEqual(did, { identifier: '+61390001000', area_code: '3' });
  });

  test('rateCalls matches and rates a window; a retry writes nothing', async () => {
    await upsertCalls(h.db, TENANT, exampleCalls());
    const first = await rateCalls(h.db, { tenantId: TENANT, fromMs: JULY_FROM, toMs: JULY_TO });
    assert.deepEqual({ ...first, runId: '' }, { calls: 8, rated: 5, unrated: 3, unmatched: 0, totalAmount: '1.172000', written: 8, superseded: 0, widenedBy: 0, runId: '' });
    const retry = await rateCalls(h.db, { tenantId: TENANT, fromMs: JULY_FROM, toMs: JULY_TO });
    assert.equal(retry.written, 0);
    assert.equal(retry.totalAmount, '1.172000');
    const m = await matchCalls(h.db, { tenantId: TENANT, fromMs: JULY_FROM, toMs: JULY_TO });
    assert.deepEqual(m, { matched: 8, unmatched: 0 });
    // Department (Sales → BUSINESS_SPLIT, national only) overrides the customer's BUSINESS group.
    const unrated = await listUnrated(h.db, { tenantId: TENANT });
    assert.deepEqual(unrated.map((u) => [u.callId, u.serviceId, u.reason]), [
      ['1752524081003', 'acme-1002', 'no_rate'],
      ['1752524081004', 'acme-1002', 'no_rate'],
      ['1752524081007', 'acme-1002', 'no_rate'],
    ]);
  });

  test('an unmatched call is kept and listed, then matched and rated once its service is added', async () => {
    const start = Date.UTC(2025, 6, 22, 0, 0, 0); // Tuesday 10:00 Melbourne
    await insertCalls(h.db, [{ callId: 'new-ext-1', caller: '1055', callerId: 'X,+61399990000', callee: '+61298765432', startMs: start, talkMs: 60_000 }]);
    const s = await rateCalls(h.db, { tenantId: TENANT, fromMs: start, toMs: start + 1 });
    assert.equal(s.unmatched, 1);
    const list = await listUnmatched(h.db, { tenantId: TENANT });
    assert.deepEqual(list.map((u) => [u.callId, u.reason]), [['new-ext-1', 'no_service']]);
    assert.match(list[0]!.detail, /extension 1055 on acmemelb/);
    const add = await loadReferenceCsv(h.db, { tenantId: TENANT, kind: 'services', fileName: 'add.csv', text: 'service_id,customer_id,kind,pbx,identifier,area_code,valid_from\nacme-1055,acme,extension,acmemelb,1055,3,2025-07-01\n' });
    assert.equal(add.ok, true);
    const resolved = await resolvePending(h.db, TENANT);
    assert.equal(resolved.rated >= 1, true);
    assert.deepEqual(await listUnmatched(h.db, { tenantId: TENANT }), []);
    const e = await explainCall(h.db, TENANT, 'new-ext-1');
    assert.ok(e.lines.some((l) => /service acme-1055 .* rule outbound_extension/.test(l)), e.lines.join('\n'));
    assert.ok(e.lines.some((l) => /0\.190000 AUD/.test(l)), e.lines.join('\n')); // 0.14 peak + 0.05 connect
    assert.ok(e.lines.some((l) => /earlier results/.test(l))); // the unmatched result is kept
  });

  test('re-rating after a tariff change keeps the earlier result and reports what changed', async () => {
    const newDeck = [
      'tariff_group,effective_from,direction,category,prefix,band,rate_per_minute,connect_fee,initial_increment,subsequent_increment,included_pool',
      'BUSINESS,2025-07-01,outbound,local,61,any,0,0.10,60,60,',
      'BUSINESS,2025-07-01,outbound,national,61,peak,0.20,0.05,60,60,',
      'BUSINESS,2025-07-01,outbound,national,61,offpeak,0.08,0.05,60,60,',
      'BUSINESS,2025-07-01,outbound,mobile,614,any,0.15,0,30,6,MOBILE',
      'BUSINESS,2025-07-01,inbound,toll_free,,any,0.08,0,1,1,',
      'BUSINESS,2025-07-01,inbound,toll_free,614,any,0.22,0,1,1,',
      'BUSINESS,2025-07-01,inbound,any,,any,0,0,60,60,',
      'BUSINESS,2025-07-01,internal,any,,any,0,0,60,60,',
    ].join('\n');
    const load = await loadReferenceCsv(h.db, { tenantId: TENANT, kind: 'tariffs', fileName: 'july-v2.csv', text: newDeck });
    assert.equal(load.ok, true, JSON.stringify(load));
    const report = await rerateCalls(h.db, { tenantId: TENANT, customerId: 'acme', fromMs: JULY_FROM, toMs: JULY_TO });
    const byCall = new Map(report.changes.map((c) => [c.callId, c]));
    // National peak call: 4 min × 0.20 + 0.05 = 0.85 instead of 0.61.
    assert.deepEqual(byCall.get('1752524081001')?.before?.amount, '0.610000');
    assert.deepEqual(byCall.get('1752524081001')?.after.amount, '0.850000');
    assert.equal(report.summary.superseded, report.changes.length);
    // The new-ext call (60 s national peak): 0.19 → 0.25; the rest of the derivations changed only by source line.
    assert.equal(byCall.get('new-ext-1')?.after.amount, '0.250000');
    assert.equal(report.delta, '0.300000');
    const again = await rerateCalls(h.db, { tenantId: TENANT, customerId: 'acme', fromMs: JULY_FROM, toMs: JULY_TO });
    assert.deepEqual(again.changes, []);
    const history = await billingDb(h.db).selectFrom('billing_call_ratings').select(['amount_micro', 'superseded_at']).where('tenant_id', '=', TENANT).where('call_id', '=', '1752524081001').orderBy('id').execute();
    assert.deepEqual(history.map((r) => [r.amount_micro, r.superseded_at === null]), [['610000', false], ['850000', true]]);
    const e = await explainCall(h.db, TENANT, '1752524081001');
    assert.ok(e.lines.some((l) => /replay from this derivation: 0\.850000 AUD \(matches\)/.test(l)), e.lines.join('\n'));
    assert.ok(e.lines.some((l) => /superseded .*0\.610000 AUD/.test(l)), e.lines.join('\n'));
  });

  test('export: per-call amounts sum to the per-service and grand totals', async () => {
    const ex = await exportInvoice(h.db, { tenantId: TENANT, customerId: 'acme', period: '2025-07' });
    const lines = ex.csv.trim().split('\n').map((l) => l.split(','));
    const header = lines[0]!;
    const amountIdx = header.indexOf('amount');
    const calls = lines.filter((l) => l[0] === 'call');
    const sum = calls.reduce((s, l) => s + BigInt(l[amountIdx]!.replace('.', '')), 0n);
    const total = lines.find((l) => l[0] === 'total')!;
    assert.equal(BigInt(total[amountIdx]!.replace('.', '')), sum);
    const serviceTotals = lines.filter((l) => l[0] === 'service_total').reduce((s, l) => s + BigInt(l[amountIdx]!.replace('.', '')), 0n);
    assert.equal(serviceTotals, sum);
    assert.equal(ex.totalMicro, 850_000n + 462_000n + 100_000n + 250_000n);
    assert.equal(ex.unratedInPeriod, 3);
    // The stored current amounts agree with the export total.
    const db = billingDb(h.db);
    const stored = await db.selectFrom('billing_call_ratings').select(sql<string>`coalesce(sum(amount_micro), 0)`.as('s')).where('tenant_id', '=', TENANT).where('customer_id', '=', 'acme').where('superseded_at', 'is', null).executeTakeFirstOrThrow();
    assert.equal(BigInt(stored.s), ex.totalMicro);
  });

  test('included minutes: rating a later window reproduces the month-ordered consumption', async () => {
    // Globex: 100 included mobile minutes per month; three 40-minute mobile calls in August.
    await loadReferenceCsv(h.db, { tenantId: TENANT, kind: 'services', fileName: 'g.csv', text: 'service_id,customer_id,kind,pbx,identifier,area_code,valid_from\nglobex-2001,globex,extension,globexsyd,2001,2,2025-01-01\n' });
    const t = (day: number) => Date.UTC(2025, 7, day, 0, 0, 0);
    const spec = (id: string, day: number) => ({ callId: id, pbx: 'globexsyd', caller: '2001', callerId: '', callee: '0412 345 678', startMs: t(day), talkMs: 40 * 60_000 });
    await insertCalls(h.db, [spec('g3', 20)]);
    const late = await rateCalls(h.db, { tenantId: TENANT, fromMs: t(20), toMs: t(21) });
    assert.equal(late.totalAmount, '0.000000'); // alone it is inside the allowance
    await insertCalls(h.db, [spec('g1', 5), spec('g2', 10)]); // earlier calls imported later
    const s = await rateCalls(h.db, { tenantId: TENANT, fromMs: t(5), toMs: t(11) });
    assert.equal(s.widenedBy, 1); // g3 re-rated with the month
    const rows = await billingDb(h.db).selectFrom('billing_call_ratings').select(['call_id', 'amount_micro']).where('tenant_id', '=', TENANT).where('customer_id', '=', 'globex').where('superseded_at', 'is', null).orderBy('call_id').execute();
    // g1, g2 use 80 of 100 minutes; g3 gets 20 included and pays 20 minutes × 0.15 = 3.00.
    assert.deepEqual(rows.map((r) => [r.call_id, r.amount_micro]), [['g1', '0'], ['g2', '0'], ['g3', '3000000']]);
    // A later window starts from the allowance the month's earlier calls used (stored results).
    await insertCalls(h.db, [{ ...spec('g4', 25), talkMs: 60_000 }]);
    const later = await rateCalls(h.db, { tenantId: TENANT, fromMs: t(25), toMs: t(26) });
    assert.equal(later.widenedBy, 0);
    assert.equal(later.totalAmount, '0.150000'); // allowance exhausted: 1 min × 0.15
    // Next month starts afresh.
    await insertCalls(h.db, [{ ...spec('g5', 25), startMs: Date.UTC(2025, 8, 2), talkMs: 60_000 }]);
    const september = await rateCalls(h.db, { tenantId: TENANT, fromMs: Date.UTC(2025, 8, 2), toMs: Date.UTC(2025, 8, 3) });
    assert.equal(september.totalAmount, '0.000000');
  });
  test('concurrent retries of the same window are serialised: results are written once', async () => {
    const start = Date.UTC(2025, 9, 22, 0, 0, 0);
    await insertCalls(h.db, [
      { callId: 'conc-1', startMs: start, talkMs: 61_000 },
      { callId: 'conc-2', startMs: start + 60_000, talkMs: 5_000 },
    ]);
    const runs = await Promise.all([1, 2, 3].map(() => rateCalls(h.db, { tenantId: TENANT, fromMs: start, toMs: start + 3_600_000 })));
    assert.deepEqual(runs.map((r) => r.written).sort(), [0, 0, 2]);
    const rows = await billingDb(h.db).selectFrom('billing_call_ratings').select('call_id').where('tenant_id', '=', TENANT).where('call_id', 'in', ['conc-1', 'conc-2']).execute();
    assert.equal(rows.length, 2);
  });
});
