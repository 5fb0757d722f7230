/** Renders simulated calls exactly like the API: field order, JSON types and local time strings (spec §5.4, §6, §8.2). */
import { IANAZone } from 'luxon';
import type { SimCall, SimLeg } from './model';

export type TimeRenderer = (ms: number) => string;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSS±hhmm` in `zone` (offsets cached per 15-minute bucket). */
export function timeRenderer(zone: string): TimeRenderer {
  const isUtc = zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT';
  const z = isUtc ? null : IANAZone.create(zone);
  const cache = new Map<number, number>();
  const offsetOf = (ms: number): number => {
    if (!z) return 0;
    // Transitions happen on quarter hours at the finest; look the offset up at each bucket's end too.
    const bucket = Math.floor(ms / 900_000);
    let off = cache.get(bucket);
    if (off === undefined) {
      const a = z.offset(bucket * 900_000);
      const b = z.offset(bucket * 900_000 + 899_999);
      off = a === b ? a : Number.NaN;
      if (cache.size > 10_000) cache.clear();
      cache.set(bucket, off);
    }
    return Number.isNaN(off) ? z.offset(ms) : off;
  };
  return (ms: number) => {
    const off = offsetOf(ms);
    const iso = new Date(ms + off * 60_000).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    return `${iso.slice(0, 23)}${sign}${pad2(Math.floor(a / 60))}${pad2(a % 60)}`;
  };
}

/** `HH:MM:SS` of a ms duration, truncating (hours may exceed two digits). */
export function hms(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

function localOrZero(t: TimeRenderer, ms: number): string {
  return ms > 0 ? t(ms) : '0';
}

/** One `/v2/call-records` row, keys in the order of the documented example. */
export function renderRecord(c: SimCall, t: TimeRenderer): Record<string, unknown> {
  return {
    dnis: c.dnis,
    aaDestination: null,
    callId: c.callId,
    startTimeUTC: c.start,
    startTime: t(c.start),
    connectTimeUTC: c.connect,
    connectTime: localOrZero(t, c.connect),
    disconnectedTimeUTC: c.disconnect,
    disconnectedTime: t(c.disconnect),
    talkTimeMS: c.talk,
    talkTime: hms(c.talk),
    caller: c.caller,
    callerName: c.callerName,
    callee: c.callee,
    calleeName: c.calleeName,
    direction: c.direction,
    callerId: c.callerId,
    missed: c.missed,
    abandoned: c.abandoned,
    answered: c.answered,
    answeredTime: c.answeredTime,
    calleeDisconnectOnHold: '',
    callerDisconnectOnHold: '',
    pbxId: c.pbx,
    sipCallId: c.sipCallId,
    lastLegDisposition: c.lastLegDisposition,
    callLegCount: String(c.legs.length),
    callTime: c.disconnect - c.start,
    ringDuration: c.ringDuration,
    abandonedTime: c.abandonedTime,
    calleeHoldDurationMS: c.hold,
    calleeHoldDuration: hms(c.hold),
    waitTimeMS: c.wait,
    waitTime: hms(c.wait),
    departments: [...c.departments],
    branches: [...c.branches],
  };
}

/** One `/v2/call-legs` row, keys in the order of the documented example. */
export function renderLeg(c: SimCall, l: SimLeg, t: TimeRenderer): Record<string, unknown> {
  return {
    callId: c.callId,
    legId: String(l.legId),
    startTimeUTC: l.start,
    startTime: t(l.start),
    connectTimeUTC: l.connect,
    connectTime: localOrZero(t, l.connect),
    disconnectedTimeUTC: l.disconnect,
    disconnectedTime: t(l.disconnect),
    talkTimeMS: l.talk,
    talkTime: hms(l.talk),
    caller: l.caller,
    callerName: l.callerName,
    callee: l.callee,
    calleeName: l.calleeName,
    lra: l.lra,
    direction: c.direction,
    parentCallId: null,
    transferToCallId: null,
    dnis: c.dnis,
    status: 'Completed',
    callerDeviceId: null,
    calleeDeviceId: l.calleeDeviceId,
    callerDeviceModel: '',
    calleeDeviceModel: l.calleeDeviceModel,
    callerId: c.callerId,
    missed: l.missed,
    abandoned: l.abandoned,
    answered: l.answered,
    cause: l.cause,
    callerSvcName: null,
    callerSvcType: null,
    calleeSvcName: l.calleeSvcName,
    calleeSvcType: l.calleeSvcType,
    lraType: l.lraType,
    calleeHoldDurationMS: l.hold,
    calleeHoldDuration: hms(l.hold),
    calleeDisconnectOnHold: '',
    callerDisconnectOnHold: '',
    pbxId: c.pbx,
    sipCallId: c.sipCallId,
    departments: [...l.departments],
    branches: [...c.branches],
    recordServiceOn: '',
    bargeServiceOn: '',
    masterSlaveExts: '',
    propsLastPartyDisp: l.propsLastPartyDisp,
    accountCode: '',
    aaPath: l.aaPath,
    callTime: l.disconnect - l.start,
  };
}
