/**
 * External phone numbers of every kind billing sees, per country, rendered E.164 with `+`.
 * Ranges are chosen to be valid per libphonenumber's metadata (checked in tests).
 */
import type { Rng } from './prng';

export type Country = 'AU' | 'GB' | 'US';
export type NumberKind = 'local' | 'national' | 'mobile' | 'tollfree' | 'sharedcost' | 'shortshared' | 'international';

export interface PbxLocale {
  country: Country;
  /** National area code digits of the PBX's city (US NPA, GB/AU area code without trunk 0). */
  area: string;
  city: string;
}

export function localeFor(country: Country, timeZone: string): PbxLocale {
  if (country === 'US') {
    if (timeZone === 'America/Chicago') return { country, area: '312', city: 'Chicago' };
    if (timeZone === 'America/Los_Angeles') return { country, area: '415', city: 'San Francisco' };
    if (timeZone === 'America/Denver') return { country, area: '303', city: 'Denver' };
    return { country, area: '212', city: 'New York' };
  }
  if (country === 'GB') {
    if (timeZone === 'Europe/London') return { country, area: '20', city: 'London' };
    return { country, area: '161', city: 'Manchester' };
  }
  if (timeZone === 'Australia/Melbourne') return { country, area: '3', city: 'Melbourne' };
  if (timeZone === 'Australia/Brisbane') return { country, area: '7', city: 'Brisbane' };
  if (timeZone === 'Australia/Perth' || timeZone === 'Australia/Adelaide') return { country, area: '8', city: timeZone.slice(10) };
  return { country, area: '2', city: 'Sydney' };
}

const US_AREAS = ['212', '646', '718', '312', '415', '305', '617', '202', '713', '206', '303', '404'];
const GB_AREAS = ['20', '161', '113', '121', '131', '141'];
const AU_AREAS = ['2', '3', '7', '8'];

function usSubscriber(rng: Rng): string {
  // NXX: 2-9 first digit, avoid N11 and 555.
  let nxx: string;
  do nxx = `${rng.int(2, 9)}${rng.digits(2)}`;
  while (nxx.endsWith('11') || nxx === '555' || nxx === '950' || nxx === '958' || nxx === '959' || nxx === '976');
  return nxx + rng.digits(4);
}

function gbGeographic(rng: Rng, area: string): string {
  if (area === '20') return `+4420${rng.pick(['7', '8'])}${rng.digits(7)}`;
  if (area.length === 4) return `+44${area}${rng.int(2, 9)}${rng.digits(5)}`;
  return `+44${area}${rng.int(2, 5)}${rng.digits(6)}`;
}

function auGeographic(rng: Rng, area: string): string {
  const lead: Record<string, string[]> = { '2': ['9', '8'], '3': ['9', '8'], '7': ['3', '5'], '8': ['8', '9'] };
  return `+61${area}${rng.pick(lead[area] ?? ['9'])}${rng.digits(7)}`;
}

const INTERNATIONAL: Record<Country, (rng: Rng) => string> = {
  US: (rng) =>
    rng.pick([
      () => `+44207${rng.digits(7)}`,
      () => `+447${rng.pick(['4', '5', '8'])}${rng.digits(8)}`,
      () => `+6129${rng.digits(7)}`,
      () => `+5255${rng.int(1, 9)}${rng.digits(7)}`,
      () => `+9198${rng.digits(8)}`,
      () => `+331${rng.int(4, 5)}${rng.digits(7)}`,
      () => `+4930${rng.int(2, 9)}${rng.digits(6)}`,
    ])(),
  GB: (rng) =>
    rng.pick([
      () => `+1212${usSubscriber(rng)}`,
      () => `+331${rng.int(4, 5)}${rng.digits(7)}`,
      () => `+4930${rng.int(2, 9)}${rng.digits(6)}`,
      () => `+3531${rng.int(4, 8)}${rng.digits(6)}`,
      () => `+9198${rng.digits(8)}`,
      () => `+614${rng.int(0, 3)}${rng.digits(7)}`,
    ])(),
  AU: (rng) =>
    rng.pick([
      () => `+6421${rng.digits(7)}`,
      () => `+649${rng.int(3, 9)}${rng.digits(6)}`,
      () => `+44207${rng.digits(7)}`,
      () => `+1415${usSubscriber(rng)}`,
      () => `+656${rng.int(1, 5)}${rng.digits(6)}`,
      () => `+9198${rng.digits(8)}`,
      () => `+8613${rng.int(0, 9)}${rng.digits(8)}`,
    ])(),
};

