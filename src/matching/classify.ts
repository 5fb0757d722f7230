/**
 * Turns a matched call into the engine's RateRequest: what is looked up in the tariff
 * (destination digits) and under which category.
 *
 * - outbound: the dialled `callee`. An extension of the same PBX or a PBX label
 *   ("Voicemail (120088)") is internal; otherwise the numbering-plan class (local, national,
 *   mobile, international, toll_free, shared_cost, premium, emergency, short_code, unknown).
 * - inbound: priced by origin. The destination looked up is the *caller's* number and the
 *   category is the caller's class — except that calls to a toll-free or shared-cost DID
 *   (1800/13/1300, 0800, 1-800) take that class, since the number's owner pays for them.
 *   So a tariff row `inbound,toll_free,614` prices mobile callers to a 1800 number.
 * - internal: category internal, destination = callee digits.
 */
import type { Category, Direction, RateRequest } from '../rating/types';
import type { CallRecord } from './call';
import { analyzeNumber, type AnalyzedNumber } from './number';
import type { ServiceIndex } from './services';

export interface Classified {
  readonly request: RateRequest;
  /** The analysed number that gave the destination/category (null for internal). */
  readonly number: AnalyzedNumber | null;
}

export function buildRateRequest(
  call: CallRecord,
  direction: Direction,
  ctx: { country: string; areaCode: string | null; index?: ServiceIndex },
): Classified {
  const base = { callId: call.callId, direction, startMs: call.startMs, answerMs: call.connectMs > 0 ? call.connectMs : 0, talkMs: call.talkMs };
  const numCtx = { country: ctx.country, areaCode: ctx.areaCode };
  let category: Category;
  let destination: string;
  let number: AnalyzedNumber | null = null;
  if (direction === 'outbound') {
    const callee = call.callee.trim();
    if (ctx.index && /^\d{1,8}$/.test(callee) && ctx.index.isExtension(call.pbxName, callee, call.startMs)) {
      category = 'internal';
      destination = callee;
    } else {
      number = analyzeNumber(callee, numCtx);
      category = number.category;
      destination = number.digits;
    }
  } else if (direction === 'inbound') {
    number = analyzeNumber(call.caller, numCtx);
    const did = analyzeNumber(call.dnis, numCtx);
    category = did.category === 'toll_free' || did.category === 'shared_cost' ? did.category : number.category;
    destination = number.digits;
  } else {
    category = 'internal';
    destination = call.callee.trim().replace(/\D/g, '');
  }
  return { request: { ...base, category, destination }, number };
}
