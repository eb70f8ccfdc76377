import { type Client } from '@microsoft/microsoft-graph-client';
import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { m365FailureOf, M365Failure } from '../m365-connector-error';
import {
  type DeltaGroup,
  type DeltaPage,
  type DeltaUser,
  GROUPS_DELTA,
  USERS_DELTA,
} from './directory-delta';
import { DirectoryStore } from './directory.store';

export interface DirectorySyncOutcome {
  users: { mode: 'full' | 'delta'; changes: number };
  groups: { mode: 'full' | 'delta'; changes: number };
}

// A tenant of 100k users is 1,000 pages of 100; past this the run is treated as broken.
const MAX_PAGES = 5_000;

/**
 * Brings the mirrored users and groups up to date by Graph delta queries: every page of
 * `@odata.nextLink` is applied, then the final `@odata.deltaLink` is kept for next time. A
 * delta link Graph no longer knows starts a full sync, which drops what it did not see.
 */
@Injectable()
export class SyncDirectoryUseCase {
  private readonly logger = new Logger(SyncDirectoryUseCase.name);

  constructor(
    private readonly connections: M365ConnectionsService,
    private readonly clients: GraphClientFactory,
    private readonly store: DirectoryStore,
  ) {}

  async execute(organisationId: string): Promise<DirectorySyncOutcome> {
    const connection = await this.connections.open(organisationId);
    if (!connection?.enabled) {
      throw new SealpostError(
        ErrorCode.InvalidState,
        'This organisation has no enabled Microsoft 365 connection.',
      );
    }
    const client = await this.clients.forConnection(connection);
    try {
      const users = await this.syncKind<DeltaUser>(
        client,
        organisationId,
        'users',
        connection.usersDeltaLink,
        (page) => this.store.applyUsers(organisationId, page),
      );
      const groups = await this.syncKind<DeltaGroup>(
        client,
        organisationId,
        'groups',
        connection.groupsDeltaLink,
        (page) => this.store.applyGroups(organisationId, page),
      );
      await this.store.recordSync(organisationId);
      this.logger.log({ organisationId, users, groups }, 'm365 directory synced');
      return { users, groups };
    } catch (error) {
      const failure = m365FailureOf(error);
      await this.connections.recordError(organisationId, `directory sync: ${failure.message}`);
      throw failure;
    }
  }

  private async syncKind<T>(
    client: Client,
    organisationId: string,
    kind: 'users' | 'groups',
    deltaLink: string | null,
    apply: (page: T[]) => Promise<void>,
  ): Promise<{ mode: 'full' | 'delta'; changes: number }> {
    if (deltaLink) {
      try {
        const changes = await this.follow(client, organisationId, kind, deltaLink, apply);
        return { mode: 'delta', changes };
      } catch (error) {
        if (m365FailureOf(error).failure !== M365Failure.DeltaExpired) {
          throw error;
        }
        this.logger.warn({ organisationId, kind }, 'm365 delta link expired: full resync');
        await this.store.saveDeltaLink(organisationId, kind, null);
      }
    }

    const startedAt = await this.store.now();
    const first = kind === 'users' ? USERS_DELTA : GROUPS_DELTA;
    const changes = await this.follow(client, organisationId, kind, first, apply);
    await this.store.dropUnseen(organisationId, kind, startedAt);
    return { mode: 'full', changes };
  }

  private async follow<T>(
    client: Client,
    organisationId: string,
    kind: 'users' | 'groups',
    link: string,
    apply: (page: T[]) => Promise<void>,
  ): Promise<number> {
    let next: string | undefined = link;
    let changes = 0;
    for (let pages = 0; next; pages++) {
      if (pages >= MAX_PAGES) {
        throw new Error(`more than ${MAX_PAGES} delta pages`);
      }
      const page = (await client.api(next).get()) as DeltaPage<T>;
      const items = page.value ?? [];
      await apply(items);
      changes += items.length;

      const deltaLink = page['@odata.deltaLink'];
      if (deltaLink) {
        await this.store.saveDeltaLink(organisationId, kind, deltaLink);
      }
      next = page['@odata.nextLink'];
    }
    return changes;
  }
}
