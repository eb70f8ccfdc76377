import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type AuditActor,
  AuditLog,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  SEALPOST_CONFIG,
  type SealpostConfig,
  SealpostError,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type GoogleConnection,
  type GoogleConnectionChanges,
  type GoogleConnectionInput,
  type GoogleConnectionView,
  type GooglePushAuth,
} from './google-connection';
import { checkedSettings } from './google-connection-settings';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key';

export interface GoogleConnectionRow {
  id: string;
  organisation_id: string;
  customer_id: string;
  domain: string | null;
  admin_subject: string;
  client_email: string;
  private_key_id: string | null;
  key_ciphertext: Buffer;
  key_wrapped_key: Buffer;
  key_key_id: string;
  pubsub_topic: string | null;
  push_auth: GooglePushAuth;
  push_audience: string | null;
  push_service_account: string | null;
  push_token_hash: Buffer | null;
  enabled: boolean;
  directory_synced_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const keyContext = (organisationId: string, id: string) =>
  `google-workspace-key:${organisationId}:${id}`;

export const hashPushToken = (token: string): Buffer =>
  createHash('sha256').update(token, 'utf8').digest();

/**
 * The organisation's Google Workspace connection (one at most). The service account key is
 * sealed with the master key, bound to the organisation and connection; changes are audited
 * in the same transaction (fail closed).
 */
@Injectable()
export class GoogleConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async create(
    organisationId: string,
    input: GoogleConnectionInput,
    actor: AuditActor,
  ): Promise<GoogleConnectionView> {
    const audit = requireAuditLog(this.audit);
    const settings = checkedSettings(input);
    const key = parseServiceAccountKey(input.serviceAccountKey);
    const id = randomUUID();
    const pushToken = settings.pushAuth === 'token' ? randomBytes(24).toString('base64url') : null;
    const sealed = this.cipher.seal(
      Buffer.from(JSON.stringify(key)),
      keyContext(organisationId, id),
    );
    const row = await this.dataSource.transaction(async (tx) => {
      const [created] = await tx.query<GoogleConnectionRow[]>(
        `INSERT INTO google_workspace_connections (id, organisation_id, customer_id, domain,
           admin_subject, client_email, private_key_id, key_ciphertext, key_wrapped_key,
           key_key_id, pubsub_topic, push_auth, push_audience, push_service_account,
           push_token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (organisation_id) DO NOTHING RETURNING *`,
        [
          id,
          organisationId,
          settings.customerId,
          settings.domain,
          settings.adminSubject,
          key.client_email,
          key.private_key_id ?? null,
          sealed.ciphertext,
          sealed.wrappedKey,
          sealed.keyId,
          settings.pubsubTopic,
          settings.pushAuth,
          settings.pushAudience,
          settings.pushServiceAccount,
          pushToken ? hashPushToken(pushToken) : null,
        ],
      );
      if (!created) {
        throw new SealpostError(
          ErrorCode.AlreadyExists,
          'This organisation already has a Google Workspace connection; change or remove it.',
        );
      }
      await this.record(tx, audit, created, actor, 'google_workspace_connection.created');
      return created;
    });
    return this.viewOf(row, pushToken);
  }

  /** The connection, or not found. */
  async view(organisationId: string): Promise<GoogleConnectionView> {
    return this.viewOf(await this.row(this.dataSource.manager, organisationId));
  }

  /** The connection row, or null when the organisation has none (the status reads it). */
  async find(organisationId: string): Promise<GoogleConnectionRow | null> {
    const [row] = await this.dataSource.query<GoogleConnectionRow[]>(
      `SELECT * FROM google_workspace_connections WHERE organisation_id = $1`,
      [organisationId],
    );
    return row ?? null;
  }

