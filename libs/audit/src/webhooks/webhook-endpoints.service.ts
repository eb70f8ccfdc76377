import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type AuthContext, EnvelopeCipher, type SealedValue } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { webhookNotFound, webhookUrlRefused } from './webhook-errors';
import { generateWebhookSecret, type WebhookSigning } from './webhook-secrets';
import { WebhookUrlGuard } from './webhook-url-guard';

// Long enough for a receiver to deploy the new secret during working hours, short enough
// that a leaked old secret stops working the next day.
export const SECRET_ROTATION_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface CreateWebhookEndpointCommand {
  url: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
  signing?: WebhookSigning;
}

export type UpdateWebhookEndpointCommand = Partial<
  Pick<CreateWebhookEndpointCommand, 'url' | 'description' | 'eventTypes' | 'enabled'>
>;

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  signing: WebhookSigning;
  /** whpk_ key receivers verify v1a signatures with; null for HMAC endpoints. */
  publicKey: string | null;
  /** Until then signatures are also made with the secret replaced by the last rotation. */
  previousSecretValidUntil: string | null;
  disabledReason: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Returned by create and rotate only: the whsec_ secret is never shown again. Ed25519
 * endpoints show null: their whsk_ key never leaves Sealpost, receivers need only publicKey.
 */
export type WebhookEndpointWithSecret = WebhookEndpointView & { secret: string | null };

