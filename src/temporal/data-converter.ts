import type { DataConverter } from '@temporalio/common';

/**
 * The one place every Temporal client, worker and replayer gets its data converter from.
 * Today: the SDK's JSON payloads. The ROADMAP's AES-GCM codec (and an encoding failure
 * converter) slot in here, and everything that talks to Temporal picks them up.
 */
export function createDataConverter(): DataConverter {
  return {};
}
