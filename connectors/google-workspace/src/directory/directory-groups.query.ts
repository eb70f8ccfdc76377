import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The groups a sender belongs to (direct membership), from the mirrored directory: the input
 * a group-based policy ("this group's mail is always protected") matches on.
 */
@Injectable()
export class GoogleDirectoryGroupsQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** Each group by its Directory id and by its address, so a rule may name either. */
  async groupsOf(organisationId: string, address: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ google_id: string; email: string }[]>(
      `SELECT g.google_id, g.email FROM google_group_members m
         JOIN google_directory_groups g
           ON g.organisation_id = m.organisation_id AND g.google_id = m.group_id
        WHERE m.organisation_id = $1 AND lower(m.member_email) = lower($2)
        ORDER BY g.email`,
      [organisationId, address],
    );
    return rows.flatMap((row) => [row.google_id, row.email]);
  }
}
