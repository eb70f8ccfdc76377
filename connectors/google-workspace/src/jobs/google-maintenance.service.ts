import { Injectable, Logger } from '@nestjs/common';
import { Clock, safeErrorFields } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { MailboxWatchService } from '../gmail/mailbox-watch.service';
import { GoogleWorkspaceJobs } from './google-workspace-jobs.service';

// The directory is read in full once a day; an admin can ask for a sync at any time.
const DIRECTORY_SYNC_EVERY_MS = 24 * 3600 * 1000;

/**
 * The hourly pass over every enabled connection: a directory sync when the last is a day old,
 * watch renewals that are due, and a history read for each mailbox a push announced that no
 * job has read yet (Redis lost the job, or it failed every attempt) or whose undecided sent
 * messages are due to be judged.
 */
@Injectable()
export class GoogleMaintenanceService {
  private readonly logger = new Logger(GoogleMaintenanceService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly watches: MailboxWatchService,
    private readonly jobs: GoogleWorkspaceJobs,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<void> {
    for (const { id, organisationId } of await this.connections.enabledOnes()) {
      try {
        await this.maintain(organisationId);
      } catch (error) {
        // One organisation's failure (recorded on its connection) does not stop the others.
        this.logger.warn(
          { organisationId, connectionId: id, err: safeErrorFields(error) },
          'google workspace maintenance failed',
        );
      }
    }
  }

  private async maintain(organisationId: string): Promise<void> {
    const row = await this.connections.find(organisationId);
    const syncedAt = row?.directory_synced_at?.getTime() ?? 0;
    if (this.clock.now().getTime() - syncedAt >= DIRECTORY_SYNC_EVERY_MS) {
      await this.jobs.syncDirectory(organisationId);
    }

    await this.watches.renewDue(organisationId);

    const pending = await this.dataSource.query<{ id: string; notified: string }[]>(
      `SELECT id, notified_history_id::text AS notified FROM google_mailboxes
        WHERE organisation_id = $1 AND notified_history_id > COALESCE(history_id, 0)`,
      [organisationId],
    );
    for (const mailbox of pending) {
      await this.jobs.checkSent(organisationId, mailbox.id, mailbox.notified);
    }

    const undecided = await this.dataSource.query<{ id: string }[]>(
      `SELECT DISTINCT mailbox_id AS id FROM google_sent_checks
        WHERE organisation_id = $1 AND through_gateway IS NULL AND decide_after <= $2`,
      [organisationId, this.clock.now()],
    );
    for (const mailbox of undecided) {
      await this.jobs.checkSentAt(organisationId, mailbox.id, this.clock.now());
    }
  }
}
