import { randomBytes } from 'node:crypto';
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
  type AppointmentTriggerInput,
  type AppointmentTriggerView,
  DEFAULT_APPOINTMENT_SEARCH,
  DEFAULT_POLL_INTERVAL_SECONDS,
  MAX_POLL_INTERVAL_SECONDS,
  MIN_POLL_INTERVAL_SECONDS,
  RESERVED_SEARCH_PARAMETERS,
} from './appointment-trigger';

export interface TriggerRow {
  connection_id: string;
  organisation_id: string;
  workflow_id: string;
  search: string;
  polling: boolean;
  poll_interval_seconds: number;
  secret_ciphertext: Buffer | null;
  secret_wrapped_key: Buffer | null;
  secret_key_id: string | null;
  cursor: string | null;
  next_poll_at: Date;
  last_polled_at: Date | null;
  last_poll_error: string | null;
  last_poll_seen: number | null;
  last_notification_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const notificationSecretContext = (organisationId: string, connectionId: string) =>
  `fhir-notification-secret:${organisationId}:${connectionId}`;

const NOT_FOUND = 'No appointment trigger on this FHIR connection.';

/**
 * Which workflow a connection's appointments start, how the EHR is polled, and the secret
 * its Subscription notifications carry (sealed; shown once). Changes are audited.
 */
@Injectable()
export class AppointmentTriggersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  /** Creates or replaces the trigger; a secret is made on creation and on `rotateSecret`. */
  async configure(
    organisationId: string,
    connectionId: string,
    input: AppointmentTriggerInput,
    actor: AuditActor,
  ): Promise<AppointmentTriggerView> {
    const audit = requireAuditLog(this.audit);
    const search = checkedSearch(input.search ?? DEFAULT_APPOINTMENT_SEARCH);
    const interval = checkedInterval(input.pollIntervalSeconds);
    return this.dataSource.transaction(async (tx) => {
      await this.mustExist(tx, organisationId, connectionId, input.workflowId);
      const [current] = await tx.query<TriggerRow[]>(
        `SELECT * FROM fhir_appointment_triggers
          WHERE organisation_id = $1 AND connection_id = $2 FOR UPDATE`,
        [organisationId, connectionId],
      );
      const secret =
        !current || input.rotateSecret ? `spn_${randomBytes(32).toString('base64url')}` : null;
      const sealed = secret
        ? this.cipher.seal(
            Buffer.from(secret),
            notificationSecretContext(organisationId, connectionId),
          )
        : null;
      const [row] = await tx.query<TriggerRow[]>(
        `INSERT INTO fhir_appointment_triggers (connection_id, organisation_id, workflow_id,
           search, polling, poll_interval_seconds, secret_ciphertext, secret_wrapped_key,
           secret_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (connection_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
           search = EXCLUDED.search, polling = EXCLUDED.polling,
           poll_interval_seconds = EXCLUDED.poll_interval_seconds,
           secret_ciphertext = COALESCE(EXCLUDED.secret_ciphertext,
                                        fhir_appointment_triggers.secret_ciphertext),
           secret_wrapped_key = COALESCE(EXCLUDED.secret_wrapped_key,
                                         fhir_appointment_triggers.secret_wrapped_key),
           secret_key_id = COALESCE(EXCLUDED.secret_key_id,
                                    fhir_appointment_triggers.secret_key_id),
           -- A changed search starts over; the appointments seen before stay remembered.
           cursor = CASE WHEN fhir_appointment_triggers.search = EXCLUDED.search
                         THEN fhir_appointment_triggers.cursor END,
           next_poll_at = now(), updated_at = now()
         RETURNING *`,
        [
          connectionId,
          organisationId,
          input.workflowId,
          search,
          input.polling ?? true,
          interval,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
        ],
      );
      await audit.append(tx, {
        organisationId,
        actor,
        action: current ? 'fhir_appointment_trigger.updated' : 'fhir_appointment_trigger.created',
        target: { type: 'fhir_connection', id: connectionId },
        details: {
          workflowId: row.workflow_id,
          polling: row.polling,
          pollIntervalSeconds: row.poll_interval_seconds,
          secretRotated: secret !== null && current !== undefined,
        },
      });
      return {
        ...appointmentTriggerViewOf(row),
        ...(secret ? { notificationSecret: secret } : {}),
      };
    });
  }

