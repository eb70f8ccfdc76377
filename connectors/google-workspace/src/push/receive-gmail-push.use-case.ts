import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, safeErrorFields, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { GoogleWorkspaceJobs } from '../jobs/google-workspace-jobs.service';
import { PushAuthenticator } from './push-authenticator';
import { readGmailNotification } from './pubsub-push';

export interface PushRequest {
  connectionId: string;
  authorization?: string;
  token?: string;
  body: unknown;
}

/**
 * Takes a Gmail notification pushed by Pub/Sub: checks who sent it, keeps the announced
 * history id on the mailbox (durable before the 2xx that acknowledges it), and hands the read
 * to the worker. A push for an address Sealpost does not watch is acknowledged and dropped.
 */
@Injectable()
export class ReceiveGmailPushUseCase {
  private readonly logger = new Logger(ReceiveGmailPushUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly authenticator: PushAuthenticator,
    private readonly jobs: GoogleWorkspaceJobs,
  ) {}

  async execute(request: PushRequest): Promise<void> {
    if (!request.authorization && !request.token) {
      throw new SealpostError(ErrorCode.Unauthenticated, 'A push credential is required.');
    }
    const connection = await this.connections.openById(request.connectionId);
    if (!connection) {
      throw new SealpostError(ErrorCode.NotFound, 'No such Google Workspace connection.');
    }
    await this.authenticator.verify(connection, request.authorization, request.token);
    const notification = readGmailNotification(request.body);

    const [[mailbox]] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE google_mailboxes SET
         notified_history_id = GREATEST(COALESCE(notified_history_id, 0), $3::numeric)
       WHERE organisation_id = $1 AND connection_id = $2 AND lower(address) = $4
       RETURNING id`,
      [connection.organisationId, connection.id, notification.historyId, notification.emailAddress],
    );
    if (!mailbox || !connection.enabled) {
      return;
    }
    try {
      await this.jobs.checkSent(connection.organisationId, mailbox.id, notification.historyId);
    } catch (error) {
      // The position is stored; the hourly maintenance hands the read over if Redis lost it.
      this.logger.warn(
        {
          organisationId: connection.organisationId,
          mailboxId: mailbox.id,
          err: safeErrorFields(error),
        },
        'gmail push kept; read not queued',
      );
    }
  }
}
