import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Shared by the workflow, the dev server set-up and the runbook. Never put a secret here:
// search attributes are stored in plain text and bypass the payload codec.
export const TENANT_ID = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
/** `backfill` or `continuous`. */
export const IMPORT_PHASE = defineSearchAttributeKey('ImportPhase', SearchAttributeType.KEYWORD);
/** `importing`, `waiting`, `paused`, `awaiting_credentials` or `needs_attention`. */
export const IMPORT_STATE = defineSearchAttributeKey('ImportState', SearchAttributeType.KEYWORD);
/** Everything before this instant is imported: a tenant behind schedule has an old checkpoint. */
export const IMPORT_CHECKPOINT = defineSearchAttributeKey('ImportCheckpoint', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [TENANT_ID, IMPORT_PHASE, IMPORT_STATE, IMPORT_CHECKPOINT] as const;