  async view(organisationId: string, connectionId: string): Promise<AppointmentTriggerView> {
    const row = await this.find(organisationId, connectionId);
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, NOT_FOUND);
    }
    return appointmentTriggerViewOf(row);
  }

  /** The trigger of a connection, or null; for the connection's status. */
  async find(organisationId: string, connectionId: string): Promise<TriggerRow | null> {
    const [row] = await this.dataSource.query<TriggerRow[]>(
      `SELECT * FROM fhir_appointment_triggers WHERE organisation_id = $1 AND connection_id = $2`,
      [organisationId, connectionId],
    );
    return row ?? null;
  }

  async remove(organisationId: string, connectionId: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const [, count] = await tx.query<[unknown[], number]>(
        `DELETE FROM fhir_appointment_triggers WHERE organisation_id = $1 AND connection_id = $2`,
        [organisationId, connectionId],
      );
      if (!count) {
        throw new SealpostError(ErrorCode.NotFound, NOT_FOUND);
      }
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'fhir_appointment_trigger.removed',
        target: { type: 'fhir_connection', id: connectionId },
        details: {},
      });
    });
  }

  private async mustExist(
    tx: EntityManager,
    organisationId: string,
    connectionId: string,
    workflowId: string,
  ): Promise<void> {
    const [found] = await tx.query<{ connection: boolean; workflow: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM fhir_connections WHERE organisation_id = $1 AND id = $2)
                AS connection,
              EXISTS (SELECT 1 FROM workflows WHERE organisation_id = $1 AND id = $3
                         AND status <> 'archived') AS workflow`,
      [organisationId, connectionId, workflowId],
    );
    if (!found.connection) {
      throw new SealpostError(ErrorCode.NotFound, 'No such FHIR connection.');
    }
    if (!found.workflow) {
      throw new SealpostError(ErrorCode.InvalidValue, 'workflowId names no active workflow.');
    }
  }
}

/** A query string of Appointment search parameters, without the ones Sealpost sets. */
function checkedSearch(search: string): string {
  const trimmed = search.trim().replace(/^\?/, '');
  if (trimmed.length > 500) {
    throw new SealpostError(ErrorCode.InvalidValue, 'search must be at most 500 characters.');
  }
  const params = new URLSearchParams(trimmed);
  for (const [name] of params) {
    if (!/^[A-Za-z_][A-Za-z0-9_\-.:]*$/.test(name)) {
      throw new SealpostError(ErrorCode.InvalidValue, 'search holds a malformed parameter name.');
    }
    if (RESERVED_SEARCH_PARAMETERS.includes(name)) {
      throw new SealpostError(
        ErrorCode.InvalidValue,
        `search must not set ${RESERVED_SEARCH_PARAMETERS.join(', ')}: Sealpost sets them.`,
      );
    }
  }
  return params.toString();
}

function checkedInterval(seconds: number | undefined): number {
  const interval = seconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
  if (
    !Number.isInteger(interval) ||
    interval < MIN_POLL_INTERVAL_SECONDS ||
    interval > MAX_POLL_INTERVAL_SECONDS
  ) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      `pollIntervalSeconds must be a whole number from ${MIN_POLL_INTERVAL_SECONDS} to ` +
        `${MAX_POLL_INTERVAL_SECONDS}.`,
    );
  }
  return interval;
}

export function appointmentTriggerViewOf(row: TriggerRow): AppointmentTriggerView {
  return {
    connectionId: row.connection_id,
    workflowId: row.workflow_id,
    search: row.search,
    polling: row.polling,
    pollIntervalSeconds: row.poll_interval_seconds,
    notificationPath: `/fhir/notifications/${row.connection_id}`,
    status: {
      cursor: row.cursor,
      lastPolledAt: row.last_polled_at?.toISOString() ?? null,
      nextPollAt: row.polling ? row.next_poll_at.toISOString() : null,
      lastError: row.last_poll_error,
      lastSeen: row.last_poll_seen,
      lastNotificationAt: row.last_notification_at?.toISOString() ?? null,
    },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
