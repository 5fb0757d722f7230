import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Options of the import activity. Activities heartbeat every 5 s while they work, so a dead
 * worker's activity is retried after 30 s; the import resumes from the cursor of its last
 * committed page.
 */
export const IMPORT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
