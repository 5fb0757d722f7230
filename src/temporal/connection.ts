import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from './data-converter';

/** Every client gets the shared data converter (and so, later, the payload codec). */
export async function connectClient(settings: { address: string; namespace: string }): Promise<Client> {
  const connection = await Connection.connect({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace, dataConverter: createDataConverter() });
}
