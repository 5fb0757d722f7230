/**
 * zod schemas for the Analytics for 8x8 Work CDR payloads (spec §5.4, §6, §3.2, §5.1 PBX list).
 *
 * Tolerance rules (spec §12, §15.8): numeric strings are coerced to numbers (`callLegCount` is `"3"`
 * in practice, an integer in the schema); `direction`, dispositions and labels are open sets; unknown
 * extra fields are kept; nullable/missing cosmetic strings become `''`. What cannot be trusted for
 * billing (ids, epoch times, durations, parties) is required and a failure quarantines the row.
 */
import { z } from 'zod';

const INTEGER_STRING = /^\s*-?\d+\s*$/;

function coerceInt(v: unknown): unknown {
  return typeof v === 'string' && INTEGER_STRING.test(v) ? Number(v) : v;
}

/** Epoch milliseconds (0 = absent), integer or integer string. */
const epochMs = z.preprocess(coerceInt, z.number().int().min(0).max(8.64e15));
/** Duration / count: non-negative integer or integer string. */
const count = z.preprocess(coerceInt, z.number().int().min(0));
const countDefault0 = z.preprocess((v) => (v === undefined || v === null ? 0 : coerceInt(v)), z.number().int().min(0));
/** Digits id (callId, legId): string, or a number turned into its decimal string. */
const idString = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v),
  z.string().trim().min(1),
);
/** Required text (may be empty but must be present as a string). */
const text = z.string();
/** Cosmetic text: null/missing become ''. */
const softText = z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string());
const nullableText = z.preprocess((v) => (v === undefined ? null : v), z.string().nullable());
const stringList = z.preprocess((v) => (v === undefined || v === null ? [] : v), z.array(z.string()));
const softFlag = z.preprocess((v) => (v === undefined || v === null ? '-' : v), z.string());

/** Fields that call records and call legs share, with the same meaning and rules (spec §5.4, §6). */
const timesAndParties = {
  startTimeUTC: epochMs.refine((v) => v > 0, 'must be a positive epoch ms value'),
  startTime: softText,
  connectTimeUTC: epochMs,
  connectTime: z.preprocess((v) => (v === undefined || v === null ? '0' : typeof v === 'number' ? String(v) : v), z.string()),
  /** 0 while a leg is "In Progress". */
  disconnectedTimeUTC: epochMs,
  disconnectedTime: softText,
  talkTimeMS: count,
  talkTime: softText,
  caller: text,
  callerName: softText,
  callee: text,
  calleeName: softText,
};

export const callRecordSchema = z
  .looseObject({
    callId: idString,
    dnis: softText,
    aaDestination: nullableText,
    ...timesAndParties,
    direction: text,
    callerId: softText,
    missed: softFlag,
    abandoned: softFlag,
    answered: softFlag,
    answeredTime: countDefault0,
    calleeDisconnectOnHold: softText,
    callerDisconnectOnHold: softText,
    pbxId: z.string().min(1),
    sipCallId: softText,
    lastLegDisposition: softText,
    /** Missing → 1 (every call has at least one leg). */
    callLegCount: z.preprocess((v) => (v === undefined || v === null ? 1 : coerceInt(v)), z.number().int().min(0)),
    /** Missing → disconnectedTimeUTC − startTimeUTC (the documented relation, spec §14). */
    callTime: z.preprocess((v) => (v === null ? undefined : coerceInt(v)), z.number().int().min(0).optional()),
    ringDuration: countDefault0,
    abandonedTime: countDefault0,
    calleeHoldDurationMS: countDefault0,
    calleeHoldDuration: softText,
    waitTimeMS: countDefault0,
    waitTime: softText,
    departments: stringList,
    branches: stringList,
  })
  .superRefine((r, ctx) => {
    if (r.disconnectedTimeUTC !== 0 && r.disconnectedTimeUTC < r.startTimeUTC) {
      ctx.addIssue({ code: 'custom', path: ['disconnectedTimeUTC'], message: 'is before startTimeUTC' });
    }
    if (r.connectTimeUTC !== 0 && r.connectTimeUTC < r.startTimeUTC) {
      ctx.addIssue({ code: 'custom', path: ['connectTimeUTC'], message: 'is before startTimeUTC' });
    }
  })
  .transform((r) => ({
    ...r,
    callTime: r.callTime ?? (r.disconnectedTimeUTC > 0 ? r.disconnectedTimeUTC - r.startTimeUTC : 0),
  }));

