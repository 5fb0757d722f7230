import { z } from 'zod';
import { parseDuration } from './durations';
import { parsePbxSelector } from './pbx-selector';
import { isTimeZone } from './zoned-time';

const duration = (min: number, max: number) =>
  z.string().refine((v) => {
    const ms = parseDuration(v);
    return ms !== undefined && ms >= min && ms <= max;
  }, `a duration such as "15m", "24h" or "1d", between ${min / 1000}s and ${max / 86_400_000}d`);

export const credentialsSchema = z.strictObject({
  apiKey: z.string().trim().min(1, 'the 8x8 API key is required'),
  username: z.string().trim().min(1, 'the 8x8 username is required'),
  password: z.string().min(1, 'the 8x8 password is required'),
});

export const tenantSettingsSchema = z.object({
  tenantId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" and "_", at most 63 characters'),
  credentials: credentialsSchema,
  pbxes: z.string().refine((v) => {
    try {
      parsePbxSelector(v);
      return true;
    } catch {
      return false;
    }
  }, 'one PBX name, a comma list of names, or "allpbxes"'),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as "Australia/Sydney"'),
  earliestDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'a real calendar date'),
  cycleInterval: duration(1000, 7 * 86_400_000).default('15m'),
  lookback: duration(0, 30 * 86_400_000).default('24h'),
  /** Size of one import window (one activity per PBX). */
  window: duration(60_000, 7 * 86_400_000).default('1d'),
});

export type TenantSettings = z.output<typeof tenantSettingsSchema>;
export type TenantSettingsInput = z.input<typeof tenantSettingsSchema>;

/** One line per problem, each naming its field; never echoes a value (it may be a secret). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
}
