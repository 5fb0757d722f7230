/**
 * Row schemas of the reference-data CSV files a billing team maintains, and their
 * conversion into engine types. Column names are documented in docs/rating.md.
 */
import { z } from 'zod';
import { parseMoneyMicro, ROUNDING_MODES } from '../rating/money';
import { isValidTimeZone, parseIsoDate } from '../rating/time';
import { BAND_RULES, BANDS, CATEGORIES, DIRECTIONS, FREE_SECONDS_MODES, type RateRow, type TariffGroupSettings } from '../rating/types';
import { isSupportedCountryCode } from '../matching/number';
import { SERVICE_KINDS } from '../matching/services';
import { parseCsv, type ParseOutcome } from './csv';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/, 'must be 1-100 letters, digits or _ . : @ -');
const money = z.string().transform((v, ctx) => {
  const r = parseMoneyMicro(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.micro;
});
const seconds = (max: number) => z.string().regex(/^\d+$/, 'must be whole seconds').transform(Number).pipe(z.number().int().min(0).max(max));
const isoDate = z.string().refine((v) => parseIsoDate(v) !== undefined, 'must be a date YYYY-MM-DD');
const lower = (values: readonly string[]) => z.string().transform((v) => v.toLowerCase()).pipe(z.enum(values as [string, ...string[]]));
const tz = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Australia/Melbourne');
const country = z.string().transform((v) => v.toUpperCase()).refine(isSupportedCountryCode, 'must be an ISO 3166 country code known to the numbering plan');

export const TARIFF_COLUMNS = [
  'tariff_group', 'effective_from', 'direction', 'category', 'prefix', 'band', 'rate_per_minute', 'connect_fee',
  'minimum_charge', 'maximum_charge', 'free_seconds', 'free_seconds_mode', 'initial_increment', 'subsequent_increment',
  'included_pool', 'description',
] as const;

export const TariffCsvRow = z
  .object({
    tariff_group: id,
    effective_from: isoDate,
    direction: lower([...DIRECTIONS, 'any']).default('any'),
    category: lower([...CATEGORIES, 'any']).default('any'),
    prefix: z.string().regex(/^\+?\d{0,15}$/, 'must be up to 15 digits (E.164 without +)').transform((v) => v.replace('+', '')).default(''),
    band: lower([...BANDS, 'any']).default('any'),
    rate_per_minute: money,
    connect_fee: money.default(0),
    minimum_charge: money.default(0),
    maximum_charge: money.optional(),
    free_seconds: seconds(86_400).default(0),
    free_seconds_mode: lower(FREE_SECONDS_MODES).default('grace'),
    initial_increment: seconds(86_400).pipe(z.number().min(1, 'must be at least 1')).default(60),
    subsequent_increment: seconds(86_400).pipe(z.number().min(1, 'must be at least 1')).default(60),
    included_pool: id.optional(),
    description: z.string().max(200).default(''),
  })
  .refine((r) => r.maximum_charge === undefined || r.maximum_charge >= r.minimum_charge, { message: 'maximum_charge is below minimum_charge' });

export function toRateRow(r: z.output<typeof TariffCsvRow>, source: string): RateRow {
  return {
    tariffGroup: r.tariff_group,
    effectiveFrom: r.effective_from,
    direction: r.direction as RateRow['direction'],
    category: r.category as RateRow['category'],
    prefix: r.prefix,
    band: r.band as RateRow['band'],
    ratePerMinuteMicro: r.rate_per_minute,
    connectFeeMicro: r.connect_fee,
    minimumChargeMicro: r.minimum_charge,
    maximumChargeMicro: r.maximum_charge ?? null,
    freeSeconds: r.free_seconds,
    freeSecondsMode: r.free_seconds_mode as RateRow['freeSecondsMode'],
    initialIncrement: r.initial_increment,
    subsequentIncrement: r.subsequent_increment,
    includedPool: r.included_pool ?? null,
    description: r.description,
    source,
  };
}

const DAY_NAMES: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
/** "mon-fri", "sat;sun", "1-5" → ISO weekdays. */
const weekdays = z.string().transform((v, ctx) => {
  const out = new Set<number>();
  for (const part of v.toLowerCase().split(/[;,\s]+/).filter(Boolean)) {
    const [a, b] = part.split('-');
    const n = (x: string | undefined) => (x === undefined ? undefined : (DAY_NAMES[x.slice(0, 3)] ?? (/^[1-7]$/.test(x) ? Number(x) : undefined)));
    const from = n(a);
    const to = b === undefined ? from : n(b);
    if (from === undefined || to === undefined || to < from) {
      ctx.addIssue({ code: 'custom', message: `invalid weekday list ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    for (let d = from; d <= to; d++) out.add(d);
  }
  return [...out].sort();
});

export const GROUP_COLUMNS = [
  'tariff_group', 'currency', 'band_rule', 'rounding_decimals', 'rounding_mode', 'peak_days', 'peak_start', 'peak_end',
  'weekend_days', 'holidays', 'included_pools', 'description',
] as const;

export const GroupCsvRow = z.object({
  tariff_group: id,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as AUD'),
  band_rule: lower(BAND_RULES).default('start'),
  rounding_decimals: z.string().regex(/^[0-6]$/, 'must be 0..6').transform(Number).default(4),
  rounding_mode: lower(ROUNDING_MODES).default('half_up'),
  peak_days: weekdays.default([1, 2, 3, 4, 5]),
  peak_start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default('08:00'),
  peak_end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM').default('18:00'),
  weekend_days: weekdays.default([6, 7]),
  holidays: z
    .string()
    .transform((v) => v.split(/[;,\s]+/).filter(Boolean))
    .pipe(z.array(isoDate))
    .default([]),
  /** "NATIONAL=300;MOBILE=100" — minutes per billing period. */
  included_pools: z
    .string()
    .transform((v, ctx) => {
      const out: Record<string, number> = {};
      for (const part of v.split(/[;,\s]+/).filter(Boolean)) {
        const m = /^([A-Za-z0-9][A-Za-z0-9_.:@-]*)=(\d{1,7})$/.exec(part);
        if (!m) {
          ctx.addIssue({ code: 'custom', message: `invalid pool ${JSON.stringify(part)}, expected NAME=MINUTES` });
          return z.NEVER;
        }
        out[m[1]!] = Number(m[2]) * 60;
      }
      return out;
    })
    .default({}),
  description: z.string().max(200).default(''),
}).refine((r) => r.peak_end >= r.peak_start, { message: 'peak_end is before peak_start' });

export function toGroupSettings(r: z.output<typeof GroupCsvRow>): TariffGroupSettings {
  return {
    tariffGroup: r.tariff_group,
    currency: r.currency,
    bandRule: r.band_rule as TariffGroupSettings['bandRule'],
    roundingDecimals: r.rounding_decimals,
    roundingMode: r.rounding_mode as TariffGroupSettings['roundingMode'],
    peakDays: r.peak_days,
    peakStart: r.peak_start,
    peakEnd: r.peak_end,
    weekendDays: r.weekend_days,
    holidays: r.holidays,
    includedPools: r.included_pools,
  };
}

export const CUSTOMER_COLUMNS = ['customer_id', 'name', 'tariff_group', 'time_zone', 'country'] as const;
export const CustomerCsvRow = z.object({
  customer_id: id,
  name: z.string().min(1).max(200),
  tariff_group: id.optional(),
  time_zone: tz,
  country: country,
});

export const DEPARTMENT_COLUMNS = ['department_id', 'customer_id', 'name', 'tariff_group'] as const;
export const DepartmentCsvRow = z.object({
  department_id: id,
  customer_id: id,
  name: z.string().min(1).max(200),
  tariff_group: id.optional(),
});

export const SERVICE_COLUMNS = ['service_id', 'customer_id', 'department_id', 'kind', 'pbx', 'identifier', 'area_code', 'tariff_group', 'valid_from', 'valid_to', 'description'] as const;
export const ServiceCsvRow = z
  .object({
    service_id: id,
    customer_id: id,
    department_id: id.optional(),
    kind: lower(SERVICE_KINDS),
    pbx: z.string().max(200).optional(),
    identifier: z.string().max(40).default(''),
    area_code: z.string().regex(/^\d{1,5}$/, 'must be national area-code digits').optional(),
    tariff_group: id.optional(),
    valid_from: isoDate,
    valid_to: isoDate.optional(),
    description: z.string().max(200).default(''),
  })
  .refine((r) => r.kind === 'did' || r.pbx !== undefined, { message: 'pbx is required for extension and pbx services', path: ['pbx'] })
  .refine((r) => r.kind !== 'extension' || /^\d{1,8}$/.test(r.identifier), { message: 'an extension identifier must be 1-8 digits', path: ['identifier'] })
  .refine((r) => r.kind !== 'pbx' || r.identifier === '', { message: 'a pbx service has no identifier', path: ['identifier'] })
  .refine((r) => r.valid_to === undefined || r.valid_to > r.valid_from, { message: 'valid_to must be after valid_from', path: ['valid_to'] });

export const TENANT_COLUMNS = ['country', 'time_zone', 'currency'] as const;
export const TenantCsvRow = z.object({ country, time_zone: tz, currency: z.string().regex(/^[A-Z]{3}$/).default('AUD') });

export type TariffCsv = z.output<typeof TariffCsvRow>;
export type GroupCsv = z.output<typeof GroupCsvRow>;
export type CustomerCsv = z.output<typeof CustomerCsvRow>;
export type DepartmentCsv = z.output<typeof DepartmentCsvRow>;
export type ServiceCsv = z.output<typeof ServiceCsvRow>;
export type TenantCsv = z.output<typeof TenantCsvRow>;

export function parseTariffCsv(text: string): ParseOutcome<TariffCsv> {
  return parseCsv(text, TariffCsvRow, TARIFF_COLUMNS, ['tariff_group', 'effective_from', 'rate_per_minute']);
}
export function parseGroupCsv(text: string): ParseOutcome<GroupCsv> {
  return parseCsv(text, GroupCsvRow, GROUP_COLUMNS, ['tariff_group', 'currency']);
}
export function parseCustomerCsv(text: string): ParseOutcome<CustomerCsv> {
  return parseCsv(text, CustomerCsvRow, CUSTOMER_COLUMNS, ['customer_id', 'name', 'time_zone', 'country']);
}
export function parseDepartmentCsv(text: string): ParseOutcome<DepartmentCsv> {
  return parseCsv(text, DepartmentCsvRow, DEPARTMENT_COLUMNS, ['department_id', 'customer_id', 'name']);
}
export function parseServiceCsv(text: string): ParseOutcome<ServiceCsv> {
  return parseCsv(text, ServiceCsvRow, SERVICE_COLUMNS, ['service_id', 'customer_id', 'kind', 'valid_from']);
}
export function parseTenantCsv(text: string): ParseOutcome<TenantCsv> {
  return parseCsv(text, TenantCsvRow, TENANT_COLUMNS, ['country', 'time_zone']);
}
