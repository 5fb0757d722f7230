// The workflow bundle's entry: every workflow type the worker serves, by name.
export { importWindow } from './import-window';
export { tenantImport } from './tenant-import';
