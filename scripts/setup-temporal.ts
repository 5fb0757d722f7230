// Installs (or finds) the Temporal CLI and time-skipping test server, printing where they are.
import { locate, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from '../src/temporal/binaries';

async function main(): Promise<void> {
  for (const spec of [TEMPORAL_CLI, TEMPORAL_TEST_SERVER]) {
    const found = await locate(spec, (line) => console.log(line));
    const where = found.executable.type === 'existing-path' ? found.executable.path : 'SDK download on first use';
    console.log(`${spec.label}: ${where} (${found.source})`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
