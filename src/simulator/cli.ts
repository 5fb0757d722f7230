/**
 * Standalone simulator for demos:
 *   npm run simulator -- --port 8888 --seed 42 --tenant acmecorp --calls-per-day 600
 * Prints the base URL and the demo credentials, runs until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { demoTenant } from './demo';
import { AnalyticsSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      seed: { type: 'string' },
      tenant: { type: 'string' },
      'calls-per-day': { type: 'string' },
      'ingest-delay-ms': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: simulator [--port N] [--seed N] [--tenant slug] [--calls-per-day N] [--ingest-delay-ms N]\n');
    return;
  }
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
    return n;
  };
  const seed = num(values.seed, 'seed');
  const callsPerDay = num(values['calls-per-day'], 'calls-per-day');
  const ingestDelayMs = num(values['ingest-delay-ms'], 'ingest-delay-ms');
  const tenant = demoTenant({
    ...(values.tenant ? { tenantId: values.tenant } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(callsPerDay !== undefined ? { callsPerDay } : {}),
    ...(ingestDelayMs !== undefined ? { ingestDelayMs } : {}),
  });
  const sim = await AnalyticsSimulator.start({ tenants: [tenant], port: num(values.port, 'port') ?? 0 });
  process.stdout.write(
    [
      `8x8 Analytics simulator listening at ${sim.url}`,
      `tenant:   ${tenant.tenantId}`,
      `apiKey:   ${tenant.apiKey}`,
      `username: ${tenant.username}`,
      `password: ${tenant.password}`,
      `pbxes:    ${tenant.pbxes.map((p) => `${p.name} (${p.country}, ${p.timeZone})`).join(', ')}`,
      `about ${tenant.callsPerDay} calls/day, seed ${tenant.seed} (demo credentials only)`,
      '',
    ].join('\n'),
  );
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  await new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve(), { once: true }));
  await sim.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
