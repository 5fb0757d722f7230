/**
 * Billing commands against the database (DATABASE_URL or --database-url):
 *
 *   billing load      --tenant T --kind tenant|tariff-groups|tariffs|customers|departments|services FILE
 *   billing match     --tenant T --from D --to D
 *   billing rate      --tenant T --from D --to D
 *   billing rerate    --tenant T [--customer C] --from D --to D
 *   billing resolve   --tenant T                 (retry unmatched/unrated calls)
 *   billing explain   --tenant T CALL_ID
 *   billing unmatched --tenant T [--from D --to D] [--json]
 *   billing unrated   --tenant T [--from D --to D] [--json]
 *   billing export    --tenant T --customer C --period YYYY-MM [--out FILE]
 *
 * D is an ISO date-time with offset, or a date (midnight in the tenant's time zone); --to is exclusive.
 * Loading a services file retries pending calls automatically. Exit codes: 0 ok, 1 failure, 2 usage/invalid file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { openDatabase } from '../db/connect';
import {
  explainCall,
  exportInvoice,
  listUnmatched,
  listUnrated,
  loadReferenceCsv,
  matchCalls,
  rateCalls,
  REFERENCE_KINDS,
  rerateCalls,
  resolvePending,
  type ReferenceKind,
} from '../billing';
import { billingDb } from '../billing/schema';
import { formatMicro } from '../rating/money';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

class UsageError extends Error {}

async function tenantZone(db: Kysely<Database>, tenantId: string): Promise<string> {
  const t = await billingDb(db).selectFrom('billing_tenants').select('time_zone').where('tenant_id', '=', tenantId).executeTakeFirst();
  return t?.time_zone ?? 'UTC';
}

function instant(text: string | undefined, zone: string, name: string): number | undefined {
  if (text === undefined) return undefined;
  const dt = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone }) : DateTime.fromISO(text, { setZone: true });
  if (!dt.isValid || (!/^\d{4}-\d{2}-\d{2}$/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text))) throw new UsageError(`--${name} ${text}: use YYYY-MM-DD or an ISO date-time with offset`);
  return dt.toMillis();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      kind: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      customer: { type: 'string' },
      period: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
    },
  });
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!command || !values.tenant) throw new UsageError('usage: billing <load|match|rate|rerate|resolve|explain|unmatched|unrated|export> --tenant T ... (see src/cli/billing.ts)');
  if (!url) throw new UsageError('set DATABASE_URL or pass --database-url');
  const tenantId = values.tenant;
  const handle = await openDatabase({ url });
  const db = handle.db;
  const print = (v: unknown) => process.stdout.write((typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '\n');
  try {
    const zone = await tenantZone(db, tenantId);
    const window = () => {
      const fromMs = instant(values.from, zone, 'from');
      const toMs = instant(values.to, zone, 'to');
      if (fromMs === undefined || toMs === undefined || toMs <= fromMs) throw new UsageError('--from and --to are required, --to after --from');
      return { tenantId, fromMs, toMs };
    };
    switch (command) {
      case 'load': {
        const kind = values.kind as ReferenceKind;
        const file = positionals[0];
        if (!REFERENCE_KINDS.includes(kind) || !file) throw new UsageError(`usage: billing load --tenant T --kind ${REFERENCE_KINDS.join('|')} FILE`);
        const r = await loadReferenceCsv(db, { tenantId, kind, fileName: basename(file), text: readFileSync(file, 'utf8') });
        if (!r.ok) {
          for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.reason}\n`);
          process.stderr.write(`${file}: ${r.errors.length} error(s); nothing was applied\n`);
          return 2;
        }
        print(`${file}: loaded ${r.rows} ${kind} row(s) (load #${r.loadId})`);
        if (kind === 'services' || kind === 'tariffs' || kind === 'customers' || kind === 'departments') {
          const s = await resolvePending(db, tenantId);
          print(`retried pending calls: ${s.calls} (now rated ${s.rated}, unrated ${s.unrated}, unmatched ${s.unmatched})`);
        }
        return 0;
      }
      case 'match':
        print(await matchCalls(db, window()));
        return 0;
      case 'rate':
        print(await rateCalls(db, window()));
        return 0;
      case 'rerate': {
        const r = await rerateCalls(db, { ...window(), ...(values.customer ? { customerId: values.customer } : {}) });
        const amountChanges = r.changes.filter((c) => c.before === null || c.before.amount !== c.after.amount || c.before.status !== c.after.status);
        print(`re-rated ${r.summary.calls} call(s)${values.customer ? ` of customer ${values.customer}` : ''}: ${r.changes.length} result(s) changed (${amountChanges.length} in amount or status, ${r.changes.length - amountChanges.length} in derivation only), total change ${r.delta}`);
        for (const c of amountChanges) {
          const b = c.before ? `${c.before.status} ${c.before.amount ?? c.before.reason} (v ${c.before.tariffVersion ?? '-'})` : '(new)';
          print(`  ${c.callId}: ${b} → ${c.after.status} ${c.after.amount ?? c.after.reason} (v ${c.after.tariffVersion ?? '-'})`);
        }
        print(`earlier results are kept (superseded); current total of the range: ${r.summary.totalAmount}`);
        return 0;
      }
      case 'resolve':
        print(await resolvePending(db, tenantId));
        return 0;
      case 'explain': {
        const callId = positionals[0];
        if (!callId) throw new UsageError('usage: billing explain --tenant T CALL_ID');
        const e = await explainCall(db, tenantId, callId);
        print(e.lines.join('\n'));
        return e.found ? 0 : 1;
      }
      case 'unmatched':
      case 'unrated': {
        const ref = { tenantId, ...(values.from ? { fromMs: instant(values.from, zone, 'from')! } : {}), ...(values.to ? { toMs: instant(values.to, zone, 'to')! } : {}) };
        const rows = command === 'unmatched' ? await listUnmatched(db, ref) : await listUnrated(db, ref);
        if (values.json) print(rows);
        else {
          for (const r of rows) print(Object.values(r).join('\t'));
          print(`${rows.length} ${command} call(s)`);
        }
        return 0;
      }
      case 'export': {
        if (!values.customer || !values.period) throw new UsageError('usage: billing export --tenant T --customer C --period YYYY-MM [--out FILE]');
        const ex = await exportInvoice(db, { tenantId, customerId: values.customer, period: values.period });
        if (values.out) writeFileSync(values.out, ex.csv);
        else process.stdout.write(ex.csv);
        process.stderr.write(`total ${formatMicro(ex.totalMicro)} ${ex.currency}; ${ex.perService.length} service(s)` + (ex.unratedInPeriod > 0 ? `; WARNING: ${ex.unratedInPeriod} call(s) of the period are unrated and not in the export` : '') + '\n');
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await handle.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
