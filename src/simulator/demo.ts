import type { SimulatorTenantConfig } from './server';

/** A ready-made tenant with three PBXes (New York, London, Sydney) for demos and end-to-end tests. */
export function demoTenant(overrides: Partial<SimulatorTenantConfig> = {}): SimulatorTenantConfig {
  return {
    tenantId: 'acmecorp',
    apiKey: 'eght_demoKeyDoNotUseInProduction0000000000000000000',
    username: 'reporter.acmecorp.com',
    password: 'demo-Passw0rd^&@',
    pbxes: [
      { name: 'acmecorpny', country: 'US', timeZone: 'America/New_York', extensions: 24 },
      { name: 'acmecorpuk', country: 'GB', timeZone: 'Europe/London', extensions: 16 },
      { name: 'acmecorpsyd', country: 'AU', timeZone: 'Australia/Sydney', extensions: 12 },
    ],
    seed: 8_888,
    callsPerDay: 600,
    ...overrides,
  };
}
