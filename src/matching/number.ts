/**
 * Number normalisation and classification.
 *
 * E.164 parsing and number types come from libphonenumber-js with the `max` metadata (the
 * only build whose getType() works). Around it we add what a numbering plan library cannot
 * know: emergency numbers and short codes (never turned into E.164), extension-like labels,
 * local numbers dialled without the area code (need the service's area code), and the
 * local/national split (same area code as the service = local).
 */
import { parsePhoneNumberFromString, getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import type { Category } from '../rating/types';

export interface NumberContext {
  /** ISO 3166 alpha-2 country of the tenant/customer, e.g. "AU". */
  readonly country: string;
  /**
   * National area code of the service the call belongs to, without trunk prefix
   * ("3" for Melbourne 03, "20" for London 020, "212" for New York). Needed to classify
   * local calls and to complete local numbers dialled without an area code.
   */
  readonly areaCode?: string | null;
}

export interface AnalyzedNumber {
  readonly input: string;
  /** "+61391234567", or null for emergency numbers, short codes, labels and garbage. */
  readonly e164: string | null;
  /** Digits used for prefix lookup: E.164 without "+", or the dialled digits of a short code. */
  readonly digits: string;
  readonly category: Category;
  /** libphonenumber type or our own marker, for the derivation. */
  readonly kind: string;
  readonly country: string | null;
}

/** Emergency numbers per country. 112 is recognised everywhere (GSM). */
const EMERGENCY: Readonly<Record<string, readonly string[]>> = {
  AU: ['000', '112', '106'],
  NZ: ['111', '112'],
  GB: ['999', '112'],
  IE: ['999', '112'],
  US: ['911', '112'],
  CA: ['911', '112'],
};
const EMERGENCY_DEFAULT = ['112'];

export function emergencyNumbers(country: string): readonly string[] {
  return EMERGENCY[country.toUpperCase()] ?? EMERGENCY_DEFAULT;
}

/** Longest dialled string we treat as a short code / extension when it is not a valid number. */
const SHORT_MAX = 6;

export function isSupportedCountryCode(country: string): boolean {
  return isSupportedCountry(country.toUpperCase() as CountryCode);
}

function categoryOf(type: string | undefined, nationalNumber: string, sameCountry: boolean, areaCode: string | null | undefined): Category {
  if (!sameCountry) return 'international';
  switch (type) {
    case 'MOBILE':
      return 'mobile';
    case 'TOLL_FREE':
      return 'toll_free';
    case 'SHARED_COST':
      return 'shared_cost';
    case 'PREMIUM_RATE':
      return 'premium';
    case 'FIXED_LINE':
    case 'FIXED_LINE_OR_MOBILE':
      return areaCode && nationalNumber.startsWith(areaCode) ? 'local' : 'national';
    default:
      // VOIP, PERSONAL_NUMBER, UAN, PAGER, VOICEMAIL: non-geographic national numbers.
      return 'national';
  }
}

/**
 * Normalises and classifies a dialled or presented number. Never throws.
 * - labels ("CallQueue", "Voicemail (120088)") → internal (a PBX feature, not a PSTN destination)
 * - emergency numbers of the country → emergency (digits kept, no E.164)
 * - "+…", national formats, international access codes (0011, 00, 011) → E.164 via libphonenumber
 * - digits that are E.164 without "+" (8x8 `dnis`) → E.164 when valid that way
 * - AU 8-digit / US 7-digit local numbers → completed with the service's area code
 * - other short digit strings → short_code; anything else → unknown
 */
export function analyzeNumber(raw: string | null | undefined, ctx: NumberContext): AnalyzedNumber {
  const input = raw ?? '';
  const country = ctx.country.toUpperCase() as CountryCode;
  const trimmed = input.trim();
  const none = (category: Category, kind: string, digits = ''): AnalyzedNumber => ({ input, e164: null, digits, category, kind, country: null });
  if (trimmed === '') return none('unknown', 'EMPTY');
  if (/[A-Za-z]/.test(trimmed.replace(/^tel:/i, ''))) return none('internal', 'LABEL');
  const cleaned = trimmed.replace(/^tel:/i, '').replace(/[\s().\-\/]/g, '');
  if (!/^\+?\d+$/.test(cleaned)) return none('unknown', 'NOT_A_NUMBER');
  const plus = cleaned.startsWith('+');
  const digits = plus ? cleaned.slice(1) : cleaned;

  if (!plus && emergencyNumbers(country).includes(digits)) return none('emergency', 'EMERGENCY', digits);

  const homeCode = isSupportedCountry(country) ? getCountryCallingCode(country) : null;
  const build = (text: string, kind?: string): AnalyzedNumber | undefined => {
    const p = parsePhoneNumberFromString(text, isSupportedCountry(country) ? country : undefined);
    if (!p || !p.isValid()) return undefined;
    const type = p.getType();
    return {
      input,
      e164: p.number,
      digits: p.number.slice(1),
      category: categoryOf(type, p.nationalNumber, p.countryCallingCode === homeCode, ctx.areaCode),
      kind: kind ?? type ?? 'UNKNOWN_TYPE',
      country: p.country ?? null,
    };
  };

  if (plus) return build(cleaned) ?? none('unknown', 'INVALID', digits);

  // National format or international access code (0011 / 00 / 011 …) for the country.
  const national = build(digits);
  if (national) return national;
  // E.164 without the "+" (8x8 dnis, callerName).
  if (digits.length >= 8) {
    const intl = build('+' + digits);
    if (intl) return intl;
  }
  // Local number without area code.
  if (ctx.areaCode) {
    if (country === 'AU' && digits.length === 8) {
      const local = build('0' + ctx.areaCode + digits);
      if (local) return local;
    }
    if ((country === 'US' || country === 'CA') && digits.length === 7) {
      const local = build(ctx.areaCode + digits);
      if (local) return local;
    }
  }
  if (digits.length <= SHORT_MAX) return none('short_code', 'SHORT_CODE', digits);
  return none('unknown', 'INVALID', digits);
}

/**
 * The area code implied by a geographic E.164 number, where the numbering plan makes it
 * unambiguous: AU ("+613…" → "3"), NANP ("+1212…" → "212"). Elsewhere (UK area codes have
 * 2–5 digits) configure it on the service.
 */
export function deriveAreaCode(e164: string): string | null {
  if (/^\+61[2378]\d{8}$/.test(e164)) return e164.charAt(3);
  if (/^\+1[2-9]\d{9}$/.test(e164)) return e164.slice(2, 5);
  return null;
}