interface EndpointRow {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  signing: WebhookSigning;
  public_key: string | null;
  previous_secret_expires_at: Date | null;
  disabled_reason: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const VIEW_COLUMNS = `id, url, description, event_types, enabled, signing, public_key,
  previous_secret_expires_at, disabled_reason, disabled_at, created_at, updated_at`;

/** Endpoints of one organisation: every query takes the caller's organisation id. */
@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly clock: Clock,
  ) {}

  async create(
    caller: AuthContext,
    command: CreateWebhookEndpointCommand,
  ): Promise<WebhookEndpointWithSecret> {
    await this.assertUrlAllowed(command.url);

    const id = randomUUID();
    const signing = command.signing ?? 'hmac-sha256';
    const generated = generateWebhookSecret(signing);
    const sealed = this.seal(caller.organisationId, id, generated.secret);
    const [row] = await this.dataSource.query<EndpointRow[]>(
      `INSERT INTO webhook_endpoints (id, organisation_id, url, description, event_types,
         enabled, signing, secret_ciphertext, secret_wrapped_key, secret_key_id, public_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING ${VIEW_COLUMNS}`,
      [
        id,
        caller.organisationId,
        command.url,
        command.description ?? '',
        command.eventTypes ?? [],
        command.enabled ?? true,
        signing,
        sealed.ciphertext,
        sealed.wrappedKey,
        sealed.keyId,
        generated.publicKey,
      ],
    );
    this.logger.log({ organisationId: caller.organisationId, endpointId: id }, 'webhook created');
    return { ...viewOf(row), secret: shownSecret(signing, generated.secret) };
  }

  async list(caller: AuthContext): Promise<WebhookEndpointView[]> {
    const rows = await this.dataSource.query<EndpointRow[]>(
      `SELECT ${VIEW_COLUMNS} FROM webhook_endpoints WHERE organisation_id = $1
        ORDER BY created_at, id`,
      [caller.organisationId],
    );
    return rows.map(viewOf);
  }

  async get(caller: AuthContext, id: string): Promise<WebhookEndpointView> {
    const [row] = await this.dataSource.query<EndpointRow[]>(
      `SELECT ${VIEW_COLUMNS} FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2`,
      [caller.organisationId, id],
    );
    if (!row) {
      throw webhookNotFound();
    }
    return viewOf(row);
  }

  /** Re-enabling an endpoint clears the reason it was disabled. */
  async update(
    caller: AuthContext,
    id: string,
    command: UpdateWebhookEndpointCommand,
  ): Promise<WebhookEndpointView> {
    await this.get(caller, id);
    if (command.url !== undefined) {
      await this.assertUrlAllowed(command.url);
    }
    const [rows] = await this.dataSource.query<[EndpointRow[], number]>(
      `UPDATE webhook_endpoints
          SET url = coalesce($3, url), description = coalesce($4, description),
              event_types = coalesce($5, event_types), enabled = coalesce($6, enabled),
              disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END,
              disabled_at = CASE WHEN $6 THEN NULL ELSE disabled_at END,
              updated_at = now()
        WHERE organisation_id = $1 AND id = $2
        RETURNING ${VIEW_COLUMNS}`,
      [
        caller.organisationId,
        id,
        command.url ?? null,
        command.description ?? null,
        command.eventTypes ?? null,
        command.enabled ?? null,
      ],
    );
    if (!rows[0]) {
      throw webhookNotFound();
    }
    this.logger.log({ organisationId: caller.organisationId, endpointId: id }, 'webhook updated');
    return viewOf(rows[0]);
  }

  async remove(caller: AuthContext, id: string): Promise<void> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2`,
      [caller.organisationId, id],
    );
    if (!count) {
      throw webhookNotFound();
    }
    this.logger.log({ organisationId: caller.organisationId, endpointId: id }, 'webhook deleted');
  }

  /**
   * A new secret; the replaced one keeps signing for SECRET_ROTATION_WINDOW_MS, so receivers
   * can switch without losing an event. A second rotation inside the window drops the oldest.
   */
  async rotateSecret(caller: AuthContext, id: string): Promise<WebhookEndpointWithSecret> {
    const current = await this.get(caller, id);
    const generated = generateWebhookSecret(current.signing);
    const sealed = this.seal(caller.organisationId, id, generated.secret);
    const validUntil = new Date(this.clock.now().getTime() + SECRET_ROTATION_WINDOW_MS);
    const [rows] = await this.dataSource.query<[EndpointRow[], number]>(
      `UPDATE webhook_endpoints
          SET previous_secret_ciphertext = secret_ciphertext,
              previous_secret_wrapped_key = secret_wrapped_key,
              previous_secret_key_id = secret_key_id,
              previous_public_key = public_key,
              previous_secret_expires_at = $3,
              secret_ciphertext = $4, secret_wrapped_key = $5, secret_key_id = $6,
              public_key = $7, updated_at = now()
        WHERE organisation_id = $1 AND id = $2
        RETURNING ${VIEW_COLUMNS}`,
      [
        caller.organisationId,
        id,
        validUntil,
        sealed.ciphertext,
        sealed.wrappedKey,
        sealed.keyId,
        generated.publicKey,
      ],
    );
    if (!rows[0]) {
      throw webhookNotFound();
    }
    this.logger.log(
      { organisationId: caller.organisationId, endpointId: id },
      'webhook secret rotated',
    );
    return { ...viewOf(rows[0]), secret: shownSecret(current.signing, generated.secret) };
  }

  private async assertUrlAllowed(url: string): Promise<void> {
    const check = await this.urlGuard.check(url);
    if (!check.allowed) {
      throw webhookUrlRefused(check.reason);
    }
  }

  private seal(organisationId: string, endpointId: string, secret: string): SealedValue {
    return this.cipher.seal(Buffer.from(secret, 'utf8'), secretContext(organisationId, endpointId));
  }
}

/** Binds a sealed secret to its endpoint; current and previous share it, as one row moves. */
export function secretContext(organisationId: string, endpointId: string): string {
  return `webhook-secret:${organisationId}:${endpointId}`;
}

function shownSecret(signing: WebhookSigning, secret: string): string | null {
  return signing === 'hmac-sha256' ? secret : null;
}

function viewOf(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    signing: row.signing,
    publicKey: row.public_key,
    previousSecretValidUntil: row.previous_secret_expires_at
      ? new Date(row.previous_secret_expires_at).toISOString()
      : null,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