export type CallRecord = z.infer<typeof callRecordSchema>;

export const callLegSchema = z
  .looseObject({
    callId: idString,
    legId: idString,
    ...timesAndParties,
    lra: softText,
    direction: text,
    parentCallId: nullableText,
    transferToCallId: nullableText,
    dnis: softText,
    status: softText,
    callerDeviceId: nullableText,
    calleeDeviceId: nullableText,
    callerDeviceModel: softText,
    calleeDeviceModel: softText,
    callerId: softText,
    missed: softFlag,
    abandoned: softFlag,
    answered: softFlag,
    cause: softText,
    callerSvcName: nullableText,
    callerSvcType: nullableText,
    calleeSvcName: nullableText,
    calleeSvcType: nullableText,
    lraType: z.preprocess((v) => (v === undefined || v === null ? null : coerceInt(v)), z.number().int().nullable()),
    calleeHoldDurationMS: countDefault0,
    calleeHoldDuration: softText,
    calleeDisconnectOnHold: softText,
    callerDisconnectOnHold: softText,
    pbxId: z.string().min(1),
    sipCallId: softText,
    departments: stringList,
    branches: stringList,
    recordServiceOn: softText,
    bargeServiceOn: softText,
    masterSlaveExts: softText,
    propsLastPartyDisp: softText,
    accountCode: softText,
    aaPath: softText,
    callTime: z.preprocess((v) => (v === null ? undefined : coerceInt(v)), z.number().int().min(0).optional()),
  })
  .transform((r) => ({
    ...r,
    callTime: r.callTime ?? (r.disconnectedTimeUTC > 0 ? r.disconnectedTimeUTC - r.startTimeUTC : 0),
  }));

export type CallLeg = z.infer<typeof callLegSchema>;

/** A row we received but could not trust; stored as received, with a human-readable reason. */
export interface QuarantinedRecord {
  reason: string;
  raw: unknown;
}

export type ParseResult<T> = { ok: true; record: T; raw: unknown } | { ok: false; quarantined: QuarantinedRecord };

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Turns zod issues into "field 'x': expected number, got "abc"; field 'y': ..." */
export function describeIssues(error: z.ZodError, raw: unknown): string {
  return error.issues
    .map((i) => {
      const field = i.path.length > 0 ? i.path.map(String).join('.') : '(record)';
      return `field '${field}': ${i.message}, got ${describeValue(valueAt(raw, i.path))}`;
    })
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, what: string, raw: unknown): ParseResult<T> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, quarantined: { reason: `${what} is not a JSON object, got ${describeValue(raw)}`, raw } };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, record: r.data, raw };
  const id = (raw as Record<string, unknown>).callId;
  const idPart = typeof id === 'string' || typeof id === 'number' ? ` ${String(id)}` : '';
  return { ok: false, quarantined: { reason: `${what}${idPart}: ${describeIssues(r.error, raw)}`, raw } };
}

export function parseCallRecord(raw: unknown): ParseResult<CallRecord> {
  return parseWith(callRecordSchema, 'call record', raw);
}

export function parseCallLeg(raw: unknown): ParseResult<CallLeg> {
  return parseWith(callLegSchema, 'call leg', raw);
}

/** `{ meta: { totalRecordCount, scrollId }, data: [...] }` — rows are validated one by one afterwards. */
export const pageEnvelopeSchema = z.object({
  meta: z.looseObject({
    totalRecordCount: z.preprocess(coerceInt, z.number().int().min(0)).optional(),
    scrollId: z.string().nullable().optional(),
  }),
  data: z.array(z.unknown()).nullable().optional(),
});
export type PageEnvelope = z.infer<typeof pageEnvelopeSchema>;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.preprocess(coerceInt, z.number().int().positive()).optional(),
});

const pbxSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  deleted: z.boolean().optional(),
});
const pageInfoSchema = z.looseObject({
  size: z.number().optional(),
  totalElements: z.number().optional(),
  totalPages: z.number().optional(),
  number: z.number().optional(),
});
/** GET /v2/pbxes/ — the schema puts `page` at top level, the documented example nests it in `_embedded`. */
export const pbxListSchema = z.looseObject({
  _embedded: z
    .looseObject({
      pbxList: z.array(pbxSchema).optional(),
      page: pageInfoSchema.optional(),
    })
    .optional(),
  page: pageInfoSchema.optional(),
});
