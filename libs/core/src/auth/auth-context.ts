import { type UserRole } from '../users/user-role';
import { type Scope } from './scopes';

/** A person signed in with password and TOTP, as opposed to a machine's API key. */
export interface SessionUser {
  id: string;
  role: UserRole;
  sessionId: string;
  /** An emergency account's session: allowed everything, flagged in every audit record. */
  breakGlass: boolean;
}

/** A person's Outlook add-in, holding a token they obtained by signing in (`spa_...`). */
export interface AddinCaller {
  tokenId: string;
  userId: string;
}

/**
 * Who is calling: every service method takes this first and scopes its queries by it. An API
 * call has `apiKeyId` or `user`; the CLI, run by the operator on the host, has neither.
 */
export interface AuthContext {
  organisationId: string;
  scopes: readonly Scope[];
  apiKeyId?: string;
  user?: SessionUser;
  /** Set for add-in tokens only; `user` stays unset, so signed-in routes refuse them. */
  addin?: AddinCaller;
}

/** The caller's id for event data and logs: `{ userId }` or `{ apiKeyId }`, never both. */
export function callerRef(caller: AuthContext): { userId: string } | { apiKeyId: string } {
  if (caller.user || caller.addin) {
    return { userId: caller.user?.id ?? caller.addin?.userId ?? 'unknown' };
  }
  return { apiKeyId: caller.apiKeyId ?? 'unknown' };
}
