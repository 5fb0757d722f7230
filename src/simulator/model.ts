/** In-memory shapes of simulated calls (UTC epoch ms everywhere; rendering happens in render.ts). */

/** Times (UTC epoch ms) and parties that a call and each of its legs have. */
interface SimTimesAndParties {
  start: number;
  connect: number;
  disconnect: number;
  talk: number;
  caller: string;
  callerName: string;
  callee: string;
  calleeName: string;
}

export interface SimLeg extends SimTimesAndParties {
  legId: number;
  lra: string;
  lraType: number;
  cause: string;
  missed: string;
  abandoned: string;
  answered: string;
  calleeSvcName: string | null;
  calleeSvcType: string | null;
  calleeDeviceId: string | null;
  calleeDeviceModel: string;
  hold: number;
  propsLastPartyDisp: string;
  aaPath: string;
  /** Agent/member offer placed by a queue or ring group (dropped with isSimplified=true). */
  child: boolean;
  departments: string[];
}

export interface SimCall extends SimTimesAndParties {
  callId: string;
  pbx: string;
  pbxIndex: number;
  direction: string;
  callerId: string;
  dnis: string;
  missed: string;
  abandoned: string;
  answered: string;
  answeredTime: number;
  lastLegDisposition: string;
  ringDuration: number;
  abandonedTime: number;
  hold: number;
  wait: number;
  departments: string[];
  branches: string[];
  sipCallId: string;
  legs: SimLeg[];
}

export const HOUR_MS = 3_600_000;
/** No simulated call lasts longer than this (start → disconnect). */
export const MAX_CALL_MS = 4 * HOUR_MS;

/** Newest first: startTimeUTC desc, then callId desc (all generated ids have 13 digits). */
export function compareCallsDesc(a: SimCall, b: SimCall): number {
  if (a.start !== b.start) return b.start - a.start;
  return compareIdsDesc(a.callId, b.callId);
}

export function compareIdsDesc(a: string, b: string): number {
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** True when row (start, callId) comes strictly after the cursor in newest-first order. */
export function isAfterCursor(start: number, callId: string, cursor: { start: number; callId: string }): boolean {
  if (start !== cursor.start) return start < cursor.start;
  return compareIdsDesc(callId, cursor.callId) > 0;
}
