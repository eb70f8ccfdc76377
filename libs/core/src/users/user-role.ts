import { type Scope } from '../auth/scopes';

/**
 * What a person signed in to Sealpost may do. `break_glass` is an emergency account: it can do
 * everything, but only after stating why, and every session it opens is flagged in the audit
 * log.
 */
export const USER_ROLES = ['owner', 'admin', 'compliance', 'sender', 'break_glass'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/**
 * The scopes each role's sessions carry. A compliance officer reads and never changes: only
 * `:read` scopes, which no route that changes anything accepts.
 */
export function scopesOfRole(role: UserRole): readonly Scope[] {
  switch (role) {
    case 'owner':
    case 'admin':
    case 'break_glass':
      return ['admin'];
    case 'compliance':
      return ['messages:read', 'contacts:read', 'audit:read'];
    case 'sender':
      return ['messages:send', 'messages:read', 'contacts:read'];
  }
}

/** Owners and break-glass accounts carry the most power; only an owner creates them. */
export function needsOwnerToGrant(role: UserRole): boolean {
  return role === 'owner' || role === 'break_glass';
}
