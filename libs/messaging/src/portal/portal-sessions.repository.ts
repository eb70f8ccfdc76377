import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PortalSessionRow {
  id: string;
  linkId: string;
  csrfToken: string;
  lastSeenAt: Date;
}

/** Rows of portal_sessions; the cookie holds a token whose hash is the lookup key. */
@Injectable()
export class PortalSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: {
    organisationId: string;
    linkId: string;
    tokenHash: Buffer;
    csrfToken: string;
    now: Date;
  }): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO portal_sessions (id, organisation_id, link_id, token_hash, csrf_token,
         last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, input.organisationId, input.linkId, input.tokenHash, input.csrfToken, input.now],
    );
    return id;
  }

  async find(tokenHash: Buffer): Promise<PortalSessionRow | null> {
    const [row] = await this.dataSource.query<
      { id: string; link_id: string; csrf_token: string; last_seen_at: Date }[]
    >(`SELECT id, link_id, csrf_token, last_seen_at FROM portal_sessions WHERE token_hash = $1`, [
      tokenHash,
    ]);
    return row
      ? {
          id: row.id,
          linkId: row.link_id,
          csrfToken: row.csrf_token,
          lastSeenAt: new Date(row.last_seen_at),
        }
      : null;
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE portal_sessions SET last_seen_at = $2 WHERE id = $1`, [
      id,
      now,
    ]);
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM portal_sessions WHERE id = $1`, [id]);
  }
}
