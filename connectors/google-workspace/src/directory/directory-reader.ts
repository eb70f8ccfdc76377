import { Injectable } from '@nestjs/common';
import { type admin_directory_v1 } from '@googleapis/admin';
import { type GoogleConnection } from '../connections/google-connection';
import { googleFailureOf, isGoogleCallError } from '../google-workspace-error';
import { GoogleClientsFactory } from '../google/google-clients.factory';
import { withGoogleRetry } from '../google/google-retry';
import {
  type DirectoryGroup,
  type DirectorySnapshot,
  type DirectoryUser,
  type GroupMember,
} from './directory-snapshot';

// The largest pages the Directory API serves: 500 users, 200 groups or members.
const USERS_PAGE = 500;
const GROUPS_PAGE = 200;
const MEMBERS_PAGE = 200;
// googleapis retries on its own without honouring Retry-After; withGoogleRetry does it.
const NO_LIBRARY_RETRY = { retry: false };

/** Reads every user, group and membership of the connection's customer, page by page. */
@Injectable()
export class DirectoryReader {
  constructor(private readonly clients: GoogleClientsFactory) {}

  async read(connection: GoogleConnection): Promise<DirectorySnapshot> {
    const directory = this.clients.directory(connection);
    try {
      const users = await this.users(directory, connection.customerId);
      const groups = await this.groups(directory, connection.customerId);
      const members: GroupMember[] = [];
      for (const group of groups) {
        members.push(...(await this.members(directory, group.googleId)));
      }
      return { users, groups, members };
    } catch (error) {
      throw isGoogleCallError(error) ? googleFailureOf(error, this.clients.tokenUrl) : error;
    }
  }

  private async users(
    directory: admin_directory_v1.Admin,
    customer: string,
  ): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await withGoogleRetry(() =>
        directory.users.list(
          {
            customer,
            maxResults: USERS_PAGE,
            pageToken,
            projection: 'basic',
            fields:
              'nextPageToken,users(id,primaryEmail,name/fullName,suspended,isAdmin,orgUnitPath)',
          },
          NO_LIBRARY_RETRY,
        ),
      );
      for (const user of data.users ?? []) {
        if (user.id && user.primaryEmail) {
          users.push({
            googleId: user.id,
            primaryEmail: user.primaryEmail.toLowerCase(),
            fullName: user.name?.fullName ?? null,
            suspended: user.suspended ?? false,
            isAdmin: user.isAdmin ?? false,
            orgUnitPath: user.orgUnitPath ?? null,
          });
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return users;
  }

  private async groups(
    directory: admin_directory_v1.Admin,
    customer: string,
  ): Promise<DirectoryGroup[]> {
    const groups: DirectoryGroup[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await withGoogleRetry(() =>
        directory.groups.list(
          {
            customer,
            maxResults: GROUPS_PAGE,
            pageToken,
            fields: 'nextPageToken,groups(id,email,name)',
          },
          NO_LIBRARY_RETRY,
        ),
      );
      for (const group of data.groups ?? []) {
        if (group.id && group.email) {
          groups.push({
            googleId: group.id,
            email: group.email.toLowerCase(),
            name: group.name ?? null,
          });
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return groups;
  }

  private async members(
    directory: admin_directory_v1.Admin,
    groupId: string,
  ): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await withGoogleRetry(() =>
        directory.members.list(
          {
            groupKey: groupId,
            maxResults: MEMBERS_PAGE,
            pageToken,
            fields: 'nextPageToken,members(id,email,role,type)',
          },
          NO_LIBRARY_RETRY,
        ),
      );
      for (const member of data.members ?? []) {
        if (member.id) {
          members.push({
            groupId,
            memberId: member.id,
            memberEmail: member.email?.toLowerCase() ?? null,
            memberType: member.type ?? 'USER',
            role: member.role ?? 'MEMBER',
          });
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return members;
  }
}
