import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from './data-converter';

export const TASK_QUEUE = 'cdr-import';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export async function connectClient(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace, dataConverter: createDataConverter() });
}
