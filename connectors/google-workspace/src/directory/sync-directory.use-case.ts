import { Injectable, Logger, Optional } from '@nestjs/common';
import { AuditLog, requireAuditLog } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { GoogleWorkspaceError } from '../google-workspace-error';
import { GOOGLE_SYSTEM_ACTOR } from '../google-workspace-naming';
import { DirectoryReader } from './directory-reader';
import { type DirectoryChanges } from './directory-snapshot';
import { DirectoryStore } from './directory.store';

export type DirectorySyncResult =
  { status: 'synced'; changes: DirectoryChanges } | { status: 'skipped'; reason: 'disabled' };

/**
 * Reads the whole directory (users, groups, members), stores the differences, gives every
 * active user a mailbox row to watch, and audits the counts (never names or addresses).
 */
@Injectable()
export class SyncDirectoryUseCase {
  private readonly logger = new Logger(SyncDirectoryUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly reader: DirectoryReader,
    private readonly store: DirectoryStore,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async execute(organisationId: string): Promise<DirectorySyncResult> {
    const audit = requireAuditLog(this.audit);
    const connection = await this.connections.open(organisationId);
    if (!connection.enabled) {
      return { status: 'skipped', reason: 'disabled' };
    }

    let snapshot;
    try {
      snapshot = await this.reader.read(connection);
    } catch (error) {
      if (!(error instanceof GoogleWorkspaceError)) {
        throw error;
      }
      const failure = error;
      await this.connections.recordOutcome(organisationId, {
        error: `directory: ${failure.summary}`,
      });
      this.logger.warn(
        { organisationId, connectionId: connection.id, failure: failure.summary },
        'google directory sync failed',
      );
      throw failure;
    }

    const changes = await this.dataSource.transaction(async (tx) => {
      const counted = await this.store.apply(tx, organisationId, snapshot);
      await this.store.alignMailboxes(tx, organisationId, connection.id);
      await audit.append(tx, {
        organisationId,
        actor: GOOGLE_SYSTEM_ACTOR,
        action: 'google_directory.synced',
        target: { type: 'google_workspace_connection', id: connection.id },
        details: flatCounts(counted),
      });
      return counted;
    });
    await this.connections.recordOutcome(organisationId, { error: null, directorySynced: true });
    this.logger.log(
      { organisationId, connectionId: connection.id, ...flatCounts(changes) },
      'google directory synced',
    );
    return { status: 'synced', changes };
  }
}

function flatCounts(changes: DirectoryChanges): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [kind, counts] of Object.entries(changes)) {
    for (const [change, count] of Object.entries(counts as Record<string, number>)) {
      flat[`${kind}${change[0].toUpperCase()}${change.slice(1)}`] = count;
    }
  }
  return flat;
}
