import type { Migration, MigrationProvider } from 'kysely';
import * as calls from './0001_calls';
import * as billing from './0002_billing';

/** Every migration, in order. Names are permanent once released: add, never rename. */
export const migrations: Record<string, Migration> = {
  '0001_calls': calls,
  '0002_billing': billing,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
