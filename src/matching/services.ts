/**
 * Service matching: which customer service a call belongs to.
 *
 * Precedence (first rule that finds a candidate decides; two candidates under the same
 * rule make the call *ambiguous* and unmatched — we never pick one):
 *
 * | direction | 1                               | 2                                               | 3               |
 * |-----------|---------------------------------|-------------------------------------------------|-----------------|
 * | outbound  | `caller` as extension on the PBX | presented number (`caller` if E.164, else the number in `callerId`) as DID | PBX catch-all |
 * | inbound   | `dnis` as DID                    | `callee` as extension on the PBX                 | PBX catch-all   |
 * | internal  | `caller` as extension on the PBX | `callee` as extension on the PBX                 | PBX catch-all   |
 *
 * A DID service bound to a PBX wins over a DID service with no PBX (tenant-wide). A service
 * applies to calls starting in [validFrom, validTo).
 */
import type { Direction } from '../rating/types';
import { analyzeNumber } from './number';
import { mapDirection, type CallRecord } from './call';

export const SERVICE_KINDS = ['did', 'extension', 'pbx'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface Service {
  readonly serviceId: string;
  readonly customerId: string;
  readonly departmentId: string | null;
  readonly kind: ServiceKind;
  /** PBX name (8x8 pbxId). Required for extension and pbx services; optional for DIDs. */
  readonly pbxName: string | null;
  /** DID: E.164 "+61…"; extension: its digits; pbx: "". */
  readonly identifier: string;
  readonly validFromMs: number;
  /** Exclusive; null = open-ended. */
  readonly validToMs: number | null;
  /** Overrides the department's and customer's tariff group when set. */
  readonly tariffGroup: string | null;
  /** National area code for local-call classification ("3", "20", "212"). */
  readonly areaCode: string | null;
}

export type MatchRule =
  | 'outbound_extension'
  | 'outbound_number'
  | 'inbound_did'
  | 'inbound_extension'
  | 'internal_caller_extension'
  | 'internal_callee_extension'
  | 'pbx_catch_all';

export type UnmatchedReason = 'no_service' | 'ambiguous' | 'unknown_direction';

export type MatchResult =
  | { readonly matched: true; readonly service: Service; readonly rule: MatchRule; readonly key: string; readonly direction: Direction }
  | { readonly matched: false; readonly reason: UnmatchedReason; readonly detail: string; readonly direction: Direction | null };

export class ServiceIndex {
  private readonly byExtension = new Map<string, Service[]>();
  private readonly byDid = new Map<string, Service[]>();
  private readonly byPbx = new Map<string, Service[]>();

  constructor(readonly services: readonly Service[]) {
    for (const s of services) {
      if (s.kind === 'extension') push(this.byExtension, extKey(s.pbxName ?? '', s.identifier), s);
      else if (s.kind === 'did') push(this.byDid, s.identifier, s);
      else push(this.byPbx, s.pbxName ?? '', s);
    }
  }

  extensions(pbxName: string, ext: string, atMs: number): Service[] {
    return active(this.byExtension.get(extKey(pbxName, ext)), atMs);
  }

  /** DID services for an E.164 number: those on `pbxName` if any, else tenant-wide ones. */
  dids(e164: string, pbxName: string, atMs: number): Service[] {
    const all = active(this.byDid.get(e164), atMs);
    const onPbx = all.filter((s) => s.pbxName === pbxName);
    return onPbx.length > 0 ? onPbx : all.filter((s) => s.pbxName === null);
  }

  pbx(pbxName: string, atMs: number): Service[] {
    return active(this.byPbx.get(pbxName), atMs);
  }

  /** True when `ext` is an extension service on `pbxName` at `atMs` (used to spot internal destinations). */
  isExtension(pbxName: string, ext: string, atMs: number): boolean {
    return this.extensions(pbxName, ext, atMs).length > 0;
  }
}

function extKey(pbx: string, ext: string): string {
  return `${pbx}\u0000${ext}`;
}

function push<K>(m: Map<K, Service[]>, k: K, s: Service): void {
  const l = m.get(k);
  if (l) l.push(s);
  else m.set(k, [s]);
}

function active(list: Service[] | undefined, atMs: number): Service[] {
  if (!list) return [];
  return list.filter((s) => s.validFromMs <= atMs && (s.validToMs === null || atMs < s.validToMs));
}

const EXT_RE = /^\d{1,8}$/;

/** Infers a direction for values outside 8x8's documented set from the shape of both ends. */
export function inferDirection(call: CallRecord): Direction | null {
  const mapped = mapDirection(call.direction);
  if (mapped) return mapped;
  if (EXT_RE.test(call.caller.trim()) && EXT_RE.test(call.callee.trim())) return 'internal';
  return null;
}

/**
 * Finds the service a call belongs to. `country` is the tenant's country, used to normalise
 * `dnis` and presented numbers for the DID lookup.
 */
export function matchCall(call: CallRecord, index: ServiceIndex, country: string): MatchResult {
  const direction = inferDirection(call);
  if (direction === null) {
    return { matched: false, reason: 'unknown_direction', detail: `direction ${JSON.stringify(call.direction)} is not Incoming/Outgoing and the call is not extension-to-extension`, direction: null };
  }
  const at = call.startMs;
  const pbx = call.pbxName;
  const tried: string[] = [];
  type Attempt = { rule: MatchRule; key: string; found: Service[] };
  const attempts: (() => Attempt | null)[] = [];
  const ext = (rule: MatchRule, value: string) => () => {
    const v = value.trim();
    if (!EXT_RE.test(v)) return null;
    return { rule, key: `extension ${v} on ${pbx}`, found: index.extensions(pbx, v, at) };
  };
  const did = (rule: MatchRule, value: string) => () => {
    const n = analyzeNumber(value, { country });
    if (n.e164 === null) return null;
    return { rule, key: `DID ${n.e164}`, found: index.dids(n.e164, pbx, at) };
  };
  if (direction === 'outbound') {
    attempts.push(ext('outbound_extension', call.caller));
    const presented = call.caller.trim().startsWith('+') ? call.caller : call.callerIdNumber;
    attempts.push(did('outbound_number', presented));
  } else if (direction === 'inbound') {
    attempts.push(did('inbound_did', call.dnis));
    attempts.push(ext('inbound_extension', call.callee));
  } else {
    attempts.push(ext('internal_caller_extension', call.caller));
    attempts.push(ext('internal_callee_extension', call.callee));
  }
  attempts.push(() => ({ rule: 'pbx_catch_all', key: `PBX ${pbx}`, found: index.pbx(pbx, at) }));
  for (const attempt of attempts) {
    const a = attempt();
    if (a === null) continue;
    tried.push(a.key);
    if (a.found.length === 1) return { matched: true, service: a.found[0]!, rule: a.rule, key: a.key, direction };
    if (a.found.length > 1) {
      return { matched: false, reason: 'ambiguous', detail: `${a.key} matches services ${a.found.map((s) => s.serviceId).join(', ')}`, direction };
    }
  }
  return { matched: false, reason: 'no_service', detail: `no active service for ${tried.join(', ') || 'any key'} at the call's start`, direction };
}
