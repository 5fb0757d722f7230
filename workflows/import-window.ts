import { proxyActivities } from '@temporalio/workflow';
import type { Activities, ImportCallRecordsResult } from '../activities';
import type { TenantCredentials } from '../src/eightxeight/credentials';
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

const { importCallRecords } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

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