/** Kinds that exist per country, with the weight an outgoing call dials them. */
export const OUTBOUND_MIX: Record<Country, readonly (readonly [NumberKind, number])[]> = {
  US: [['local', 45], ['national', 25], ['mobile', 15], ['tollfree', 7], ['international', 8]],
  GB: [['local', 30], ['national', 20], ['mobile', 30], ['tollfree', 6], ['sharedcost', 6], ['international', 8]],
  AU: [['local', 30], ['national', 15], ['mobile', 33], ['tollfree', 6], ['sharedcost', 5], ['shortshared', 3], ['international', 8]],
};

/** Who calls in: mostly local/mobile/national, a few international. */
export const INBOUND_MIX: Record<Country, readonly (readonly [NumberKind, number])[]> = {
  US: [['local', 50], ['national', 35], ['international', 5], ['mobile', 10]],
  GB: [['local', 35], ['national', 20], ['mobile', 40], ['international', 5]],
  AU: [['local', 35], ['national', 15], ['mobile', 45], ['international', 5]],
};

export function externalNumber(rng: Rng, locale: PbxLocale, kind: NumberKind): string {
  const { country, area } = locale;
  switch (country) {
    case 'US':
      switch (kind) {
        case 'local':
          return `+1${area}${usSubscriber(rng)}`;
        case 'national':
        case 'mobile':
        case 'sharedcost':
        case 'shortshared':
          return `+1${rng.pick(US_AREAS.filter((a) => a !== area))}${usSubscriber(rng)}`;
        case 'tollfree':
          return `+1${rng.pick(['800', '833', '844', '855', '866', '877', '888'])}${usSubscriber(rng)}`;
        case 'international':
          return INTERNATIONAL.US(rng);
      }
      break;
    case 'GB':
      switch (kind) {
        case 'local':
          return gbGeographic(rng, area);
        case 'national':
          return gbGeographic(rng, rng.pick(GB_AREAS.filter((a) => a !== area)));
        case 'mobile':
          return `+447${rng.pick(['4', '5', '8'])}${rng.digits(8)}`;
        case 'tollfree':
          return `+44808${rng.int(1, 9)}${rng.digits(6)}`;
        case 'sharedcost':
        case 'shortshared':
          return `+443${rng.pick(['00', '30', '33', '44', '45'])}${rng.int(1, 9)}${rng.digits(6)}`;
        case 'international':
          return INTERNATIONAL.GB(rng);
      }
      break;
    case 'AU':
      switch (kind) {
        case 'local':
          return auGeographic(rng, area);
        case 'national':
          return auGeographic(rng, rng.pick(AU_AREAS.filter((a) => a !== area)));
        case 'mobile':
          // 04xx ranges libphonenumber knows as mobile (a few 044x/0453/0471 blocks are not allocated).
          return `+614${rng.int(0, 3)}${rng.digits(7)}`;
        case 'tollfree':
          return `+611800${rng.digits(6)}`;
        case 'sharedcost':
          return `+611300${rng.digits(6)}`;
        case 'shortshared':
          return `+6113${rng.int(1, 9)}${rng.digits(3)}`;
        case 'international':
          return INTERNATIONAL.AU(rng);
      }
  }
  throw new Error(`no number plan for ${country}/${kind}`);
}

/** A DID of the PBX (geographic, in its own area). */
export function didNumber(rng: Rng, locale: PbxLocale): string {
  return externalNumber(rng, locale, 'local');
}
