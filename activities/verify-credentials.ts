import { cancellationSignal } from '@temporalio/activity';
import type { AnalyticsClient } from '../src/eightxeight/client';
import type { TenantCredentials } from '../src/eightxeight/credentials';
import { toApplicationFailure } from './failures';

/** Signs in to 8x8 with the given credentials, nothing more: the rotate-credentials update's check. */
export function verifyCredentialsActivity(deps: { client: AnalyticsClient }) {
  return async function verifyCredentials(input: { tenantId: string; credentials: TenantCredentials }): Promise<{ ok: true }> {
    try {
      await deps.client.verifyCredentials(input.tenantId, input.credentials, cancellationSignal());
      return { ok: true };
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };
}
