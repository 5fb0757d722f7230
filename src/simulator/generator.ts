/**
 * Deterministic call generation. Nothing is stored: the calls of one PBX in one UTC hour are a pure
 * function of (tenant seed, PBX index, hour index), so any window is computed on demand and a tenant
 * may hold millions of calls.
 */
import { IANAZone } from 'luxon';
import { externalNumber, didNumber, localeFor, INBOUND_MIX, OUTBOUND_MIX, type Country, type PbxLocale } from './numbers';
import { Rng, seedOf } from './prng';
import { HOUR_MS, compareCallsDesc, type SimCall, type SimLeg } from './model';

export interface PbxSpec {
  name: string;
  country: Country;
  timeZone: string;
  extensions?: number;
}

export interface DirUser {
  ext: string;
  name: string;
  department: string;
  did: string | null;
  deviceId: string;
  deviceModel: string;
}
export interface DirGroup {
  ext: string;
  name: string;
  members: DirUser[];
}
export interface Directory {
  pbx: string;
  pbxIndex: number;
  locale: PbxLocale;
  timeZone: string;
  mainDid: string;
  users: DirUser[];
  ringGroups: DirGroup[];
  queues: DirGroup[];
  autoAttendant: { ext: string; name: string };
}

const FIRST = ['Alice', 'Bob', 'Chen', 'Dana', 'Eli', 'Fatima', 'George', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Liam', 'Maya', 'Noah', 'Olivia', 'Priya', 'Quinn', 'Ravi', 'Sofia', 'Tom', 'Uma', 'Victor', 'Wen', 'Xavier', 'Yara', 'Zoe'];
const LAST = ['Ng', 'Ortiz', 'Wu', 'Smith', 'Garcia', 'Khan', 'Brown', 'Nguyen', 'Patel', 'Jones', 'Murphy', 'Rossi', 'Kim', 'Silva', 'Taylor', 'Walker', 'Cohen', 'Singh', 'Evans', 'Lee'];
const DEPARTMENTS = ['Sales', 'Support', 'Finance', 'Operations'];
const MODELS = ['Poly VVX 450', 'Poly VVX 350', 'Yealink T54W', 'Cisco 8851', '8x8 Work for Desktop', '8x8 Work for Mobile'];

export const MAX_PBXES = 100;
/** Per PBX per hour at most this many generated calls (callId space). */
export const MAX_CALLS_PER_SLOT = 9_999;

export function buildDirectory(seed: number, pbxIndex: number, spec: PbxSpec): Directory {
  const rng = new Rng(seedOf(seed, 'directory', pbxIndex, spec.name));
  const locale = localeFor(spec.country, spec.timeZone);
  const n = Math.max(4, spec.extensions ?? 20);
  const users: DirUser[] = [];
  for (let i = 0; i < n; i++) {
    users.push({
      ext: String(1001 + i),
      name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      department: DEPARTMENTS[i % DEPARTMENTS.length] ?? 'Sales',
      did: rng.chance(0.5) ? didNumber(rng, locale) : null,
      deviceId: rng.digits(12).replace(/\d/g, (d) => 'abcdef0123456789'[Number(d)] ?? '0'),
      deviceModel: rng.pick(MODELS),
    });
  }
  const members = (dept: string) => {
    const m = users.filter((u) => u.department === dept);
    return m.length > 0 ? m : users.slice(0, 2);
  };
  return {
    pbx: spec.name,
    pbxIndex,
    locale,
    timeZone: spec.timeZone,
    mainDid: didNumber(rng, locale),
    users,
    ringGroups: [
      { ext: '2000', name: 'Sales Ring Group', members: members('Sales') },
      { ext: '2001', name: 'Support Ring Group', members: members('Support') },
    ],
    queues: [
      { ext: '3000', name: 'Support Queue', members: members('Support') },
      { ext: '3001', name: 'Sales Queue', members: members('Sales') },
    ],
    autoAttendant: { ext: '8000', name: 'Main Auto Attendant' },
  };
}

/** Relative call volume by local hour of day (busy mornings/afternoons, lunch dip, quiet nights). */
const HOUR_WEIGHT = [0.03, 0.02, 0.02, 0.02, 0.03, 0.06, 0.15, 0.45, 1.3, 2.0, 2.1, 1.9, 1.3, 1.8, 1.9, 1.7, 1.4, 0.9, 0.45, 0.25, 0.18, 0.12, 0.08, 0.05];
const WEEKEND_FACTOR = 0.15;
const MEAN_WEIGHT = (() => {
  const day = HOUR_WEIGHT.reduce((a, b) => a + b, 0);
  return (day * 5 + day * 2 * WEEKEND_FACTOR) / (7 * 24);
})();

const offsetCache = new Map<string, number>();
/** Offset (minutes) of `zone` at the start of the UTC day containing `hourIndex` (deterministic, cached). */
function dayOffsetMinutes(zone: string, hourIndex: number): number {
  const day = Math.floor(hourIndex / 24);
  const key = `${zone}|${day}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    const z = IANAZone.create(zone);
    off = z.isValid ? z.offset(day * 24 * HOUR_MS) : 0;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/** Mean number of calls for one PBX in one UTC hour. */
export function slotMean(dir: Directory, hourIndex: number, callsPerDayPerPbx: number): number {
  const localMs = hourIndex * HOUR_MS + dayOffsetMinutes(dir.timeZone, hourIndex) * 60_000;
  const d = new Date(localMs);
  const w = (HOUR_WEIGHT[d.getUTCHours()] ?? 1) * (d.getUTCDay() === 0 || d.getUTCDay() === 6 ? WEEKEND_FACTOR : 1);
  return (callsPerDayPerPbx / 24) * (w / MEAN_WEIGHT);
}

/** Number of calls generated for (pbx, hour): cheap, independent of generating them. */
export function slotCount(seed: number, dir: Directory, hourIndex: number, callsPerDayPerPbx: number): number {
  const rng = new Rng(seedOf(seed, 'count', dir.pbxIndex, hourIndex));
  return Math.min(MAX_CALLS_PER_SLOT, rng.poisson(slotMean(dir, hourIndex, callsPerDayPerPbx)));
}

export function generatedCallId(hourIndex: number, pbxIndex: number, seq: number): string {
  return String(1_000_000_000_000 + hourIndex * 1_000_000 + pbxIndex * 10_000 + seq);
}

/** Calls of one PBX whose start lies in UTC hour `hourIndex`, newest first. */
export function generateSlot(seed: number, dir: Directory, hourIndex: number, callsPerDayPerPbx: number, internalDirection: string): SimCall[] {
  const n = slotCount(seed, dir, hourIndex, callsPerDayPerPbx);
  if (n === 0) return [];
  const rng = new Rng(seedOf(seed, 'calls', dir.pbxIndex, hourIndex));
  const base = hourIndex * HOUR_MS;
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Math.floor(rng.next() * HOUR_MS));
  offsets.sort((a, b) => a - b);
  const calls: SimCall[] = [];
  for (let i = 0; i < n; i++) {
    calls.push(generateCall(rng, dir, generatedCallId(hourIndex, dir.pbxIndex, i), base + (offsets[i] ?? 0), internalDirection));
  }
  calls.sort(compareCallsDesc);
  return calls;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.round(Math.max(lo, Math.min(hi, v)));
}
function talkMs(rng: Rng): number {
  return clamp(rng.logNormal(95_000, 1.05), 2_000, 3 * HOUR_MS);
}
function holdMs(rng: Rng, talk: number): number {
  return rng.chance(0.15) ? clamp(rng.logNormal(30_000, 0.8), 1_000, talk / 2) : 0;
}
function upperName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`.toUpperCase();
}
function digitsOf(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164;
}

function baseLeg(legId: number, start: number, caller: string, callerName: string, callee: string, calleeName: string): SimLeg {
  return {
    legId,
    start,
    connect: 0,
    disconnect: start,
    talk: 0,
    caller,
    callerName,
    callee,
    calleeName,
    lra: callee,
    lraType: 1,
    cause: 'Normal',
    missed: '-',
    abandoned: '-',
    answered: '-',
    calleeSvcName: null,
    calleeSvcType: null,
    calleeDeviceId: null,
    calleeDeviceModel: '',
    hold: 0,
    propsLastPartyDisp: 'Missed',
    aaPath: '',
    child: false,
    departments: [],
  };
}

/** Leg answered by a user: ring, talk, optional hold. Returns the leg. */
function answeredUserLeg(rng: Rng, leg: SimLeg, user: DirUser | null, ringMin: number, ringMax: number): SimLeg {
  leg.connect = leg.start + rng.int(ringMin, ringMax);
  const talk = talkMs(rng);
  leg.disconnect = leg.connect + talk;
  leg.talk = talk;
  leg.hold = holdMs(rng, talk);
  leg.answered = 'Answered';
  leg.propsLastPartyDisp = 'Answered';
  if (user) {
    leg.calleeDeviceId = user.deviceId;
    leg.calleeDeviceModel = user.deviceModel;
    leg.departments = [user.department];
  }
  return leg;
}

type Scenario = 'outgoing' | 'internal' | 'direct' | 'aa' | 'queue' | 'transfer';
const SCENARIOS: readonly (readonly [Scenario, number])[] = [
  ['outgoing', 34],
  ['internal', 9],
  ['direct', 24],
  ['aa', 13],
  ['queue', 14],
  ['transfer', 6],
];

export function generateCall(rng: Rng, dir: Directory, callId: string, start: number, internalDirection: string): SimCall {
  const scenario = rng.weighted(SCENARIOS);
  const branches = [dir.locale.city];
  const sipCallId = `${rng.int(100_000_000, 999_999_999)}_${rng.int(1000, 9999)}@192.0.2.${10 + (dir.pbxIndex % 200)}`;
  const user = rng.pick(dir.users);
  const l1Start = start + rng.int(2, 9);
  const legs: SimLeg[] = [];
  let direction = 'Incoming';
  let caller: string;
  let callerName: string;
  let callee: string;
  let calleeName: string;
  let callerId: string;
  let dnis: string;
  let wait = 0;
  let abandoned = false;
  let lastLegDisposition: string;
  let departments = [user.department];

  const extCaller = () => {
    const num = externalNumber(rng, dir.locale, rng.weighted(INBOUND_MIX[dir.locale.country]));
    const name = rng.chance(0.4) ? upperName(rng) : digitsOf(num);
    return { num, name };
  };

  switch (scenario) {
    case 'outgoing': {
      direction = 'Outgoing';
      const num = externalNumber(rng, dir.locale, rng.weighted(OUTBOUND_MIX[dir.locale.country]));
      caller = user.ext;
      callerName = user.name;
      callee = num;
      calleeName = digitsOf(num);
      callerId = `${user.name},${user.did ?? dir.mainDid}`;
      dnis = digitsOf(num);
      const leg = baseLeg(1, l1Start, caller, callerName, callee, calleeName);
      leg.lraType = 4;
      leg.departments = [user.department];
      if (rng.chance(0.8)) {
        answeredUserLeg(rng, leg, null, 2_500, 25_000);
        leg.calleeDeviceId = null;
        leg.calleeDeviceModel = '';
        leg.departments = [user.department];
        lastLegDisposition = 'Answered';
      } else {
        leg.disconnect = leg.start + rng.int(4_000, 45_000);
        leg.cause = 'Ring No Answer';
        lastLegDisposition = 'Missed';
      }
      legs.push(leg);
      break;
    }
    case 'internal': {
      direction = internalDirection;
      let other = rng.pick(dir.users);
      if (other.ext === user.ext) other = dir.users[(dir.users.indexOf(user) + 1) % dir.users.length] ?? user;
      caller = user.ext;
      callerName = user.name;
      callee = other.ext;
      calleeName = other.name;
      callerId = `${user.name},${user.ext}`;
      dnis = other.ext;
      departments = user.department === other.department ? [user.department] : [user.department, other.department];
      const leg = baseLeg(1, l1Start, caller, callerName, callee, calleeName);
      if (rng.chance(0.85)) {
        answeredUserLeg(rng, leg, other, 1_500, 15_000);
        lastLegDisposition = 'Answered';
      } else {
        leg.disconnect = leg.start + rng.int(3_000, 30_000);
        leg.cause = 'Ring No Answer';
        leg.missed = 'Missed';
        leg.departments = [other.department];
        lastLegDisposition = 'Missed';
      }
      legs.push(leg);
      break;
    }
    case 'direct':
    case 'transfer': {
      const ext = extCaller();
      caller = ext.num;
      callerName = ext.name;
      callerId = `${ext.name},${ext.num}`;
      callee = user.ext;
      calleeName = user.name;
      dnis = digitsOf(user.did ?? dir.mainDid);
      const leg = baseLeg(1, l1Start, caller, callerName, callee, calleeName);
      leg.departments = [user.department];
      const roll = rng.next();
      if (scenario === 'transfer' || roll < 0.68) {
        answeredUserLeg(rng, leg, user, 2_000, 20_000);
        lastLegDisposition = 'Answered';
        legs.push(leg);
        if (scenario === 'transfer') {
          let other = rng.pick(dir.users);
          if (other.ext === user.ext) other = dir.users[(dir.users.indexOf(user) + 1) % dir.users.length] ?? user;
          leg.cause = 'Transfer';
          leg.propsLastPartyDisp = 'Transfer';
          const leg2 = baseLeg(2, leg.disconnect + rng.int(2, 9), caller, callerName, other.ext, other.name);
          leg2.lra = user.ext;
          answeredUserLeg(rng, leg2, other, 1_500, 12_000);
          legs.push(leg2);
          callee = other.ext;
          calleeName = other.name;
          departments = user.department === other.department ? [user.department] : [user.department, other.department];
        }
      } else if (roll < 0.9) {
        // Unanswered → the user's voicemail picks up (call-level connect stays 0).
        leg.connect = leg.start + rng.int(15_000, 30_000);
        leg.disconnect = leg.connect + rng.int(4_000, 60_000);
        leg.talk = leg.disconnect - leg.connect;
        leg.missed = 'Missed';
        leg.calleeSvcName = 'VMadvanced';
        leg.calleeSvcType = 'Custom';
        leg.propsLastPartyDisp = 'Voicemail';
        lastLegDisposition = 'Voicemail';
        legs.push(leg);
      } else {
        leg.disconnect = leg.start + rng.int(3_000, 25_000);
        leg.missed = 'Missed';
        leg.cause = 'Ring No Answer';
        lastLegDisposition = 'Missed';
        legs.push(leg);
      }
      break;
    }
    case 'aa': {
      const ext = extCaller();
      const group = rng.pick(dir.ringGroups);
      caller = ext.num;
      callerName = ext.name;
      callerId = `${ext.name},${ext.num}`;
      dnis = digitsOf(dir.mainDid);
      departments = [group.members[0]?.department ?? user.department];
      const aa = baseLeg(1, l1Start, caller, callerName, dir.autoAttendant.ext, dir.autoAttendant.name);
      aa.connect = aa.start + rng.int(25, 60);
      aa.disconnect = aa.connect + rng.int(4_000, 15_000);
      aa.cause = 'Redirected';
      aa.propsLastPartyDisp = 'Redirected';
      aa.calleeSvcName = 'AutoAttendant';
      aa.calleeSvcType = 'Custom';
      aa.lraType = 2;
      aa.aaPath = `${dir.autoAttendant.ext}>${rng.int(1, 4)}`;
      aa.departments = departments;
      legs.push(aa);
      const rg = baseLeg(2, aa.disconnect + rng.int(2, 5), caller, callerName, group.ext, group.name);
      rg.disconnect = rg.start + rng.int(3_000, 20_000);
      rg.cause = 'Redirected';
      rg.propsLastPartyDisp = 'Redirected';
      rg.calleeSvcName = 'HuntGroup';
      rg.calleeSvcType = 'Custom';
      rg.lraType = 3;
      rg.departments = departments;
      legs.push(rg);
      const member = rng.pick(group.members);
      const offers = rng.int(0, Math.min(2, group.members.length - 1));
      for (let i = 0; i < offers; i++) {
        const other = group.members.find((m, idx) => m.ext !== member.ext && idx >= i) ?? member;
        const child = baseLeg(legs.length + 1, rg.start + rng.int(2, 8), caller, callerName, other.ext, other.name);
        child.disconnect = rg.disconnect + rng.int(1, 20);
        child.cause = 'Ring No Answer';
        child.missed = 'Missed';
        child.child = true;
        child.lra = group.ext;
        child.departments = [other.department];
        legs.push(child);
      }
      if (rng.chance(0.8)) {
        const ans = baseLeg(legs.length + 1, rg.start + rng.int(3, 9), caller, callerName, member.ext, member.name);
        ans.lra = member.ext;
        answeredUserLeg(rng, ans, member, 0, 0);
        const talk = ans.talk;
        ans.connect = rg.disconnect - rng.int(5, 30);
        ans.disconnect = ans.connect + talk;
        legs.push(ans);
        callee = member.ext;
        calleeName = member.name;
        lastLegDisposition = 'Answered';
      } else {
        const vm = baseLeg(legs.length + 1, rg.disconnect + rng.int(2, 6), caller, callerName, `Voicemail (${group.ext})`, group.name);
        vm.connect = vm.start + rng.int(100, 600);
        vm.disconnect = vm.connect + rng.int(4_000, 60_000);
        vm.talk = vm.disconnect - vm.connect;
        vm.missed = 'Missed';
        vm.calleeSvcName = 'VMadvanced';
        vm.calleeSvcType = 'Custom';
        vm.propsLastPartyDisp = 'Voicemail';
        vm.departments = departments;
        legs.push(vm);
        callee = vm.callee;
        calleeName = group.name;
        lastLegDisposition = 'Voicemail';
      }
      break;
    }
    case 'queue': {
      const ext = extCaller();
      const queue = rng.pick(dir.queues);
      caller = ext.num;
      callerName = ext.name;
      callerId = `${ext.name},${ext.num}`;
      dnis = digitsOf(dir.mainDid);
      departments = [queue.members[0]?.department ?? user.department];
      const q = baseLeg(1, l1Start, caller, callerName, 'CallQueue', queue.name);
      q.connect = q.start + rng.int(120, 220);
      wait = clamp(rng.logNormal(45_000, 1.0), 3_000, 30 * 60_000);
      q.disconnect = q.connect + wait;
      q.calleeSvcName = 'ACDOperatorService';
      q.calleeSvcType = 'Custom';
      q.lra = queue.ext;
      q.lraType = 3;
      q.departments = departments;
      legs.push(q);
      callee = 'CallQueue';
      calleeName = queue.name;
      if (rng.chance(0.25)) {
        abandoned = true;
        q.missed = 'Missed';
        q.abandoned = 'Abandoned';
        q.cause = 'Normal';
        lastLegDisposition = 'Missed';
      } else {
        q.cause = 'Redirected';
        q.propsLastPartyDisp = 'Redirected';
        const agent = rng.pick(queue.members);
        const offers = rng.int(0, 1);
        for (let i = 0; i < offers; i++) {
          const other = queue.members.find((m) => m.ext !== agent.ext) ?? agent;
          const child = baseLeg(legs.length + 1, Math.max(q.connect + 50, q.disconnect - rng.int(8_000, 15_000)), caller, callerName, other.ext, other.name);
          child.disconnect = Math.min(q.disconnect, child.start + rng.int(5_000, 7_500));
          child.cause = 'Ring No Answer';
          child.missed = 'Missed';
          child.child = true;
          child.lra = queue.ext;
          child.departments = [other.department];
          legs.push(child);
        }
        const a = baseLeg(legs.length + 1, q.disconnect + rng.int(2, 6), caller, callerName, agent.ext, agent.name);
        a.lra = queue.ext;
        answeredUserLeg(rng, a, agent, 1_500, 8_000);
        legs.push(a);
        callee = agent.ext;
        calleeName = agent.name;
        lastLegDisposition = 'Answered';
      }
      break;
    }
  }

  const first = legs[0] as SimLeg;
  const answeredLeg = legs.find((l) => l.answered === 'Answered');
  let disconnect = start;
  for (const l of legs) disconnect = Math.max(disconnect, l.disconnect);
  const connect = answeredLeg ? answeredLeg.connect : 0;
  const talk = connect > 0 ? disconnect - connect : 0;
  let hold = 0;
  for (const l of legs) hold += l.hold;
  hold = Math.min(hold, talk);
  const wasMissed = lastLegDisposition === 'Voicemail' || (lastLegDisposition === 'Missed' && direction === 'Incoming') || abandoned;
  return {
    callId,
    pbx: dir.pbx,
    pbxIndex: dir.pbxIndex,
    start,
    connect,
    disconnect,
    talk,
    caller,
    callerName,
    callee,
    calleeName,
    direction,
    callerId,
    dnis,
    missed: wasMissed ? 'Missed' : '-',
    abandoned: abandoned ? 'Abandoned' : '-',
    answered: connect > 0 ? 'Answered' : '-',
    answeredTime: connect > 0 ? connect - start : 0,
    lastLegDisposition,
    ringDuration: first.connect > 0 ? first.connect - first.start : first.disconnect - first.start,
    abandonedTime: abandoned ? disconnect - start : 0,
    hold,
    wait,
    departments,
    branches,
    sipCallId,
    legs,
  };
}
