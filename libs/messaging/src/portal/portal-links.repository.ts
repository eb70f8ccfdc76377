import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PortalLink {
  id: string;
  organisationId: string;
  messageId: string;
  recipientId: string;
  expiresAt: Date;
  revokedAt: Date | null;
  failedAttempts: number;
  lockedAt: Date | null;
  codeHash: Buffer | null;
  codeExpiresAt: Date | null;
  /** scrypt salt and key of the passphrase the sender shared another way, if any. */
  passphraseHash: Buffer | null;
}

interface LinkRow {
  id: string;
  organisation_id: string;
  message_id: string;
  recipient_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  failed_attempts: number;
  locked_at: Date | null;
  code_hash: Buffer | null;
  code_expires_at: Date | null;
  passphrase_hash: Buffer | null;
}

export interface NewPortalLink {
  organisationId: string;
  messageId: string;
  recipientId: string;
  tokenHash: Buffer;
  expiresAt: Date;
}

/**
 * Rows of portal_links. Lookups by token hash stand alone: the token is the credential.
 * Updates that return rows are wrapped in a CTE, since TypeORM answers a bare UPDATE with
 * [rows, count] rather than the rows.
 */
@Injectable()
export class PortalLinksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One link per recipient copy: a delivery retry replaces the token (only its hash was kept,
   * so the old one cannot be sent again) and starts the code state afresh.
   */
  async issue(link: NewPortalLink): Promise<string> {
    const [row] = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO portal_links (id, organisation_id, message_id, recipient_id, token_hash,
         expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (recipient_id) DO UPDATE
         SET token_hash = excluded.token_hash, expires_at = excluded.expires_at,
             failed_attempts = 0, locked_at = NULL, code_hash = NULL, code_expires_at = NULL,
             updated_at = now()
       RETURNING id`,
      [
        randomUUID(),
        link.organisationId,
        link.messageId,
        link.recipientId,
        link.tokenHash,
        link.expiresAt,
      ],
    );
    return row.id;
  }

  async findByTokenHash(tokenHash: Buffer): Promise<PortalLink | null> {
    const [row] = await this.dataSource.query<LinkRow[]>(
      `SELECT id, organisation_id, message_id, recipient_id, expires_at, revoked_at,
              failed_attempts, locked_at, code_hash, code_expires_at, passphrase_hash
         FROM portal_links WHERE token_hash = $1`,
      [tokenHash],
    );
    return row ? toLink(row) : null;
  }

  /** Stores a fresh code; a new code also lifts a lockout. True when it was locked. */
  async setCode(linkId: string, codeHash: Buffer, codeExpiresAt: Date): Promise<boolean> {
    const [row] = await this.dataSource.query<{ was_locked: boolean }[]>(
      `WITH updated AS (
         UPDATE portal_links p
            SET code_hash = $2, code_expires_at = $3, failed_attempts = 0, locked_at = NULL,
                updated_at = now()
           FROM (SELECT locked_at FROM portal_links WHERE id = $1) AS before
          WHERE p.id = $1
          RETURNING before.locked_at IS NOT NULL AS was_locked)
       SELECT was_locked FROM updated`,
      [linkId, codeHash, codeExpiresAt],
    );
    return row?.was_locked ?? false;
  }

  /**
   * Counts a wrong code in one statement, so parallel guesses cannot slip past the limit;
   * locks the link at `maxAttempts`. Null when it was already locked.
   */
  async recordWrongCode(
    linkId: string,
    maxAttempts: number,
    now: Date,
  ): Promise<{ failedAttempts: number; locked: boolean } | null> {
    const [row] = await this.dataSource.query<
      { failed_attempts: number; locked_at: Date | null }[]
    >(
      `WITH updated AS (
         UPDATE portal_links
            SET failed_attempts = failed_attempts + 1, updated_at = now(),
                locked_at = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz END,
                code_hash = CASE WHEN failed_attempts + 1 >= $2 THEN NULL ELSE code_hash END
          WHERE id = $1 AND locked_at IS NULL
          RETURNING failed_attempts, locked_at)
       SELECT failed_attempts, locked_at FROM updated`,
      [linkId, maxAttempts, now],
    );
    return row ? { failedAttempts: row.failed_attempts, locked: row.locked_at !== null } : null;
  }

  /** Uses the code up; false when another request used it first. */
  async consumeCode(linkId: string, codeHash: Buffer): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `WITH updated AS (
         UPDATE portal_links
            SET code_hash = NULL, code_expires_at = NULL, failed_attempts = 0, updated_at = now()
          WHERE id = $1 AND code_hash = $2 AND locked_at IS NULL
          RETURNING id)
       SELECT id FROM updated`,
      [linkId, codeHash],
    );
    return rows.length > 0;
  }

  /**
   * Stores the passphrase of one recipient of the caller's organisation. Before delivery there
   * is no link yet: a row is made with a token nobody holds, which delivery then replaces,
   * keeping the passphrase. False when the organisation has no such recipient.
   */
  async setPassphrase(input: {
    organisationId: string;
    messageId: string;
    recipientId: string;
    passphraseHash: Buffer;
    placeholderTokenHash: Buffer;
    expiresAt: Date;
  }): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO portal_links (id, organisation_id, message_id, recipient_id, token_hash,
         expires_at, passphrase_hash)
       SELECT $1, r.organisation_id, r.message_id, r.id, $5, $6, $7
         FROM message_recipients r
        WHERE r.id = $4 AND r.organisation_id = $2 AND r.message_id = $3
       ON CONFLICT (recipient_id) DO UPDATE
         SET passphrase_hash = excluded.passphrase_hash, updated_at = now()
       RETURNING id`,
      [
        randomUUID(),
        input.organisationId,
        input.messageId,
        input.recipientId,
        input.placeholderTokenHash,
        input.expiresAt,
        input.passphraseHash,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Withdraws the link of one recipient of the caller's organisation and ends its sessions.
   * Null when the organisation has no such link; revoking twice keeps the first time.
   */
  async revoke(
    organisationId: string,
    messageId: string,
    recipientId: string,
    now: Date,
  ): Promise<Date | null> {
    const [row] = await this.dataSource.query<{ revoked_at: Date }[]>(
      `WITH link AS (
         UPDATE portal_links SET revoked_at = coalesce(revoked_at, $4), updated_at = now()
          WHERE organisation_id = $1 AND message_id = $2 AND recipient_id = $3
          RETURNING id, revoked_at),
       ended AS (DELETE FROM portal_sessions WHERE link_id IN (SELECT id FROM link))
       SELECT revoked_at FROM link`,
      [organisationId, messageId, recipientId, now],
    );
    return row ? new Date(row.revoked_at) : null;
  }
}

function toLink(row: LinkRow): PortalLink {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    messageId: row.message_id,
    recipientId: row.recipient_id,
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
    failedAttempts: row.failed_attempts,
    lockedAt: row.locked_at ? new Date(row.locked_at) : null,
    codeHash: row.code_hash,
    codeExpiresAt: row.code_expires_at ? new Date(row.code_expires_at) : null,
    passphraseHash: row.passphrase_hash,
  };
}
