import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  type AuditDetails,
  AuditLog,
  type AuthContext,
  EnvelopeCipher,
  requireAuditLog,
  type SealedValue,
} from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource, type EntityManager } from 'typeorm';
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

const INSERT_ENDPOINT = `
  INSERT INTO webhook_endpoints (id, organisation_id, url, description, event_types, enabled,
    signing, secret_ciphertext, secret_wrapped_key, secret_key_id, public_key)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  RETURNING ${VIEW_COLUMNS}`;

// Absent fields (null) keep their value; enabling clears the reason of an earlier disabling.
const UPDATE_ENDPOINT = `
  UPDATE webhook_endpoints
     SET url = coalesce($3, url), description = coalesce($4, description),
         event_types = coalesce($5, event_types), enabled = coalesce($6, enabled),
         disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END,
         disabled_at = CASE WHEN $6 THEN NULL ELSE disabled_at END,
         updated_at = now()
   WHERE organisation_id = $1 AND id = $2
  RETURNING ${VIEW_COLUMNS}`;

// The current secret becomes the previous one, within one row, so both share one binding.
const ROTATE_SECRET = `
  UPDATE webhook_endpoints
     SET previous_secret_ciphertext = secret_ciphertext,
         previous_secret_wrapped_key = secret_wrapped_key,
         previous_secret_key_id = secret_key_id,
         previous_public_key = public_key,
         previous_secret_expires_at = $3,
         secret_ciphertext = $4, secret_wrapped_key = $5, secret_key_id = $6,
         public_key = $7, updated_at = now()
   WHERE organisation_id = $1 AND id = $2
  RETURNING ${VIEW_COLUMNS}`;

/** Endpoints of one organisation: every query takes the caller's organisation id. */
@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
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
    const details = {
      signing,
      eventTypes: (command.eventTypes ?? []).join(' '),
      enabled: command.enabled ?? true,
    };
    const row = await this.audited(caller, id, 'created', details, async (tx) => {
      const [created] = await tx.query<EndpointRow[]>(INSERT_ENDPOINT, [
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
      ]);
      return created;
    });
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

    const fields = Object.entries(command)
      .filter(([, value]) => value !== undefined)
      .map(([field]) => field)
      .sort();
    const details = { fields: fields.join(' '), enabled: command.enabled ?? null };
    const row = await this.audited(caller, id, 'updated', details, async (tx) => {
      const [[updated]] = await tx.query<[EndpointRow[], number]>(UPDATE_ENDPOINT, [
        caller.organisationId,
        id,
        command.url ?? null,
        command.description ?? null,
        command.eventTypes ?? null,
        command.enabled ?? null,
      ]);
      return updated;
    });
    this.logger.log({ organisationId: caller.organisationId, endpointId: id }, 'webhook updated');
    return viewOf(row);
  }

  async remove(caller: AuthContext, id: string): Promise<void> {
    await this.audited(caller, id, 'deleted', {}, async (tx) => {
      const [[deleted]] = await tx.query<[{ id: string }[], number]>(
        `DELETE FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2 RETURNING id`,
        [caller.organisationId, id],
      );
      return deleted;
    });
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
    const details = { previousSecretValidUntil: validUntil.toISOString() };
    const row = await this.audited(caller, id, 'secret_rotated', details, async (tx) => {
      const [[rotated]] = await tx.query<[EndpointRow[], number]>(ROTATE_SECRET, [
        caller.organisationId,
        id,
        validUntil,
        sealed.ciphertext,
        sealed.wrappedKey,
        sealed.keyId,
        generated.publicKey,
      ]);
      return rotated;
    });
    this.logger.log(
      { organisationId: caller.organisationId, endpointId: id },
      'webhook secret rotated',
    );
    return { ...viewOf(row), secret: shownSecret(current.signing, generated.secret) };
  }

  /**
   * Runs a change and its audit record in one transaction: no change without its record (the
   * audit log fails closed), and no record when the row was not there (404, rolled back).
   * Details hold flags and field names, never the URL.
   */
  private async audited<T>(
    caller: AuthContext,
    endpointId: string,
    verb: string,
    details: AuditDetails,
    change: (tx: EntityManager) => Promise<T | undefined>,
  ): Promise<T> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const result = await change(tx);
      if (result === undefined) {
        throw webhookNotFound();
      }
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: `webhook_endpoint.${verb}`,
        target: { type: 'webhook_endpoint', id: endpointId },
        details,
      });
      return result;
    });
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
