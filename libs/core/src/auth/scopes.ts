/** What an API key may do. `admin` grants every scope of its own organisation. */
export const SCOPES = [
  'messages:send',
  'messages:read',
  'api-keys:manage',
  'keys:manage',
  'policy:manage',
  'contacts:read',
  'contacts:write',
  'templates:manage',
  'settings:manage',
  'workflows:manage',
  'events:write',
  'audit:read',
  'webhooks:manage',
  'users:manage',
  'gateway:manage',
  'fhir:manage',
  'connectors:manage',
  'admin',
] as const;
/**
 * What a per-user Outlook add-in token (`spa_...`) may do: preview recipients and check a draft
 * for PHI. Not in SCOPES, so no API key can be created with it: an add-in never holds a key
 * shared by the organisation.
 */
export const ADDIN_SCOPE = 'addin:use';
export type Scope = (typeof SCOPES)[number] | typeof ADDIN_SCOPE;

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(held: readonly Scope[], required: Scope): boolean {
  return held.includes('admin') || held.includes(required);
}
