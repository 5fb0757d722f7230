/**
 * Billing operations for the workflow's activities and the billing CLI. All take a
 * Kysely<Database> and small JSON-safe references, and return small JSON-safe summaries.
 */
export { matchCalls, rateCalls, rerateCalls, resolvePending } from './operations';
export type { WindowRef, RateRef, MatchSummary, RateSummary, RerateReport, RatingChange } from './operations';
export { explainCall, listUnmatched, listUnrated, exportInvoice, buildInvoiceCsv, EXPORT_COLUMNS } from './reports';
export type { InvoiceExport, InvoiceLine, PendingCall } from './reports';
export { BillingSetupError } from './context';
export { loadReferenceCsv, REFERENCE_KINDS } from '../reference-data/store';
export type { ReferenceKind, LoadResult } from '../reference-data/store';
