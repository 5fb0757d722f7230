// Failure type names that activities raise and the tenant workflow branches on: one definition,
// so a rename cannot silently stop the workflow from recognising a problem. Pure module.

const EIGHT_BY_EIGHT_PREFIX = 'EightByEight.';

/** `EightByEight.<kind>`: an 8x8 client error kind; the prefix keeps them apart from SDK types. */
export const eightByEightFailureType = (kind: string): string => `${EIGHT_BY_EIGHT_PREFIX}${kind}`;

/** The client error kind of an `EightByEight.<kind>` failure type, or undefined for any other type. */
export function eightByEightKind(type: string | undefined | null): string | undefined {
  return type?.startsWith(EIGHT_BY_EIGHT_PREFIX) ? type.slice(EIGHT_BY_EIGHT_PREFIX.length) : undefined;
}

/** The tenant has no billing reference data: calls can be imported but not matched or rated. */
export const BILLING_SETUP_FAILURE = 'BillingSetup';

/** What an 8x8 failure carries as its details, for the operator. */
export interface OperatorProblem {
  kind: string;
  operatorAction: string;
  pbx?: string;
}
