import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { locate, TEMPORAL_CLI } from '../../src/temporal/binaries';
import { WORKFLOWS_PATH } from '../../src/worker';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/** A real Temporal dev server for one test file, with the project's search attributes registered. */
export async function startTemporal(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  // Once per process and before any connection: keep worker chatter out of the test report.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { executable } = await locate(TEMPORAL_CLI);
  return TestWorkflowEnvironment.createLocal({
    server: { executable, searchAttributes: [...SEARCH_ATTRIBUTES], extraArgs },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
