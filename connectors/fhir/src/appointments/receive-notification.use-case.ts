import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EnvelopeCipher, ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { FhirClientFactory } from '../connections/fhir-client.factory';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { FhirFailure, fhirFailureOf } from '../fhir-connector-error';
import { AppointmentIntakeUseCase, type IntakeOutcome } from './appointment-intake.use-case';
import { notificationSecretContext } from './appointment-triggers.service';
import {
  type NotificationType,
  NotificationShapeError,
  readSubscriptionNotification,
} from './subscription-notification';

export interface NotificationReceipt {
  type: NotificationType;
  /** Appointments applied, by what each did. */
  outcomes: Partial<Record<IntakeOutcome, number>>;
}

interface SecretRow {
  organisation_id: string;
  workflow_id: string;
  search: string;
  cursor: string | null;
  secret_ciphertext: Buffer | null;
  secret_wrapped_key: Buffer | null;
  secret_key_id: string | null;
  enabled: boolean;
}

const REFUSED = 'The notification secret is missing or wrong.';

/**
 * A rest-hook Subscription notification from an EHR, for one connection. The secret the
 * admin put in the Subscription's channel.header is checked first (constant time), before
 * the body is read. Handshakes and heartbeats are answered; event notifications apply each
 * Appointment, fetching the ones sent as ids. The answer comes after everything is applied,
 * so a failure makes the EHR send again rather than losing the event.
 */
@Injectable()
export class ReceiveNotificationUseCase {
  private readonly logger = new Logger(ReceiveNotificationUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly connections: FhirConnectionsService,
    private readonly clients: FhirClientFactory,
    private readonly intake: AppointmentIntakeUseCase,
  ) {}

  async execute(
    connectionId: string,
    presentedSecret: string | undefined,
    body: unknown,
  ): Promise<NotificationReceipt> {
    const [row] = await this.dataSource.query<SecretRow[]>(
      `SELECT t.organisation_id, t.workflow_id, t.search, t.cursor, t.secret_ciphertext,
              t.secret_wrapped_key, t.secret_key_id, c.enabled
         FROM fhir_appointment_triggers t JOIN fhir_connections c ON c.id = t.connection_id
        WHERE t.connection_id = $1`,
      [connectionId],
    );
    // An unknown connection and a wrong secret answer alike: nothing tells a caller without
    // the secret which connection ids exist.
    if (!row || !presentedSecret || !this.secretMatches(connectionId, row, presentedSecret)) {
      throw new SealpostError(ErrorCode.Unauthenticated, REFUSED);
    }
    if (!row.enabled) {
      throw new SealpostError(ErrorCode.InvalidState, 'This FHIR connection is disabled.');
    }
    let notification;
    try {
      notification = readSubscriptionNotification(body);
    } catch (error) {
      if (error instanceof NotificationShapeError) {
        throw new SealpostError(ErrorCode.InvalidValue, error.message);
      }
      throw error;
    }
    const trigger = {
      connectionId,
      organisationId: row.organisation_id,
      workflowId: row.workflow_id,
      search: row.search,
      cursor: row.cursor,
    };
    await this.dataSource.query(
      `UPDATE fhir_appointment_triggers SET last_notification_at = now()
        WHERE organisation_id = $1 AND connection_id = $2`,
      [row.organisation_id, connectionId],
    );
    const outcomes: NotificationReceipt['outcomes'] = {};
    if (notification.type !== 'event-notification') {
      return { type: notification.type, outcomes };
    }
    const count = (outcome: IntakeOutcome) => {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    };
    for (const appointment of notification.appointments) {
      count(await this.intake.execute(trigger, appointment));
    }
    for (const resource of await this.fetch(trigger, notification.appointmentIds)) {
      count(await this.intake.execute(trigger, resource));
    }
    this.logger.log(
      { organisationId: row.organisation_id, connectionId, type: notification.type, outcomes },
      'fhir notification received',
    );
    return { type: notification.type, outcomes };
  }

  /** The Appointments named by id, read from the EHR with the connection's credentials. */
  private async fetch(
    trigger: { organisationId: string; connectionId: string },
    ids: string[],
  ): Promise<unknown[]> {
    if (!ids.length) {
      return [];
    }
    const connection = await this.connections.open(trigger.organisationId, trigger.connectionId);
    const resources: unknown[] = [];
    try {
      const client = await this.clients.authorised(connection);
      for (const id of ids) {
        resources.push(await client.read({ resourceType: 'Appointment', id }));
      }
    } catch (error) {
      const failure = fhirFailureOf(error);
      if (failure.failure === FhirFailure.AuthRefused) {
        this.clients.refused(connection);
      }
      this.logger.warn(
        {
          organisationId: trigger.organisationId,
          connectionId: trigger.connectionId,
          failure: failure.failure,
          httpStatus: failure.httpStatus,
        },
        'fhir notification: reading an appointment failed',
      );
      // 503: the EHR keeps the notification and sends it again.
      throw new SealpostError(
        ErrorCode.ServiceUnavailable,
        'The EHR could not be read back for this notification; send it again later.',
      );
    }
    return resources;
  }

  private secretMatches(connectionId: string, row: SecretRow, presented: string): boolean {
    if (!row.secret_ciphertext || !row.secret_wrapped_key || !row.secret_key_id) {
      return false;
    }
    const secret = this.cipher.open(
      {
        ciphertext: row.secret_ciphertext,
        wrappedKey: row.secret_wrapped_key,
        keyId: row.secret_key_id,
      },
      notificationSecretContext(row.organisation_id, connectionId),
    );
    // Digests of equal length, so the comparison takes as long whatever was presented.
    const expected = createHash('sha256').update(secret).digest();
    const given = createHash('sha256').update(presented, 'utf8').digest();
    return timingSafeEqual(expected, given);
  }
}
