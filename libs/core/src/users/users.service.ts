import { Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { apiKeyActor, type AuditDetails, AuditLog, requireAuditLog } from '../audit/audit-log.port';
import { type AuthContext } from '../auth/auth-context';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { Clock } from '../time/clock.port';
import {
  type InvitedUser,
  type UpdatedRows,
  type UserRow,
  type UserView,
  viewOf,
} from './user-records';
import { needsOwnerToGrant, type UserRole } from './user-role';
import { INVITE_PREFIX, newToken } from './user-tokens';

// Long enough to reach someone over a weekend, short enough that a forgotten invitation dies.
const INVITE_HOURS = 72;
const UNIQUE_VIOLATION = '23505';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
}

export interface UserChange {
  name?: string;
  role?: UserRole;
}

/**
 * Administration of the people who sign in to an organisation. Every change is written to the
 * audit log in the same transaction; an organisation always keeps one active owner.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async invite(caller: AuthContext, input: NewUser): Promise<InvitedUser> {
    checkGrant(caller, input.role);
    const email = input.email.trim();
    const name = input.name.trim();
    if (!EMAIL.test(email) || email.length > 320 || !name || name.length > 200) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'Give a valid email and a name.', [
        { path: EMAIL.test(email) ? 'name' : 'email', message: 'invalid' },
      ]);
    }
    const invite = newToken(INVITE_PREFIX);
    const expiresAt = this.inviteExpiry();

    return this.change(caller, 'user.invited', async (tx) => {
      const [row] = await tx
        .query<UserRow[]>(
          `INSERT INTO users (organisation_id, email, name, role, invite_hash, invite_expires_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [caller.organisationId, email, name, input.role, invite.hash, expiresAt],
        )
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
            throw new SealpostError(ErrorCode.AlreadyExists, 'A user with that email exists.');
          }
          throw error;
        });
      return {
        result: {
          user: viewOf(row, this.clock.now()),
          inviteToken: invite.token,
          inviteExpiresAt: expiresAt.toISOString(),
        },
        target: row.id,
        details: { role: input.role },
      };
    });
  }

  async list(caller: AuthContext): Promise<UserView[]> {
    const rows = await this.dataSource.query<UserRow[]>(
      `SELECT * FROM users WHERE organisation_id = $1 ORDER BY created_at, id`,
      [caller.organisationId],
    );
    return rows.map((row) => viewOf(row, this.clock.now()));
  }

  async get(caller: AuthContext, id: string): Promise<UserView> {
    return viewOf(await this.row(this.dataSource.manager, caller, id), this.clock.now());
  }

  async update(caller: AuthContext, id: string, change: UserChange): Promise<UserView> {
    return this.change(caller, 'user.updated', async (tx) => {
      const current = await this.row(tx, caller, id, true);
      if (change.role && change.role !== current.role) {
        checkGrant(caller, change.role);
        checkGrant(caller, current.role);
        if (current.role === 'owner') {
          await this.keepAnOwner(tx, caller, id);
        }
      }
      const name = change.name?.trim();
      if (change.name !== undefined && (!name || name.length > 200)) {
        throw new SealpostError(ErrorCode.ValidationFailed, 'A name has 1-200 characters.', [
          { path: 'name', message: 'invalid' },
        ]);
      }
      const [[row]] = await tx.query<UpdatedRows>(
        `UPDATE users SET name = COALESCE($3, name), role = COALESCE($4, role), updated_at = $5
          WHERE organisation_id = $1 AND id = $2 RETURNING *`,
        [caller.organisationId, id, name ?? null, change.role ?? null, this.clock.now()],
      );
      return { result: viewOf(row, this.clock.now()), target: id, details: roleChange(change) };
    });
  }

  /** Disabling ends the user's sessions at once. */
  async disable(caller: AuthContext, id: string): Promise<UserView> {
    return this.change(caller, 'user.disabled', async (tx) => {
      const current = await this.row(tx, caller, id, true);
      checkGrant(caller, current.role);
      if (current.role === 'owner') {
        await this.keepAnOwner(tx, caller, id);
      }
      const row = await this.setStatus(tx, caller, id, 'disabled');
      return { result: viewOf(row, this.clock.now()), target: id, details: {} };
    });
  }

  /** A lost phone or password: both are cleared and a new invitation replaces them. */
  async resetCredentials(caller: AuthContext, id: string): Promise<InvitedUser> {
    const invite = newToken(INVITE_PREFIX);
    const expiresAt = this.inviteExpiry();
    return this.change(caller, 'user.credentials_reset', async (tx) => {
      const current = await this.row(tx, caller, id, true);
      checkGrant(caller, current.role);
      await this.endSessions(tx, id);
      const [[row]] = await tx.query<UpdatedRows>(
        `UPDATE users SET status = 'invited', password_hash = NULL, totp_ciphertext = NULL,
                totp_wrapped_key = NULL, totp_key_id = NULL, totp_last_step = NULL,
                invite_hash = $3, invite_expires_at = $4, failed_attempts = 0,
                locked_until = NULL, updated_at = $5
          WHERE organisation_id = $1 AND id = $2 RETURNING *`,
        [caller.organisationId, id, invite.hash, expiresAt, this.clock.now()],
      );
      return {
        result: {
          user: viewOf(row, this.clock.now()),
          inviteToken: invite.token,
          inviteExpiresAt: expiresAt.toISOString(),
        },
        target: id,
        details: {},
      };
    });
  }

  async unlock(caller: AuthContext, id: string): Promise<UserView> {
    return this.change(caller, 'user.unlocked', async (tx) => {
      await this.row(tx, caller, id, true);
      const [[row]] = await tx.query<UpdatedRows>(
        `UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = $3
          WHERE organisation_id = $1 AND id = $2 RETURNING *`,
        [caller.organisationId, id, this.clock.now()],
      );
      return { result: viewOf(row, this.clock.now()), target: id, details: {} };
    });
  }

  private async change<T>(
    caller: AuthContext,
    action: string,
    work: (tx: EntityManager) => Promise<{ result: T; target: string; details: AuditDetails }>,
  ): Promise<T> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const { result, target, details } = await work(tx);
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action,
        target: { type: 'user', id: target },
        details,
      });
      return result;
    });
  }

  private async row(
    tx: EntityManager,
    caller: AuthContext,
    id: string,
    forUpdate = false,
  ): Promise<UserRow> {
    const [row] = await tx.query<UserRow[]>(
      `SELECT * FROM users WHERE organisation_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [caller.organisationId, id],
    );
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, 'No such user.');
    }
    return row;
  }

  /** Locks the organisation's owners so two concurrent demotions cannot remove the last. */
  private async keepAnOwner(tx: EntityManager, caller: AuthContext, leaving: string) {
    const others = await tx.query<{ id: string }[]>(
      `SELECT id FROM users WHERE organisation_id = $1 AND role = 'owner' AND status = 'active'
          AND id <> $2 FOR UPDATE`,
      [caller.organisationId, leaving],
    );
    if (others.length === 0) {
      throw new SealpostError(
        ErrorCode.InvalidState,
        'An organisation keeps at least one active owner; make another owner first.',
      );
    }
  }

  private async setStatus(tx: EntityManager, caller: AuthContext, id: string, status: string) {
    await this.endSessions(tx, id);
    const [[row]] = await tx.query<UpdatedRows>(
      `UPDATE users SET status = $3, updated_at = $4
        WHERE organisation_id = $1 AND id = $2 RETURNING *`,
      [caller.organisationId, id, status, this.clock.now()],
    );
    return row;
  }

  private async endSessions(tx: EntityManager, userId: string): Promise<void> {
    await tx.query(
      `UPDATE user_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL`,
      [userId, this.clock.now()],
    );
  }

  private inviteExpiry(): Date {
    return new Date(this.clock.now().getTime() + INVITE_HOURS * 3600_000);
  }
}

/** Owners and break-glass accounts are granted, changed and removed only by an owner. */
function checkGrant(caller: AuthContext, role: UserRole): void {
  const byOwner = caller.user ? caller.user.role === 'owner' : caller.scopes.includes('admin');
  if (needsOwnerToGrant(role) && !byOwner) {
    throw new SealpostError(
      ErrorCode.InsufficientScope,
      `Only an owner may grant or change the ${role} role.`,
    );
  }
}

function roleChange(change: UserChange): AuditDetails {
  return change.role ? { role: change.role } : {};
}
