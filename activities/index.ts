import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { AnalyticsClient } from '../src/eightxeight/client';
import { billingActivities } from './billing';
import { importCallRecordsActivity } from './import-call-records';
import { verifyCredentialsActivity } from './verify-credentials';

export interface ActivityDeps {
  db: Kysely<Database>;
  client: AnalyticsClient;
}

/** Every activity the worker registers; workflows see only this type. */
export function createActivities(deps: ActivityDeps) {
  return {
    importCallRecords: importCallRecordsActivity(deps),
    verifyCredentials: verifyCredentialsActivity(deps),
    ...billingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ImportCallRecordsInput, ImportCallRecordsResult } from './import-call-records';
