import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, requireAuditLog } from '../audit/audit-log.port';
import { type AuthContext } from '../auth/auth-context';
import { ADDIN_SCOPE, grants } from '../auth/scopes';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { Clock } from '../time/clock.port';
import { ADDIN_TOKEN_PREFIX, newToken, tokenHash } from './user-tokens';

// An add-in runs unattended in the mail client for months; asking for password and code every
// few hours would teach people to stop using it. 90 days bounds a token nobody revoked.
const LIFETIME_MS = 90 * 24 * 3600_000;
// last_used_at is written at most once a minute per token, not on every request.
const TOUCH_MS = 60_000;

export const ADDIN_CLIENTS = ['outlook'] as const;
export type AddinClient = (typeof ADDIN_CLIENTS)[number];

export interface IssuedAddinToken {
  /** Shown in this response only; the add-in sends it as `Authorization: Bearer spa_...`. */
  token: string;
  id: string;
  client: AddinClient;
  expiresAt: string;
}

export interface AddinTokenView {
  id: string;
  userId: string;
  client: AddinClient;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  organisation_id: string;
  user_id: string;
  client: AddinClient;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/**
 * Per-user tokens of the mail add-ins. A person signs in with password and code (a session),
 * and the session asks for a token that can do nothing but the add-in's two calls. Only the
 * hash is stored; the user's own revocation, an admin's, or the user being disabled ends it.
 */
@Injectable()
export class AddinTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async issue(caller: AuthContext, client: AddinClient): Promise<IssuedAddinToken> {
    const user = this.signedInUser(caller);
    const audit = requireAuditLog(this.audit);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + LIFETIME_MS);
    const issued = newToken(ADDIN_TOKEN_PREFIX);

    const id = await this.dataSource.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }[]>(
        `INSERT INTO addin_tokens (organisation_id, user_id, client, token_hash, created_at,
           last_used_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`,
        [caller.organisationId, user.id, client, issued.hash, now, expiresAt],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: { type: user.breakGlass ? 'break_glass_user' : 'user', id: user.id },
        action: 'addin_token.issued',
        target: { type: 'addin_token', id: row.id },
        details: { client },
      });
      return row.id;
    });
    return { token: issued.token, id, client, expiresAt: expiresAt.toISOString() };
  }

  /** The caller an add-in token stands for, or null when unknown, revoked, expired or disabled. */
  async authenticate(token: string): Promise<AuthContext | null> {
    const [row] = await this.dataSource.query<(TokenRow & { status: string })[]>(
      `SELECT t.*, u.status FROM addin_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1`,
      [tokenHash(token)],
    );
    const now = this.clock.now();
    if (!row || row.revoked_at || row.status !== 'active' || row.expires_at <= now) {
      return null;
    }
    if (now.getTime() - row.last_used_at.getTime() >= TOUCH_MS) {
      await this.dataSource.query(`UPDATE addin_tokens SET last_used_at = $2 WHERE id = $1`, [
        row.id,
        now,
      ]);
    }
    return {
      organisationId: row.organisation_id,
      scopes: [ADDIN_SCOPE],
      addin: { tokenId: row.id, userId: row.user_id },
    };
  }

  /** The caller's own tokens, or every token of the organisation for a user manager. */
  async list(caller: AuthContext): Promise<AddinTokenView[]> {
    const user = this.signedInUser(caller);
    const everyone = grants(caller.scopes, 'users:manage');
    const rows = await this.dataSource.query<TokenRow[]>(
      `SELECT * FROM addin_tokens
        WHERE organisation_id = $1 AND ($2::boolean OR user_id = $3)
        ORDER BY created_at DESC LIMIT 500`,
      [caller.organisationId, everyone, user.id],
    );
    return rows.map(viewOf);
  }

  /**
   * Ends a token at once. Its owner may revoke it, and so may whoever manages users; to anyone
   * else, and for another organisation's token, it does not exist.
   */
  async revoke(caller: AuthContext, id: string): Promise<AddinTokenView> {
    const user = this.signedInUser(caller);
    const audit = requireAuditLog(this.audit);
    const everyone = grants(caller.scopes, 'users:manage');

    return this.dataSource.transaction(async (tx) => {
      const [[row]] = await tx.query<[TokenRow[], number]>(
        `UPDATE addin_tokens SET revoked_at = coalesce(revoked_at, $4)
          WHERE id = $1 AND organisation_id = $2 AND ($3::boolean OR user_id = $5)
          RETURNING *`,
        [id, caller.organisationId, everyone, this.clock.now(), user.id],
      );
      if (!row) {
        throw new SealpostError(ErrorCode.NotFound, 'No add-in token with this id.');
      }
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: { type: user.breakGlass ? 'break_glass_user' : 'user', id: user.id },
        action: 'addin_token.revoked',
        target: { type: 'addin_token', id: row.id },
        details: { ownToken: row.user_id === user.id },
      });
      return viewOf(row);
    });
  }

  private signedInUser(caller: AuthContext): NonNullable<AuthContext['user']> {
    if (!caller.user) {
      throw new SealpostError(
        ErrorCode.InsufficientScope,
        'Add-in tokens are managed by a signed-in person, not by an API key or another token.',
      );
    }
    return caller.user;
  }
}

function viewOf(row: TokenRow): AddinTokenView {
  return {
    id: row.id,
    userId: row.user_id,
    client: row.client,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
  };
}
