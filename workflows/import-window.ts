import { proxyActivities } from '@temporalio/workflow';
import type { Activities, ImportCallRecordsResult } from '../activities';
import type { TenantCredentials } from '../src/eightxeight/credentials';
import { IMPORT_ACTIVITY_OPTIONS } from './activity-options';
import { importTargets, parsePbxSelector } from './pbx-selector';

export interface ImportWindowInput {
  tenantId: string;
  credentials: TenantCredentials;
  pbxes: string;
  from: string;
  to: string;
  timeZone: string;
}

export interface ImportWindowSummary {
  tenantId: string;
  from: string;
  to: string;
  perPbx: ImportCallRecordsResult[];
}

const { importCallRecords } = proxyActivities<Activities>(IMPORT_ACTIVITY_OPTIONS);

/** Imports one time window of call records for every PBX of a tenant. */
export async function importWindow(input: ImportWindowInput): Promise<ImportWindowSummary> {
  const perPbx: ImportCallRecordsResult[] = [];
  for (const pbx of importTargets(parsePbxSelector(input.pbxes))) {
    perPbx.push(
      await importCallRecords({
        tenantId: input.tenantId,
        credentials: input.credentials,
        pbx,
        from: input.from,
        to: input.to,
        timeZone: input.timeZone,
      }),
    );
  }
  return { tenantId: input.tenantId, from: input.from, to: input.to, perPbx };
}
