import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { isWebhookEventFilter } from '@sealpost/audit';
import {
  type AuditActor,
  AuditLog,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { FhirSigningKeysService } from '../smart/fhir-signing-keys.service';
import { type FhirCapabilities } from './fhir-capabilities';
import {
  DEFAULT_SMART_SCOPE,
  type FhirConnection,
  type FhirConnectionChanges,
  type FhirConnectionInput,
  type FhirConnectionView,
} from './fhir-connection';

interface ConnectionRow {
  id: string;
  organisation_id: string;
  name: string;
  base_url: string;
  auth_mode: FhirConnection['authMode'];
  client_id: string | null;
  scope: string | null;
  token_ciphertext: Buffer | null;
  token_wrapped_key: Buffer | null;
  token_key_id: string | null;
  event_types: string[];
  include_content: boolean;
  enabled: boolean;
  capabilities: FhirCapabilities | null;
  capabilities_checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const tokenContext = (organisationId: string, id: string) =>
  `fhir-connection-token:${organisationId}:${id}`;

/** Connections from an organisation to its EHRs. Changes are audited (fail closed). */
@Injectable()
export class FhirConnectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly keys: FhirSigningKeysService,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async create(
    organisationId: string,
    input: FhirConnectionInput,
    actor: AuditActor,
  ): Promise<FhirConnectionView> {
    const audit = requireAuditLog(this.audit);
    const settings = checked({ ...input, eventTypes: input.eventTypes ?? [] });
    const id = randomUUID();
    const row = await this.dataSource.transaction(async (tx) => {
      const sealed = input.bearerToken
        ? this.cipher.seal(Buffer.from(input.bearerToken), tokenContext(organisationId, id))
        : null;
      const [created] = await tx.query<ConnectionRow[]>(
        `INSERT INTO fhir_connections (id, organisation_id, name, base_url, auth_mode, client_id,
           scope, token_ciphertext, token_wrapped_key, token_key_id, event_types, include_content)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [
          id,
          organisationId,
          input.name.trim().slice(0, 200) || 'EHR',
          settings.baseUrl,
          input.authMode,
          input.clientId ?? null,
          input.scope ?? null,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
          settings.eventTypes,
          input.includeContent ?? false,
        ],
      );
      if (input.authMode === 'smart-backend') {
        await this.keys.ensureOne(tx, organisationId);
      }
      await this.record(tx, audit, created, actor, 'fhir_connection.created');
      return created;
    });
    return viewOf(row);
  }

  async list(organisationId: string): Promise<FhirConnectionView[]> {
    const rows = await this.dataSource.query<ConnectionRow[]>(
      `SELECT * FROM fhir_connections WHERE organisation_id = $1 ORDER BY created_at, id`,
      [organisationId],
    );
    return rows.map(viewOf);
  }

  async view(organisationId: string, id: string): Promise<FhirConnectionView> {
    return viewOf(await this.row(this.dataSource.manager, organisationId, id));
  }

  async update(
    organisationId: string,
    id: string,
    changes: FhirConnectionChanges,
    actor: AuditActor,
  ): Promise<FhirConnectionView> {
    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, id, true);
      const next = checked({
        authMode: current.auth_mode,
        baseUrl: changes.baseUrl ?? current.base_url,
        clientId: changes.clientId ?? current.client_id ?? undefined,
        bearerToken: changes.bearerToken ?? (current.token_ciphertext ? 'kept' : undefined),
        eventTypes: changes.eventTypes ?? current.event_types,
      });
      const sealed = changes.bearerToken
        ? this.cipher.seal(Buffer.from(changes.bearerToken), tokenContext(organisationId, id))
        : null;
      // An UPDATE answers [rows, count] through TypeORM's pg driver.
      const [[updated]] = await tx.query<[ConnectionRow[], number]>(
        `UPDATE fhir_connections SET
           name = COALESCE($3, name), base_url = $4, client_id = $5, scope = COALESCE($6, scope),
           token_ciphertext = COALESCE($7, token_ciphertext),
           token_wrapped_key = COALESCE($8, token_wrapped_key),
           token_key_id = COALESCE($9, token_key_id), event_types = $10,
           include_content = COALESCE($11, include_content), enabled = COALESCE($12, enabled),
           capabilities = CASE WHEN $4 = base_url THEN capabilities END,
           updated_at = clock_timestamp()
         WHERE organisation_id = $1 AND id = $2 RETURNING *`,
        [
          organisationId,
          id,
          changes.name?.trim().slice(0, 200) || null,
          next.baseUrl,
          next.clientId ?? null,
          changes.scope ?? null,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
          next.eventTypes,
          changes.includeContent ?? null,
          changes.enabled ?? null,
        ],
      );
      await this.record(tx, audit, updated, actor, 'fhir_connection.updated');
      return updated;
    });
    return viewOf(row);
  }

  async remove(organisationId: string, id: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const current = await this.row(tx, organisationId, id, true);
      await tx.query(`DELETE FROM fhir_connections WHERE organisation_id = $1 AND id = $2`, [
        organisationId,
        id,
      ]);
      await this.record(tx, audit, current, actor, 'fhir_connection.removed');
    });
  }

  /** The connection with its token opened, for the sync and the connection test. */
  async open(organisationId: string, id: string): Promise<FhirConnection> {
    const row = await this.row(this.dataSource.manager, organisationId, id);
    const bearerToken =
      row.token_ciphertext && row.token_wrapped_key && row.token_key_id
        ? this.cipher
            .open(
              {
                ciphertext: row.token_ciphertext,
                wrappedKey: row.token_wrapped_key,
                keyId: row.token_key_id,
              },
              tokenContext(organisationId, id),
            )
            .toString('utf8')
        : null;
    return {
      id: row.id,
      organisationId: row.organisation_id,
      baseUrl: row.base_url,
      authMode: row.auth_mode,
      clientId: row.client_id,
      scope: row.scope ?? DEFAULT_SMART_SCOPE,
      bearerToken,
      eventTypes: row.event_types,
      includeContent: row.include_content,
      enabled: row.enabled,
      capabilities: row.capabilities,
      revision: row.updated_at.toISOString(),
    };
  }

  /** What the last connection test found; kept without an audit record (it reads, not acts). */
  async recordCapabilities(
    organisationId: string,
    id: string,
    capabilities: FhirCapabilities,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE fhir_connections SET capabilities = $3, capabilities_checked_at = now()
        WHERE organisation_id = $1 AND id = $2`,
      [organisationId, id, JSON.stringify(capabilities)],
    );
  }

  private async row(
    manager: EntityManager,
    organisationId: string,
    id: string,
    forUpdate = false,
  ): Promise<ConnectionRow> {
    const [row] = await manager.query<ConnectionRow[]>(
      `SELECT * FROM fhir_connections WHERE organisation_id = $1 AND id = $2
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [organisationId, id],
    );
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, 'No such FHIR connection.');
    }
    return row;
  }

  private record(
    tx: EntityManager,
    audit: AuditLog,
    row: ConnectionRow,
    actor: AuditActor,
    action: string,
  ): Promise<void> {
    return audit.append(tx, {
      organisationId: row.organisation_id,
      actor,
      action,
      target: { type: 'fhir_connection', id: row.id },
      details: {
        authMode: row.auth_mode,
        includeContent: row.include_content,
        enabled: row.enabled,
      },
    });
  }
}

interface CheckedSettings {
  authMode: FhirConnection['authMode'];
  baseUrl: string;
  clientId?: string;
  bearerToken?: string;
  eventTypes: string[];
}

/** The rules a connection must keep after any change; each failure says which field. */
function checked(settings: CheckedSettings): CheckedSettings {
  let url: URL;
  try {
    url = new URL(settings.baseUrl);
  } catch {
    throw new SealpostError(ErrorCode.InvalidValue, 'baseUrl must be an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SealpostError(ErrorCode.InvalidValue, 'baseUrl must be an http(s) URL.');
  }
  if (settings.authMode === 'smart-backend' && !settings.clientId) {
    throw new SealpostError(ErrorCode.MissingValue, 'clientId is required for smart-backend.');
  }
  if (settings.authMode === 'bearer' && !settings.bearerToken) {
    throw new SealpostError(ErrorCode.MissingValue, 'bearerToken is required for bearer auth.');
  }
  const unknown = settings.eventTypes.filter((type) => !isWebhookEventFilter(type));
  if (unknown.length) {
    throw new SealpostError(ErrorCode.InvalidValue, `Unknown event type: ${unknown[0]}.`);
  }
  return { ...settings, baseUrl: url.toString().replace(/\/+$/, '') };
}

function viewOf(row: ConnectionRow): FhirConnectionView {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    authMode: row.auth_mode,
    clientId: row.client_id,
    scope: row.scope,
    hasBearerToken: row.token_ciphertext !== null,
    eventTypes: row.event_types,
    includeContent: row.include_content,
    enabled: row.enabled,
    capabilities: row.capabilities,
    capabilitiesCheckedAt: row.capabilities_checked_at?.toISOString() ?? null,
    jwksPath: `/fhir/jwks/${row.organisation_id}`,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
