import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import {
  type AuditActor,
  AuditLog,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type M365Connection,
  type M365ConnectionChanges,
  type M365ConnectionInput,
  type M365ConnectionView,
} from './m365-connection';
import {
  certificateThumbprint,
  checkCredential,
  checkTenantAndClient,
  type CheckedCredential,
} from './m365-credentials';

export interface M365ConnectionRow {
  id: string;
  organisation_id: string;
  tenant_id: string;
  client_id: string;
  credential_kind: 'secret' | 'certificate';
  credential_ciphertext: Buffer;
  credential_wrapped_key: Buffer;
  credential_key_id: string;
  certificate_pem: string | null;
  client_state_ciphertext: Buffer;
  client_state_wrapped_key: Buffer;
  client_state_key_id: string;
  watch_sent_items: boolean;
  enabled: boolean;
  users_delta_link: string | null;
  groups_delta_link: string | null;
  last_token_ok: boolean | null;
  last_token_at: Date | null;
  last_sync_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const NOT_FOUND = 'This organisation has no Microsoft 365 connection.';
const credentialContext = (organisationId: string) => `m365-credential:${organisationId}`;
const clientStateContext = (organisationId: string) => `m365-client-state:${organisationId}`;

/** The one Microsoft 365 connection of an organisation. Changes are audited (fail closed). */
@Injectable()
export class M365ConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async create(
    organisationId: string,
    input: M365ConnectionInput,
    actor: AuditActor,
  ): Promise<M365ConnectionView> {
    const audit = requireAuditLog(this.audit);
    checkTenantAndClient(input);
    const credential = checkCredential(input);
    const sealedCredential = this.sealCredential(organisationId, credential);
    // Graph echoes it in every notification; 32 random bytes cannot be guessed by a forger.
    const clientState = this.cipher.seal(
      Buffer.from(randomBytes(32).toString('base64url')),
      clientStateContext(organisationId),
    );
    const row = await this.dataSource.transaction(async (tx) => {
      const [created] = await tx.query<M365ConnectionRow[]>(
        `INSERT INTO m365_connections (id, organisation_id, tenant_id, client_id, credential_kind,
           credential_ciphertext, credential_wrapped_key, credential_key_id, certificate_pem,
           client_state_ciphertext, client_state_wrapped_key, client_state_key_id,
           watch_sent_items)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (organisation_id) DO NOTHING RETURNING *`,
        [
          randomUUID(),
          organisationId,
          input.tenantId,
          input.clientId.toLowerCase(),
          credential.kind,
          sealedCredential.ciphertext,
          sealedCredential.wrappedKey,
          sealedCredential.keyId,
          credential.certificatePem,
          clientState.ciphertext,
          clientState.wrappedKey,
          clientState.keyId,
          input.watchSentItems ?? true,
        ],
      );
      if (!created) {
        throw new SealpostError(
          ErrorCode.AlreadyExists,
          'This organisation already has a Microsoft 365 connection; change or remove it.',
        );
      }
      await this.record(tx, audit, created, actor, 'm365_connection.created');
      return created;
    });
    return viewOf(row);
  }

  async view(organisationId: string): Promise<M365ConnectionView> {
    return viewOf(await this.row(this.dataSource.manager, organisationId));
  }

