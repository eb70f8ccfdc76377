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
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(held: readonly Scope[], required: Scope): boolean {
  return held.includes('admin') || held.includes(required);
}
