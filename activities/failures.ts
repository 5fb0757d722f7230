import { ApplicationFailure } from '@temporalio/activity';
import { EightByEightError } from '../src/eightxeight/errors';
import { eightByEightFailureType, type OperatorProblem } from '../workflows/failure-types';

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
    type: eightByEightFailureType(err.kind),
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    details: [details],
  });
}
