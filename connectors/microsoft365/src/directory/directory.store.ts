import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type DeltaGroup, type DeltaUser, isUserMember } from './directory-delta';

/** The mirrored directory of one organisation; every statement names the organisation. */
@Injectable()
export class DirectoryStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The database's clock, so a full sync can tell what it did not see again. */
  async now(): Promise<Date> {
    const [{ now }] = await this.dataSource.query<{ now: Date }[]>(
      `SELECT clock_timestamp() AS now`,
    );
    return now;
  }

  async applyUsers(organisationId: string, users: DeltaUser[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const removed = users.filter((user) => user['@removed']).map((user) => user.id);
      const present = users.filter((user) => !user['@removed']);
      if (removed.length) {
        await tx.query(`DELETE FROM m365_users WHERE organisation_id = $1 AND id = ANY($2)`, [
          organisationId,
          removed,
        ]);
        await tx.query(
          `DELETE FROM m365_group_members WHERE organisation_id = $1 AND user_id = ANY($2)`,
          [organisationId, removed],
        );
      }
      for (const user of present) {
        // A delta after the first names only changed properties; absent ones keep their value.
        await tx.query(
          `INSERT INTO m365_users AS u (organisation_id, id, mail, user_principal_name,
             display_name, account_enabled)
           VALUES ($1, $2, $3, $4, $5, COALESCE($6, true))
           ON CONFLICT (organisation_id, id) DO UPDATE SET
             mail = CASE WHEN $7 THEN EXCLUDED.mail ELSE u.mail END,
             user_principal_name = COALESCE($4, u.user_principal_name),
             display_name = CASE WHEN $8 THEN EXCLUDED.display_name ELSE u.display_name END,
             account_enabled = COALESCE($6, u.account_enabled),
             synced_at = clock_timestamp()`,
          [
            organisationId,
            user.id,
            user.mail ?? null,
            user.userPrincipalName ?? null,
            user.displayName ?? null,
            user.accountEnabled ?? null,
            'mail' in user,
            'displayName' in user,
          ],
        );
      }
    });
  }

  async applyGroups(organisationId: string, groups: DeltaGroup[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      for (const group of groups) {
        if (group['@removed']) {
          await this.removeGroup(tx, organisationId, group.id);
          continue;
        }
        await tx.query(
          `INSERT INTO m365_groups AS g (organisation_id, id, display_name) VALUES ($1, $2, $3)
           ON CONFLICT (organisation_id, id) DO UPDATE SET
             display_name = COALESCE(EXCLUDED.display_name, g.display_name),
             synced_at = clock_timestamp()`,
          [organisationId, group.id, group.displayName ?? null],
        );
        const members = (group['members@delta'] ?? []).filter(isUserMember);
        const left = members.filter((member) => member['@removed']).map((member) => member.id);
        const joined = members.filter((member) => !member['@removed']).map((member) => member.id);
        if (left.length) {
          await tx.query(
            `DELETE FROM m365_group_members
              WHERE organisation_id = $1 AND group_id = $2 AND user_id = ANY($3)`,
            [organisationId, group.id, left],
          );
        }
        if (joined.length) {
          await tx.query(
            `INSERT INTO m365_group_members (organisation_id, group_id, user_id)
             SELECT $1, $2, unnest($3::text[])
             ON CONFLICT (organisation_id, group_id, user_id)
             DO UPDATE SET synced_at = clock_timestamp()`,
            [organisationId, group.id, joined],
          );
        }
      }
    });
  }

  /** After a full sync: what it did not see again is gone from the directory. */
  async dropUnseen(organisationId: string, table: 'users' | 'groups', since: Date): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const gone = await tx.query<{ id: string }[]>(
        `DELETE FROM m365_${table} WHERE organisation_id = $1 AND synced_at < $2 RETURNING id`,
        [organisationId, since],
      );
      const column = table === 'users' ? 'user_id' : 'group_id';
      await tx.query(
        `DELETE FROM m365_group_members WHERE organisation_id = $1 AND ${column} = ANY($2)`,
        [organisationId, gone.map((row) => row.id)],
      );
      if (table === 'groups') {
        // A full group sync lists every member again: memberships it did not repeat ended.
        await tx.query(
          `DELETE FROM m365_group_members WHERE organisation_id = $1 AND synced_at < $2`,
          [organisationId, since],
        );
      }
    });
  }

  async saveDeltaLink(
    organisationId: string,
    kind: 'users' | 'groups',
    link: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE m365_connections SET ${kind}_delta_link = $2 WHERE organisation_id = $1`,
      [organisationId, link],
    );
  }

  async recordSync(organisationId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE m365_connections SET last_sync_at = clock_timestamp() WHERE organisation_id = $1`,
      [organisationId],
    );
  }

  /** Ids of the groups (Entra object ids) a sender's address belongs to. */
  async groupsOfAddress(organisationId: string, address: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ group_id: string }[]>(
      `SELECT DISTINCT m.group_id FROM m365_users u
         JOIN m365_group_members m ON m.organisation_id = u.organisation_id AND m.user_id = u.id
        WHERE u.organisation_id = $1
          AND (lower(u.mail) = lower($2) OR lower(u.user_principal_name) = lower($2))
        ORDER BY m.group_id`,
      [organisationId, address],
    );
    return rows.map((row) => row.group_id);
  }

  /** The enabled M365 user with this address, or null. */
  async userByAddress(organisationId: string, address: string): Promise<string | null> {
    const [row] = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM m365_users
        WHERE organisation_id = $1 AND account_enabled
          AND (lower(mail) = lower($2) OR lower(user_principal_name) = lower($2))
        LIMIT 1`,
      [organisationId, address],
    );
    return row?.id ?? null;
  }

  private async removeGroup(tx: EntityManager, organisationId: string, id: string): Promise<void> {
    await tx.query(`DELETE FROM m365_group_members WHERE organisation_id = $1 AND group_id = $2`, [
      organisationId,
      id,
    ]);
    await tx.query(`DELETE FROM m365_groups WHERE organisation_id = $1 AND id = $2`, [
      organisationId,
      id,
    ]);
  }
}
