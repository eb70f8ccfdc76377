import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  type ChangeCounts,
  type DirectoryChanges,
  type DirectorySnapshot,
  digestOf,
} from './directory-snapshot';

interface Stored {
  key: string;
  digest: string;
}

interface Diff<T> {
  upserts: (T & { digest: string })[];
  removed: string[];
  counts: ChangeCounts;
}

/**
 * The organisation's mirror of its Google directory: a snapshot is compared with what is
 * stored (added, changed, removed by a digest of the kept fields) and only the differences
 * are written, in the caller's transaction.
 */
@Injectable()
export class DirectoryStore {
  async apply(
    tx: EntityManager,
    organisationId: string,
    snapshot: DirectorySnapshot,
  ): Promise<DirectoryChanges> {
    const users = diff(
      snapshot.users,
      (user) => user.googleId,
      await this.stored(tx, 'google_directory_users', 'google_id', organisationId),
    );
    const groups = diff(
      snapshot.groups,
      (group) => group.googleId,
      await this.stored(tx, 'google_directory_groups', 'google_id', organisationId),
    );
    const members = diff(
      snapshot.members,
      memberKey,
      await this.stored(tx, 'google_group_members', `group_id || ' ' || member_id`, organisationId),
    );

    if (users.upserts.length) {
      await tx.query(
        `INSERT INTO google_directory_users (organisation_id, google_id, primary_email, full_name,
           suspended, is_admin, org_unit_path, digest)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[],
           $6::boolean[], $7::text[], $8::text[])
         ON CONFLICT (organisation_id, google_id) DO UPDATE SET
           primary_email = EXCLUDED.primary_email, full_name = EXCLUDED.full_name,
           suspended = EXCLUDED.suspended, is_admin = EXCLUDED.is_admin,
           org_unit_path = EXCLUDED.org_unit_path, digest = EXCLUDED.digest,
           synced_at = clock_timestamp()`,
        [
          organisationId,
          users.upserts.map((u) => u.googleId),
          users.upserts.map((u) => u.primaryEmail),
          users.upserts.map((u) => u.fullName),
          users.upserts.map((u) => u.suspended),
          users.upserts.map((u) => u.isAdmin),
          users.upserts.map((u) => u.orgUnitPath),
          users.upserts.map((u) => u.digest),
        ],
      );
    }
    if (groups.upserts.length) {
      await tx.query(
        `INSERT INTO google_directory_groups (organisation_id, google_id, email, name, digest)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (organisation_id, google_id) DO UPDATE SET
           email = EXCLUDED.email, name = EXCLUDED.name, digest = EXCLUDED.digest,
           synced_at = clock_timestamp()`,
        [
          organisationId,
          groups.upserts.map((g) => g.googleId),
          groups.upserts.map((g) => g.email),
          groups.upserts.map((g) => g.name),
          groups.upserts.map((g) => g.digest),
        ],
      );
    }
    if (members.upserts.length) {
      await tx.query(
        `INSERT INTO google_group_members (organisation_id, group_id, member_id, member_email,
           member_type, role)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (organisation_id, group_id, member_id) DO UPDATE SET
           member_email = EXCLUDED.member_email, member_type = EXCLUDED.member_type,
           role = EXCLUDED.role`,
        [
          organisationId,
          members.upserts.map((m) => m.groupId),
          members.upserts.map((m) => m.memberId),
          members.upserts.map((m) => m.memberEmail),
          members.upserts.map((m) => m.memberType),
          members.upserts.map((m) => m.role),
        ],
      );
    }
    await tx.query(
      `DELETE FROM google_directory_users WHERE organisation_id = $1 AND google_id = ANY($2)`,
      [organisationId, users.removed],
    );
    await tx.query(
      `DELETE FROM google_directory_groups WHERE organisation_id = $1 AND google_id = ANY($2)`,
      [organisationId, groups.removed],
    );
    await tx.query(
      `DELETE FROM google_group_members
        WHERE organisation_id = $1 AND group_id || ' ' || member_id = ANY($2)`,
      [organisationId, members.removed],
    );
    return { users: users.counts, groups: groups.counts, members: members.counts };
  }

  /**
   * One mailbox per active user: new users get one, suspended or removed users lose theirs
   * (and with it their watch state), a renamed user keeps its history position.
   */
  async alignMailboxes(
    tx: EntityManager,
    organisationId: string,
    connectionId: string,
  ): Promise<void> {
    await tx.query(
      `DELETE FROM google_mailboxes m
        WHERE m.organisation_id = $1 AND m.connection_id = $2
          AND NOT EXISTS (SELECT 1 FROM google_directory_users u
                           WHERE u.organisation_id = $1 AND u.google_id = m.user_google_id
                             AND NOT u.suspended)`,
      [organisationId, connectionId],
    );
    await tx.query(
      `INSERT INTO google_mailboxes (id, organisation_id, connection_id, user_google_id, address)
       SELECT gen_random_uuid(), $1, $2, u.google_id, u.primary_email
         FROM google_directory_users u
        WHERE u.organisation_id = $1 AND NOT u.suspended
       ON CONFLICT (connection_id, user_google_id) DO UPDATE SET address = EXCLUDED.address
        WHERE google_mailboxes.address <> EXCLUDED.address`,
      [organisationId, connectionId],
    );
  }

  private async stored(
    tx: EntityManager,
    table: string,
    keyExpression: string,
    organisationId: string,
  ): Promise<Map<string, string>> {
    const digest = table === 'google_group_members' ? MEMBER_DIGEST : 'digest';
    const rows = await tx.query<Stored[]>(
      `SELECT ${keyExpression} AS key, ${digest} AS digest FROM ${table}
        WHERE organisation_id = $1`,
      [organisationId],
    );
    return new Map(rows.map((row) => [row.key, row.digest]));
  }
}

// Members keep no digest column: their three kept fields, joined as memberDigest joins them.
const MEMBER_DIGEST = `COALESCE(member_email, 'null') || ' ' || member_type || ' ' || role`;

function memberKey(member: { groupId: string; memberId: string }): string {
  return `${member.groupId} ${member.memberId}`;
}

function diff<T extends object>(
  entries: T[],
  keyOf: (entry: T) => string,
  stored: Map<string, string>,
): Diff<T> {
  const upserts: (T & { digest: string })[] = [];
  const seen = new Set<string>();
  const counts: ChangeCounts = { added: 0, changed: 0, removed: 0 };
  for (const entry of entries) {
    const key = keyOf(entry);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const digest = 'memberId' in entry ? memberDigest(entry) : digestOf(entry);
    const before = stored.get(key);
    if (before === undefined) {
      counts.added += 1;
    } else if (before !== digest) {
      counts.changed += 1;
    } else {
      continue;
    }
    upserts.push({ ...entry, digest });
  }
  const removed = [...stored.keys()].filter((key) => !seen.has(key));
  counts.removed = removed.length;
  return { upserts, removed, counts };
}

function memberDigest(entry: object): string {
  const member = entry as { memberEmail: string | null; memberType: string; role: string };
  return `${member.memberEmail} ${member.memberType} ${member.role}`;
}