  async update(
    organisationId: string,
    changes: M365ConnectionChanges,
    actor: AuditActor,
  ): Promise<M365ConnectionView> {
    const audit = requireAuditLog(this.audit);
    const credentialChanged = Boolean(
      changes.clientSecret || changes.privateKeyPem || changes.certificatePem,
    );
    const credential = credentialChanged ? checkCredential(changes) : null;
    const sealed = credential ? this.sealCredential(organisationId, credential) : null;
    const row = await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, true);
      const tenantId = changes.tenantId ?? current.tenant_id;
      const clientId = (changes.clientId ?? current.client_id).toLowerCase();
      checkTenantAndClient({ tenantId, clientId });
      // A new tenant or app makes the directory state of the old one meaningless.
      const sameApp = tenantId === current.tenant_id && clientId === current.client_id;
      const [[updated]] = await tx.query<[M365ConnectionRow[], number]>(
        `UPDATE m365_connections SET tenant_id = $2, client_id = $3,
           credential_kind = COALESCE($4, credential_kind),
           credential_ciphertext = COALESCE($5, credential_ciphertext),
           credential_wrapped_key = COALESCE($6, credential_wrapped_key),
           credential_key_id = COALESCE($7, credential_key_id),
           certificate_pem = CASE WHEN $4::text IS NULL THEN certificate_pem ELSE $8 END,
           watch_sent_items = COALESCE($9, watch_sent_items),
           enabled = COALESCE($10, enabled),
           users_delta_link = CASE WHEN $11 THEN users_delta_link END,
           groups_delta_link = CASE WHEN $11 THEN groups_delta_link END,
           last_token_ok = NULL, updated_at = clock_timestamp()
         WHERE organisation_id = $1 RETURNING *`,
        [
          organisationId,
          tenantId,
          clientId,
          credential?.kind ?? null,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
          credential?.certificatePem ?? null,
          changes.watchSentItems ?? null,
          changes.enabled ?? null,
          sameApp,
        ],
      );
      await this.record(tx, audit, updated, actor, 'm365_connection.updated');
      return updated;
    });
    return viewOf(row);
  }

  /** Removes the connection and the directory mirrored through it. */
  async remove(organisationId: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, true);
      for (const table of ['m365_group_members', 'm365_groups', 'm365_users']) {
        await tx.query(`DELETE FROM ${table} WHERE organisation_id = $1`, [organisationId]);
      }
      await tx.query(`DELETE FROM m365_connections WHERE organisation_id = $1`, [organisationId]);
      await this.record(tx, audit, current, actor, 'm365_connection.removed');
    });
  }

  /** The connection with its credential and client state opened; null when there is none. */
  async open(organisationId: string): Promise<M365Connection | null> {
    const [row] = await this.dataSource.query<M365ConnectionRow[]>(
      `SELECT * FROM m365_connections WHERE organisation_id = $1`,
      [organisationId],
    );
    return row ? this.opened(row) : null;
  }

  /** Organisations whose connection is enabled, for the scheduled jobs. */
  async enabledOrganisations(): Promise<string[]> {
    const rows = await this.dataSource.query<{ organisation_id: string }[]>(
      `SELECT organisation_id FROM m365_connections WHERE enabled ORDER BY organisation_id`,
    );
    return rows.map((row) => row.organisation_id);
  }

  /** The client state alone, for checking a notification without opening the credential. */
  async clientState(organisationId: string): Promise<string | null> {
    const [row] = await this.dataSource.query<M365ConnectionRow[]>(
      `SELECT organisation_id, client_state_ciphertext, client_state_wrapped_key,
              client_state_key_id
         FROM m365_connections WHERE organisation_id = $1 AND enabled`,
      [organisationId],
    );
    return row ? this.openClientState(row) : null;
  }

  /** Health facts for the status endpoint; `error` is a code-and-status line, never a body. */
  async recordToken(organisationId: string, ok: boolean, error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE m365_connections SET last_token_ok = $2, last_token_at = clock_timestamp(),
         last_error = COALESCE($3, last_error),
         last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE clock_timestamp() END
       WHERE organisation_id = $1`,
      [organisationId, ok, error ?? null],
    );
  }

  async recordError(organisationId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE m365_connections SET last_error = $2, last_error_at = clock_timestamp()
        WHERE organisation_id = $1`,
      [organisationId, error],
    );
  }

  async row(
    manager: EntityManager,
    organisationId: string,
    forUpdate = false,
  ): Promise<M365ConnectionRow> {
    const [row] = await manager.query<M365ConnectionRow[]>(
      `SELECT * FROM m365_connections WHERE organisation_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [organisationId],
    );
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, NOT_FOUND);
    }
    return row;
  }

  private sealCredential(organisationId: string, credential: CheckedCredential) {
    return this.cipher.seal(Buffer.from(credential.secret), credentialContext(organisationId));
  }

  private openClientState(row: M365ConnectionRow): string {
    return this.cipher
      .open(
        {
          ciphertext: row.client_state_ciphertext,
          wrappedKey: row.client_state_wrapped_key,
          keyId: row.client_state_key_id,
        },
        clientStateContext(row.organisation_id),
      )
      .toString('utf8');
  }

  private opened(row: M365ConnectionRow): M365Connection {
    const secret = this.cipher
      .open(
        {
          ciphertext: row.credential_ciphertext,
          wrappedKey: row.credential_wrapped_key,
          keyId: row.credential_key_id,
        },
        credentialContext(row.organisation_id),
      )
      .toString('utf8');
    return {
      id: row.id,
      organisationId: row.organisation_id,
      tenantId: row.tenant_id,
      clientId: row.client_id,
      credential:
        row.credential_kind === 'secret'
          ? { kind: 'secret', clientSecret: secret }
          : {
              kind: 'certificate',
              privateKeyPem: secret,
              certificatePem: row.certificate_pem ?? '',
            },
      clientState: this.openClientState(row),
      watchSentItems: row.watch_sent_items,
      enabled: row.enabled,
      usersDeltaLink: row.users_delta_link,
      groupsDeltaLink: row.groups_delta_link,
      revision: row.updated_at.toISOString(),
    };
  }

  private record(
    tx: EntityManager,
    audit: AuditLog,
    row: M365ConnectionRow,
    actor: AuditActor,
    action: string,
  ): Promise<void> {
    return audit.append(tx, {
      organisationId: row.organisation_id,
      actor,
      action,
      target: { type: 'm365_connection', id: row.id },
      details: {
        credentialKind: row.credential_kind,
        watchSentItems: row.watch_sent_items,
        enabled: row.enabled,
      },
    });
  }
}

function viewOf(row: M365ConnectionRow): M365ConnectionView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    credentialKind: row.credential_kind,
    certificateThumbprint: row.certificate_pem
      ? certificateThumbprint(row.certificate_pem).toString('hex').toUpperCase()
      : null,
    watchSentItems: row.watch_sent_items,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