  async update(
    organisationId: string,
    changes: GoogleConnectionChanges,
    actor: AuditActor,
  ): Promise<GoogleConnectionView> {
    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, true);
      const next = checkedSettings({
        customerId: changes.customerId ?? current.customer_id,
        domain: changes.domain ?? current.domain ?? undefined,
        adminSubject: changes.adminSubject ?? current.admin_subject,
        pubsubTopic: changes.pubsubTopic ?? current.pubsub_topic ?? undefined,
        pushAuth: current.push_auth,
        pushAudience: changes.pushAudience ?? current.push_audience ?? undefined,
        pushServiceAccount: changes.pushServiceAccount ?? current.push_service_account ?? undefined,
      });
      const key =
        changes.serviceAccountKey === undefined
          ? null
          : parseServiceAccountKey(changes.serviceAccountKey);
      const sealed = key
        ? this.cipher.seal(Buffer.from(JSON.stringify(key)), keyContext(organisationId, current.id))
        : null;
      // An UPDATE answers [rows, count] through TypeORM's pg driver.
      const [[updated]] = await tx.query<[GoogleConnectionRow[], number]>(
        `UPDATE google_workspace_connections SET
           customer_id = $2, domain = $3, admin_subject = $4, pubsub_topic = $5,
           push_audience = $6, push_service_account = $7,
           client_email = COALESCE($8, client_email),
           private_key_id = CASE WHEN $8::text IS NULL THEN private_key_id ELSE $9 END,
           key_ciphertext = COALESCE($10, key_ciphertext),
           key_wrapped_key = COALESCE($11, key_wrapped_key),
           key_key_id = COALESCE($12, key_key_id),
           enabled = COALESCE($13, enabled), updated_at = clock_timestamp()
         WHERE organisation_id = $1 RETURNING *`,
        [
          organisationId,
          next.customerId,
          next.domain,
          next.adminSubject,
          next.pubsubTopic,
          next.pushAudience,
          next.pushServiceAccount,
          key?.client_email ?? null,
          key?.private_key_id ?? null,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
          changes.enabled ?? null,
        ],
      );
      if (next.pubsubTopic !== current.pubsub_topic) {
        // Watches publish to the topic named when they were made: renew them all soon.
        await tx.query(
          `UPDATE google_mailboxes SET watch_renewed_at = NULL WHERE organisation_id = $1`,
          [organisationId],
        );
      }
      await this.record(tx, audit, updated, actor, 'google_workspace_connection.updated', {
        keyReplaced: key !== null,
      });
      return updated;
    });
    return this.viewOf(row);
  }

  /** Removes the connection and everything mirrored through it. */
  async remove(organisationId: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, true);
      for (const table of [
        'google_group_members',
        'google_directory_groups',
        'google_directory_users',
        'google_workspace_connections',
      ]) {
        await tx.query(`DELETE FROM ${table} WHERE organisation_id = $1`, [organisationId]);
      }
      await this.record(tx, audit, current, actor, 'google_workspace_connection.removed');
    });
  }

  /** Audits an admin's request for a sync now; not found without a connection. */
  async requestSync(organisationId: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId);
      await this.record(tx, audit, current, actor, 'google_directory.sync_requested');
    });
  }

  /** The connection with its key opened, for Google calls and the push endpoint. */
  async open(organisationId: string): Promise<GoogleConnection> {
    return this.opened(await this.row(this.dataSource.manager, organisationId));
  }

  /**
   * By connection id alone, for the push endpoint, which learns the organisation from the
   * connection; null when there is none.
   */
  async openById(id: string): Promise<GoogleConnection | null> {
    const [row] = await this.dataSource.query<GoogleConnectionRow[]>(
      `SELECT * FROM google_workspace_connections WHERE id = $1`,
      [id],
    );
    return row ? this.opened(row) : null;
  }

  /** Ids of every enabled connection, for the scheduled jobs. */
  async enabledOnes(): Promise<{ id: string; organisationId: string }[]> {
    return this.dataSource.query(
      `SELECT id, organisation_id AS "organisationId" FROM google_workspace_connections
        WHERE enabled ORDER BY created_at`,
    );
  }

  /** What the last sync or watch found; a code and a status, never a body. */
  async recordOutcome(
    organisationId: string,
    outcome: { error: string | null; directorySynced?: boolean },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE google_workspace_connections SET
         last_error = $2, last_error_at = CASE WHEN $2::text IS NULL THEN last_error_at
           ELSE clock_timestamp() END,
         directory_synced_at = CASE WHEN $3 THEN clock_timestamp() ELSE directory_synced_at END
       WHERE organisation_id = $1`,
      [organisationId, outcome.error, outcome.directorySynced ?? false],
    );
  }

  pushEndpoint(id: string): string {
    return `${this.config.portal.publicUrl}/google/pubsub/${id}`;
  }

  private opened(row: GoogleConnectionRow): GoogleConnection {
    const key = JSON.parse(
      this.cipher
        .open(
          {
            ciphertext: row.key_ciphertext,
            wrappedKey: row.key_wrapped_key,
            keyId: row.key_key_id,
          },
          keyContext(row.organisation_id, row.id),
        )
        .toString('utf8'),
    ) as ServiceAccountKey;
    return {
      id: row.id,
      organisationId: row.organisation_id,
      customerId: row.customer_id,
      adminSubject: row.admin_subject,
      key,
      pubsubTopic: row.pubsub_topic,
      pushAuth: row.push_auth,
      pushAudience: row.push_audience ?? this.pushEndpoint(row.id),
      pushServiceAccount: row.push_service_account,
      pushTokenHash: row.push_token_hash,
      enabled: row.enabled,
      revision: row.updated_at.toISOString(),
    };
  }

  private async row(
    manager: EntityManager,
    organisationId: string,
    forUpdate = false,
  ): Promise<GoogleConnectionRow> {
    const [row] = await manager.query<GoogleConnectionRow[]>(
      `SELECT * FROM google_workspace_connections WHERE organisation_id = $1
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [organisationId],
    );
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, 'No Google Workspace connection.');
    }
    return row;
  }

  private record(
    tx: EntityManager,
    audit: AuditLog,
    row: GoogleConnectionRow,
    actor: AuditActor,
    action: string,
    extra: Record<string, boolean> = {},
  ): Promise<void> {
    return audit.append(tx, {
      organisationId: row.organisation_id,
      actor,
      action,
      target: { type: 'google_workspace_connection', id: row.id },
      details: { pushAuth: row.push_auth, enabled: row.enabled, ...extra },
    });
  }

  private viewOf(row: GoogleConnectionRow, pushToken: string | null = null): GoogleConnectionView {
    const endpoint = this.pushEndpoint(row.id);
    return {
      id: row.id,
      customerId: row.customer_id,
      domain: row.domain,
      adminSubject: row.admin_subject,
      clientEmail: row.client_email,
      privateKeyId: row.private_key_id,
      pubsubTopic: row.pubsub_topic,
      pushAuth: row.push_auth,
      pushEndpoint: pushToken ? `${endpoint}?token=${pushToken}` : endpoint,
      pushAudience: row.push_audience ?? endpoint,
      pushServiceAccount: row.push_service_account,
      enabled: row.enabled,
      directorySyncedAt: row.directory_synced_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      ...(pushToken ? { pushToken } : {}),
    };
  }
}
