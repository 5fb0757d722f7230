import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporalCliPath } from '../../src/temporal/binaries';
import { createDataConverter } from '../../src/temporal/data-converter';
import { workflowBundle } from './temporal';

export const HISTORIES_DIR = join(__dirname, '..', 'histories');

// Workflow code reads its own workflow id, so a replay needs the real one: it travels in the file name.
export function historyFileName(type: string, workflowId: string, runId: string): string {
  return `${type}__${encodeURIComponent(workflowId)}__${runId}.json`;
}

export function workflowIdOf(fileName: string): string {
  const encoded = fileName.split('__')[1];
  if (!encoded) throw new Error(`history file ${fileName} does not name its workflow id (type__id__run.json)`);
  return decodeURIComponent(encoded);
}

/**
 * Replays every closed or open run the server holds against the current workflow code.
 * With RECORD_HISTORIES=1 the histories are also written to test/histories/ so that the
 * replay test keeps checking them against later versions of the code.
 */
export async function replayAll(client: Client, address: string, query: string): Promise<{ runs: number; failures: string[] }> {
  const histories: { workflowId: string; history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>> }[] = [];
  for await (const wf of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    histories.push({ workflowId: wf.workflowId, history });
    if (process.env.RECORD_HISTORIES === '1') {
      // The CLI's export is the format `temporal workflow show` gives operators, and replays as is.
      const cli = await temporalCliPath();
      const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '-w', wf.workflowId, '-r', wf.runId, '-o', 'json', '--address', address], {
        maxBuffer: 64 * 1024 * 1024,
      });
      const name = historyFileName(wf.type, wf.workflowId, wf.runId);
      // Stack traces in failures name this checkout's paths; keep them relative.
      writeFileSync(join(HISTORIES_DIR, name), stdout.split(`${process.cwd()}/`).join('./'));
    }
  }
  const failures: string[] = [];
  const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter() };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (result.error) failures.push(`${result.workflowId} ${result.runId}: ${result.error.message}`);
  }
  return { runs: histories.length, failures };
}
