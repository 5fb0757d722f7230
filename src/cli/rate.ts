/**
 * `rate`: price calls from a calls file against a tariff file, no database.
 *
 *   npm run rate -- --tariffs examples/tariffs.csv --groups examples/tariff-groups.csv \
 *     --calls examples/calls.json --tariff-group BUSINESS --time-zone Australia/Melbourne \
 *     --country AU --area-code 3 [--explain]
 *
 * Calls: a JSON array of 8x8 call records (or the API envelope `{ "data": [...] }`), or a CSV
 * whose header uses the 8x8 field names. Prints one JSON document: each call's amount and
 * derivation (or the reason it is unrated) and a summary. Exit code 2 on bad input files.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { buildRateRequest } from '../matching/classify';
import { callRecordFromJson, type CallRecord } from '../matching/call';
import { inferDirection } from '../matching/services';
import { compareForRating, PoolLedger, rateCall } from '../rating/engine';
import { explainDerivation } from '../rating/explain';
import { formatMicro } from '../rating/money';
import type { CompiledTariffs } from '../rating/tariff';
import { isValidTimeZone } from '../rating/time';
import { loadTariffFiles } from '../reference-data/tariff-file';

export interface RateFileOptions {
  readonly tariffGroup: string;
  readonly timeZone: string;
  readonly country: string;
  readonly areaCode: string | null;
  readonly explain?: boolean;
}

export interface RatedLine {
  callId: string;
  status: 'rated' | 'unrated';
  amount: string | null;
  currency: string | null;
  reason?: string;
  detail?: string;
  derivation?: unknown;
  explanation?: string[];
}

/** Reads calls from JSON (array or `{data}` envelope) or CSV text. Invalid records are returned as errors. */
export function readCalls(text: string, format: 'json' | 'csv'): { calls: CallRecord[]; errors: string[] } {
  let raw: unknown[];
  if (format === 'json') {
    const parsed: unknown = JSON.parse(text);
    raw = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { data?: unknown }).data) ? (parsed as { data: unknown[] }).data : [];
  } else {
    raw = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as unknown[];
  }
  const calls: CallRecord[] = [];
  const errors: string[] = [];
  raw.forEach((r, i) => {
    const c = callRecordFromJson(r);
    if (c.ok) calls.push(c.call);
    else errors.push(`record ${i + 1}: ${c.error}`);
  });
  return { calls, errors };
}

/** Rates calls in the deterministic order (start time, call id), sharing one included-minutes ledger. */
export function rateRecords(calls: readonly CallRecord[], tariffs: CompiledTariffs, opts: RateFileOptions): { lines: RatedLine[]; totalMicro: bigint; rated: number; unrated: number } {
  const ledger = new PoolLedger();
  const sorted = [...calls].sort(compareForRating);
  const scope = { tariffGroup: opts.tariffGroup, timeZone: opts.timeZone, poolScope: 'file' };
  const lines: RatedLine[] = [];
  let totalMicro = 0n;
  let rated = 0;
  let unrated = 0;
  for (const call of sorted) {
    const direction = inferDirection(call);
    if (direction === null) {
      unrated++;
      lines.push({ callId: call.callId, status: 'unrated', amount: null, currency: null, reason: 'unknown_direction', detail: `direction ${JSON.stringify(call.direction)}` });
      continue;
    }
    const { request } = buildRateRequest(call, direction, { country: opts.country, areaCode: opts.areaCode });
    const r = rateCall(request, tariffs, scope, ledger);
    if (r.status === 'rated') {
      rated++;
      totalMicro += BigInt(r.amountMicro);
      lines.push({
        callId: r.callId,
        status: 'rated',
        amount: formatMicro(r.amountMicro, r.derivation.roundingDecimals),
        currency: r.currency,
        derivation: r.derivation,
        ...(opts.explain ? { explanation: explainDerivation(r.derivation) } : {}),
      });
    } else {
      unrated++;
      lines.push({ callId: r.callId, status: 'unrated', amount: null, currency: null, reason: r.reason, detail: r.detail });
    }
  }
  return { lines, totalMicro, rated, unrated };
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      tariffs: { type: 'string' },
      groups: { type: 'string' },
      calls: { type: 'string' },
      'tariff-group': { type: 'string' },
      'time-zone': { type: 'string', default: 'Australia/Melbourne' },
      country: { type: 'string', default: 'AU' },
      'area-code': { type: 'string' },
      currency: { type: 'string', default: 'AUD' },
      explain: { type: 'boolean', default: false },
    },
  });
  const usage = 'usage: rate --tariffs FILE [--groups FILE] --calls FILE(.json|.csv) --tariff-group NAME [--time-zone TZ] [--country CC] [--area-code N] [--explain]';
  if (!values.tariffs || !values.calls || !values['tariff-group']) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  if (!isValidTimeZone(values['time-zone'])) {
    process.stderr.write(`unknown time zone ${values['time-zone']}\n`);
    return 2;
  }
  const load = loadTariffFiles({
    tariffs: { name: values.tariffs, text: readFileSync(values.tariffs, 'utf8') },
    ...(values.groups ? { groups: { name: values.groups, text: readFileSync(values.groups, 'utf8') } } : {}),
    defaultCurrency: values.currency,
  });
  if (!load.ok) {
    for (const e of load.errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
    return 2;
  }
  if (!load.compiled.has(values['tariff-group'])) {
    process.stderr.write(`tariff group ${values['tariff-group']} is not in ${values.tariffs}\n`);
    return 2;
  }
  const { calls, errors } = readCalls(readFileSync(values.calls, 'utf8'), values.calls.endsWith('.csv') ? 'csv' : 'json');
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${values.calls}: ${e}\n`);
    return 2;
  }
  const out = rateRecords(calls, load.compiled, {
    tariffGroup: values['tariff-group'],
    timeZone: values['time-zone'],
    country: values.country,
    areaCode: values['area-code'] ?? null,
    explain: values.explain,
  });
  process.stdout.write(
    JSON.stringify({ calls: out.lines, summary: { rated: out.rated, unrated: out.unrated, totalAmount: formatMicro(out.totalMicro) } }, null, 2) + '\n',
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
