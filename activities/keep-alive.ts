import { heartbeat } from '@temporalio/activity';

/**
 * Heartbeats every few seconds while `work` runs, so a worker that dies is noticed within the
 * heartbeat timeout even during one long database statement or a slow 8x8 page. `details`
 * gives the checkpoint to report (the SDK hands the last one to the next attempt).
 */
export async function keepAlive<T>(details: () => unknown, work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  heartbeat(details());
  const timer = setInterval(() => heartbeat(details()), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
