/**
 * The call fields matching and rating use, parsed from an 8x8 call record (API JSON) or a
 * `calls` table row, and the mapping of 8x8's `direction` to ours.
 */
import { z } from 'zod';
import type { Direction } from '../rating/types';

export interface CallRecord {
  readonly callId: string;
  readonly pbxName: string;
  /** 8x8's value as received ("Incoming", "Outgoing", or anything else). */
  readonly direction: string;
  readonly startMs: number;
  /** 0 when not answered. */
  readonly connectMs: number;
  readonly disconnectMs: number;
  readonly talkMs: number;
  readonly caller: string;
  readonly callee: string;
  readonly dnis: string;
  /** Number part of 8x8 `callerId` ("NAME,+61…"), "" when absent. */
  readonly callerIdNumber: string;
}

const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

/** Zod schema of the 8x8 call-record fields we use; other fields are ignored. */
export const CallRecordJson = z.object({
  callId: z.union([z.string().min(1), z.number().int().transform(String)]),
  pbxId: z.string().default(''),
  direction: z.string().default(''),
  startTimeUTC: intLike,
  connectTimeUTC: intLike.default(0),
  disconnectedTimeUTC: intLike.default(0),
  talkTimeMS: intLike.default(0),
  caller: z.string().default(''),
  callee: z.string().default(''),
  dnis: z.string().nullable().default('').transform((v) => v ?? ''),
  callerId: z.string().nullable().default('').transform((v) => v ?? ''),
});

export function callerIdNumber(callerId: string): string {
  const i = callerId.lastIndexOf(',');
  return (i >= 0 ? callerId.slice(i + 1) : callerId).trim();
}

export function callRecordFromJson(json: unknown): { ok: true; call: CallRecord } | { ok: false; error: string } {
  const r = CallRecordJson.safeParse(json);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') };
  const v = r.data;
  return {
    ok: true,
    call: {
      callId: v.callId,
      pbxName: v.pbxId,
      direction: v.direction,
      startMs: v.startTimeUTC,
      connectMs: v.connectTimeUTC,
      disconnectMs: v.disconnectedTimeUTC,
      talkMs: v.talkTimeMS,
      caller: v.caller,
      callee: v.callee,
      dnis: v.dnis,
      callerIdNumber: callerIdNumber(v.callerId),
    },
  };
}

/**
 * Maps 8x8's open `direction` set: "Outgoing" → outbound, "Incoming" → inbound,
 * "Internal"/"Intra"/"Local" style values → internal. Anything else is returned as null
 * (the call is then unmatched with reason unknown_direction instead of guessed).
 */
export function mapDirection(raw: string): Direction | null {
  const v = raw.trim().toLowerCase();
  if (v === 'outgoing' || v === 'outbound') return 'outbound';
  if (v === 'incoming' || v === 'inbound') return 'inbound';
  if (v === 'internal' || v === 'intra' || v === 'extension' || v === 'intercom') return 'internal';
  return null;
}
