/**
 * Typed failures of the Analytics for 8x8 Work API (spec §3.4 and §10).
 * Every message and field is free of the password, API key and bearer token.
 */
export type EightByEightErrorKind =
  | 'api_key_rejected'
  | 'credentials_rejected'
  | 'permission_missing'
  | 'pbx_not_visible'
  | 'token_expired'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'connection_reset'
  | 'bad_response'
  | 'bad_request';

export const RETRYABLE_KINDS: ReadonlySet<EightByEightErrorKind> = new Set<EightByEightErrorKind>([
  'rate_limited',
  'server_error',
  'timeout',
  'connection_reset',
  'bad_response',
  'token_expired',
]);

export const OPERATOR_KINDS: ReadonlySet<EightByEightErrorKind> = new Set<EightByEightErrorKind>([
  'api_key_rejected',
  'credentials_rejected',
  'permission_missing',
  'pbx_not_visible',
]);

/** Plain-words operator guidance per kind, matching the setup guide's troubleshooting section. */
export function operatorActionFor(kind: EightByEightErrorKind, pbx?: string): string {
  switch (kind) {
    case 'api_key_rejected':
      return (
        'The 8x8 API key was rejected (SHA001). In 8x8 Admin Console > Application Credentials, check that the App ' +
        'still exists and has the "Analytics for 8x8 Work" API enabled (changes take a few minutes to apply), ' +
        'then send the key with the rotateCredentials signal'
      );
    case 'credentials_rejected':
      return (
        "The 8x8 user's password was rejected, or the user has never opened Analytics for 8x8 Work in a browser: " +
        'sign in once at analytics, then send new credentials with the rotateCredentials signal'
      );
    case 'permission_missing':
      return (
        'The 8x8 user may not read call detail records' +
        (pbx ? ` for PBX ${pbx}` : '') +
        ': in 8x8 Admin Console > Users > Edit > Analytics for 8x8 Work, set the allowed access level to Supervisor ' +
        '(Essentials is not enough for the API), then resume the tenant'
      );
    case 'pbx_not_visible':
      return (
        `The 8x8 user cannot see PBX ${pbx ?? '(unknown)'}: check the PBX name (Admin Console > Company > PBX; ` +
        'names, not ids) and give the user access to it in Analytics for 8x8 Work, or remove it from the tenant'
      );
    case 'token_expired':
      return 'The 8x8 access token was refused even after renewal; no action needed unless this repeats';
    case 'rate_limited':
      return '8x8 is throttling requests; the import retries automatically';
    case 'server_error':
      return '8x8 answered with a server error; the import retries automatically';
    case 'timeout':
      return '8x8 did not answer in time; the import retries automatically';
    case 'connection_reset':
      return 'The connection to 8x8 was dropped; the import retries automatically';
    case 'bad_response':
      return '8x8 sent a response that could not be read; the import retries automatically. If it persists, report it to engineering';
    case 'bad_request':
      return 'cdrflow sent a request 8x8 rejected as invalid: this is a bug, report it to engineering';
  }
}

export interface EightByEightErrorInit {
  kind: EightByEightErrorKind;
  message: string;
  status?: number;
  retryAfterMs?: number;
  pbx?: string;
  cause?: unknown;
}

export class EightByEightError extends Error {
  override readonly name = 'EightByEightError';
  readonly kind: EightByEightErrorKind;
  readonly retryable: boolean;
  readonly needsOperator: boolean;
  readonly operatorAction: string;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly pbx?: string;

  constructor(init: EightByEightErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.retryable = RETRYABLE_KINDS.has(init.kind);
    this.needsOperator = OPERATOR_KINDS.has(init.kind);
    this.operatorAction = operatorActionFor(init.kind, init.pbx);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.status !== undefined) this.status = init.status;
    if (init.pbx !== undefined) this.pbx = init.pbx;
  }

  /** JSON-safe summary (for Temporal failure details and logs). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      needsOperator: this.needsOperator,
      operatorAction: this.operatorAction,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      pbx: this.pbx,
    };
  }
}

export function isEightByEightError(e: unknown): e is EightByEightError {
  return e instanceof EightByEightError;
}

/** Parses a Retry-After header (delta seconds or HTTP-date) into ms from `nowMs`; undefined if absent/invalid. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const date = Date.parse(t);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
