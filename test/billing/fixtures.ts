import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { upsertCalls, type StorableCallRecord } from '../../src/calls/store';
import { loadReferenceCsv, type ReferenceKind } from '../../src/billing';

export const TENANT = 'acme-tenant';

export async function loadExamples(db: Kysely<Database>, kinds: ReferenceKind[] = ['tenant', 'tariff-groups', 'tariffs', 'customers', 'departments', 'services']): Promise<void> {
  const files: Record<ReferenceKind, string> = {
    tenant: 'examples/tenant.csv',
    'tariff-groups': 'examples/tariff-groups.csv',
    tariffs: 'examples/tariffs.csv',
    customers: 'examples/customers.csv',
    departments: 'examples/departments.csv',
    services: 'examples/services.csv',
  };
  for (const kind of kinds) {
    const r = await loadReferenceCsv(db, { tenantId: TENANT, kind, fileName: files[kind], text: readFileSync(files[kind], 'utf8') });
    if (!r.ok) throw new Error(`${kind}: ${JSON.stringify(r.errors)}`);
  }
}

export interface CallSpec {
  callId: string;
  direction?: string;
  caller?: string;
  callee?: string;
  dnis?: string;
  callerId?: string;
  startMs: number;
  ringMs?: number;
  talkMs: number;
  pbx?: string;
}

export function record(c: CallSpec): StorableCallRecord {
  const connect = c.talkMs > 0 ? c.startMs + (c.ringMs ?? 5000) : 0;
  const end = (connect || c.startMs + (c.ringMs ?? 5000)) + c.talkMs;
  return {
    callId: c.callId,
    pbxId: c.pbx ?? 'acmemelb',
    direction: c.direction ?? 'Outgoing',
    startTimeUTC: c.startMs,
    connectTimeUTC: connect,
    disconnectedTimeUTC: end,
    talkTimeMS: c.talkMs,
    callTime: end - c.startMs,
    caller: c.caller ?? '1001',
    callee: c.callee ?? '+61298765432',
    callerId: c.callerId ?? 'Acme,+61390001000',
    dnis: c.dnis ?? '',
    answered: c.talkMs > 0 ? 'Answered' : '-',
    missed: '-',
    abandoned: '-',
    callLegCount: 1,
  };
}

export async function insertCalls(db: Kysely<Database>, specs: CallSpec[]): Promise<void> {
  await upsertCalls(db, TENANT, specs.map((s) => ({ record: record(s), raw: record(s) })));
}

/** The example calls file as stored records. */
export function exampleCalls(): { record: StorableCallRecord; raw: unknown }[] {
  const raw = JSON.parse(readFileSync('examples/calls.json', 'utf8')) as Record<string, unknown>[];
  return raw.map((r) => ({
    record: { ...(r as unknown as StorableCallRecord), missed: '-', abandoned: '-', callLegCount: 1, callerId: String(r.callerId ?? ''), dnis: String(r.dnis ?? '') },
    raw: r,
  }));
}
