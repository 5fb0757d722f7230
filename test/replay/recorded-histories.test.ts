import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../../src/temporal/data-converter';
import { HISTORIES_DIR, workflowIdOf } from '../support/replay';
import { workflowBundle } from '../support/temporal';

// Histories recorded from real runs (RECORD_HISTORIES=1 npm test -- test/e2e/tenant-import.test.ts).
// A change to workflow code that would break a running tenant fails here.
test('recorded workflow histories replay against the current workflow code', async () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 5, `expected recorded histories in ${HISTORIES_DIR}, found ${files.length}`);
  const histories = files.map((f) => ({ workflowId: workflowIdOf(f), history: JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8')) as unknown }));
  const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter() };
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(options, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
