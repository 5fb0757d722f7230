import { ApplicationFailure } from '@temporalio/activity';
import { EightByEightError } from '../src/eightxeight/errors';

/** Failure type names the workflow branches on; the prefix keeps them apart from SDK types. */
export const failureType = (kind: string): string => `EightByEight.${kind}`;

export interface OperatorProblem {
  kind: string;
  operatorAction: string;
  pbx?: string;
}

/**
 * Turns a client error into the failure Temporal records: problems a human must fix are
 * non-retryable (the workflow parks the tenant), transient ones retry, honouring Retry-After.
 * The client's messages are already free of secrets.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof EightByEightError)) return err;
  const details: OperatorProblem = { kind: err.kind, operatorAction: err.operatorAction, ...(err.pbx ? { pbx: err.pbx } : {}) };
  return ApplicationFailure.create({
    message: err.message,
    type: failureType(err.kind),
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    details: [details],
  });
}
