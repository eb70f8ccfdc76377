import { type UserRole } from './user-role';

export type UserStatus = 'invited' | 'active' | 'disabled';

/** A `users` row as the services read it. */
export interface UserRow {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  password_hash: string | null;
  totp_ciphertext: Buffer | null;
  totp_wrapped_key: Buffer | null;
  totp_key_id: string | null;
  totp_last_step: string | null;
  invite_expires_at: Date | null;
  failed_attempts: number;
  locked_until: Date | null;
  created_at: Date;
}

/** What the API shows of a user: never a hash, a secret or a token. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  mfaEnrolled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export interface InvitedUser {
  user: UserView;
  /** Shown in this response only: the person uses it once to set a password and TOTP. */
  inviteToken: string;
  inviteExpiresAt: string;
}

export function viewOf(row: UserRow, now: Date): UserView {
  const locked = row.locked_until && row.locked_until > now ? row.locked_until : null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    mfaEnrolled: row.status === 'active' && row.totp_ciphertext !== null,
    lockedUntil: locked ? locked.toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The TOTP secret is sealed to its user, so a secret copied into another row fails to open. */
export function totpContext(organisationId: string, userId: string): string {
  return `user-totp:${organisationId}:${userId}`;
}

export function breakGlassContext(organisationId: string, sessionId: string): string {
  return `break-glass-reason:${organisationId}:${sessionId}`;
}

/** TypeORM answers an UPDATE ... RETURNING with `[rows, count]`, not with the rows alone. */
export type UpdatedRows = [UserRow[], number];
