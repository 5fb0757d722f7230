import { createHash } from 'node:crypto';

/** What an operator gives us per tenant to read its 8x8 Work analytics. All three are secrets except `username`. */
export interface TenantCredentials {
  /** Value of the `8x8-apikey` header (the Key of an Admin Console App; the Secret is not used). */
  apiKey: string;
  /** 8x8 user name; the user must have Analytics: Supervisor and have opened Analytics once in a browser. */
  username: string;
  password: string;
}

const REDACTED = '[REDACTED]';

/**
 * Anything that looks like a JWT (three base64url parts, the first starting with `eyJ`).
 * 8x8 echoes the bearer token in "Access token expired: <token>", so we redact tokens we do
 * not even know about.
 */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;

/**
 * Replaces every occurrence of each secret (and its URL-/form-encoded spelling) and every
 * JWT-looking string in `text` with `[REDACTED]`. Secrets shorter than 4 characters are still
 * redacted (a weak password is still a password).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const variants = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    variants.add(s);
    variants.add(encodeURIComponent(s));
    variants.add(new URLSearchParams({ x: s }).toString().slice(2));
    variants.add(JSON.stringify(s).slice(1, -1));
  }
  // Longest first so a secret containing another secret is fully removed.
  for (const v of [...variants].filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(v).join(REDACTED);
  }
  return out.replace(JWT_PATTERN, REDACTED);
}

/** Stable cache key for a tenant's credentials that never contains the raw secrets. */
export function credentialsFingerprint(tenantId: string, credentials: TenantCredentials): string {
  return createHash('sha256')
    .update(JSON.stringify([tenantId, credentials.apiKey, credentials.username, credentials.password]))
    .digest('hex');
}
