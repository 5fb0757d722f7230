import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker';

const root = resolve(__dirname, '../..');
const workflowsDir = join(root, 'workflows');

/** Packages workflow code may load at run time: pure, deterministic code only. */
const ALLOWED_PACKAGES = new Set(['@temporalio/workflow', '@temporalio/common', 'zod']);

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Every module a workflow file loads at run time, following relative imports; type-only imports are erased. */
function runtimeImports(file: string, seen = new Set<string>()): { from: string; spec: string }[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const found: { from: string; spec: string }[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4] ?? m[5];
    if (!spec) continue;
    if (spec.startsWith('.')) {
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      assert.ok(target, `${relative(root, file)} imports ${spec}, which does not resolve to a .ts file`);
      found.push(...runtimeImports(target, seen));
    } else {
      found.push({ from: relative(root, file), spec });
    }
  }
  return found;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

test('workflow code loads no Node module and no I/O library, even indirectly', () => {
  const files = readdirSync(workflowsDir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 0);
  const offending = files
    .flatMap((f) => runtimeImports(join(workflowsDir, f)))
    .filter(({ spec }) => spec.startsWith('node:') || builtinModules.includes(spec) || !ALLOWED_PACKAGES.has(packageName(spec)));
  assert.deepEqual(offending, [], `non-deterministic imports in workflow code: ${JSON.stringify(offending)}`);
});

test('the guard itself catches a Node import and a database library', () => {
  const dir = join(root, 'test', 'workflows', '.guard-probe');
  const { mkdirSync, writeFileSync, rmSync } = require('node:fs') as typeof import('node:fs');
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'helper.ts'), "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
    writeFileSync(join(dir, 'wf.ts'), "import type { Kysely } from 'kysely';\nimport { x } from './helper';\nimport { Pool } from 'pg';\n");
    const specs = runtimeImports(join(dir, 'wf.ts')).map((i) => i.spec);
    assert.deepEqual(specs.sort(), ['node:fs', 'pg']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Temporal bundler accepts the workflow code', async () => {
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  });
  assert.ok(code.length > 1000);
});
