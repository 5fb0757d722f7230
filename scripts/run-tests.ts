// The test command: installs what the suite needs (the Temporal CLI), then runs every
// test/**/*.test.ts file with node's own test runner. Extra arguments select files.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { locate, TEMPORAL_CLI } from '../src/temporal/binaries';

const root = resolve(__dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

async function main(): Promise<void> {
  const cli = await locate(TEMPORAL_CLI, (line) => console.log(line));
  const env = { ...process.env };
  // Children reuse this copy instead of each installing one.
  if (cli.executable.type === 'existing-path') env.TEMPORAL_CLI_PATH = cli.executable.path;
  const selected = process.argv.slice(2);
  const files = selected.length > 0 ? selected : testFiles(join(root, 'test')).sort();
  const args = ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', ...files];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
