import { Injectable, Logger } from '@nestjs/common';
import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';
import { changedRows } from '../contacts/changed-rows';
import { contactErrors, isUniqueViolation } from '../contacts/contacts-errors';
import { isUuid } from '../contacts/uuid';

const MAX_NAME_LENGTH = 200;
/** Contact ids one membership call may carry, like a bulk contacts call. */
export const MAX_MEMBERSHIP_IDS = 1000;

export interface ContactListView {
  id: string;
  name: string;
  members: number;
  createdAt: string;
}

export interface MembershipChange {
  /** Ids that changed membership. */
  changed: number;
  /** Ids already in that state. */
  unchanged: number;
  /** Ids that are not contacts of this organisation. */
  notFound: string[];
}

interface ListRow {
  id: string;
  name: string;
  members: number;
  created_at: Date;
}

/** Static lists of contacts; every statement is bound to the organisation. */
@Injectable()
export class ContactListsService {
  private readonly logger = new Logger(ContactListsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async create(organisationId: string, name: unknown): Promise<ContactListView> {
    const id = randomUUID();
    try {
      await this.dataSource.query(
        `INSERT INTO contact_lists (id, organisation_id, name) VALUES ($1, $2, $3)`,
        [id, organisationId, checkName(name)],
      );
    } catch (error) {
      throw isUniqueViolation(error, 'contact_lists_name_unique') ? nameTaken() : error;
    }
    this.logger.log({ organisationId, listId: id }, 'contact list created');
    return this.get(organisationId, id);
  }

  async all(organisationId: string): Promise<ContactListView[]> {
    const rows = await this.dataSource.query<ListRow[]>(
      `SELECT l.id, l.name, l.created_at,
              (SELECT count(*)::int FROM contact_list_members m
                WHERE m.organisation_id = l.organisation_id AND m.list_id = l.id) AS members
         FROM contact_lists l WHERE l.organisation_id = $1 ORDER BY l.name`,
      [organisationId],
    );
    return rows.map(listView);
  }

  async get(organisationId: string, id: string): Promise<ContactListView> {
    const rows = isUuid(id)
      ? await this.dataSource.query<ListRow[]>(
          `SELECT l.id, l.name, l.created_at,
                  (SELECT count(*)::int FROM contact_list_members m
                    WHERE m.organisation_id = l.organisation_id AND m.list_id = l.id) AS members
             FROM contact_lists l WHERE l.organisation_id = $1 AND l.id = $2`,
          [organisationId, id],
        )
      : [];
    if (!rows[0]) {
      throw contactErrors.notFound('contact list');
    }
    return listView(rows[0]);
  }

  async rename(organisationId: string, id: string, name: unknown): Promise<ContactListView> {
    const checked = checkName(name);
    await this.get(organisationId, id);
    try {
      await this.dataSource.query(
        `UPDATE contact_lists SET name = $3 WHERE organisation_id = $1 AND id = $2`,
        [organisationId, id, checked],
      );
    } catch (error) {
      throw isUniqueViolation(error, 'contact_lists_name_unique') ? nameTaken() : error;
    }
    return this.get(organisationId, id);
  }

  async remove(organisationId: string, id: string): Promise<void> {
    const deleted = isUuid(id)
      ? changedRows(
          await this.dataSource.query(
            `DELETE FROM contact_lists WHERE organisation_id = $1 AND id = $2 RETURNING id`,
            [organisationId, id],
          ),
        )
      : [];
    if (deleted.length === 0) {
      throw contactErrors.notFound('contact list');
    }
    this.logger.log({ organisationId, listId: id }, 'contact list deleted');
  }

  async addMembers(
    organisationId: string,
    id: string,
    contactIds: unknown,
  ): Promise<MembershipChange> {
    const ids = checkIds(contactIds);
    await this.get(organisationId, id);
    const known = await this.knownContacts(organisationId, ids);
    const added = await this.dataSource.query<{ contact_id: string }[]>(
      // added_at comes from the workflow clock: "joined a list" triggers compare it with it.
      `INSERT INTO contact_list_members (organisation_id, list_id, contact_id, added_at)
       SELECT $1, $2, unnest($3::uuid[]), $4
       ON CONFLICT DO NOTHING RETURNING contact_id`,
      [organisationId, id, [...known], this.clock.now()],
    );
    this.logger.log({ organisationId, listId: id, added: added.length }, 'list members added');
    return {
      changed: added.length,
      unchanged: known.size - added.length,
      notFound: ids.filter((contactId) => !known.has(contactId)),
    };
  }

  async removeMembers(
    organisationId: string,
    id: string,
    contactIds: unknown,
  ): Promise<MembershipChange> {
    const ids = checkIds(contactIds);
    await this.get(organisationId, id);
    const known = await this.knownContacts(organisationId, ids);
    const removed = changedRows(
      await this.dataSource.query(
        `DELETE FROM contact_list_members
          WHERE organisation_id = $1 AND list_id = $2 AND contact_id = ANY($3::uuid[])
        RETURNING contact_id`,
        [organisationId, id, [...known]],
      ),
    );
    this.logger.log(
      { organisationId, listId: id, removed: removed.length },
      'list members removed',
    );
    return {
      changed: removed.length,
      unchanged: known.size - removed.length,
      notFound: ids.filter((contactId) => !known.has(contactId)),
    };
  }

  private async knownContacts(organisationId: string, ids: string[]): Promise<Set<string>> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM contacts WHERE organisation_id = $1 AND id = ANY($2::uuid[])`,
      [organisationId, ids],
    );
    return new Set(rows.map((row) => row.id));
  }
}

function listView(row: ListRow): ContactListView {
  return {
    id: row.id,
    name: row.name,
    members: row.members,
    createdAt: row.created_at.toISOString(),
  };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    throw contactErrors.invalid(
      [
        {
          path: 'name',
          message: `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
        },
      ],
      'contact list',
    );
  }
  return name.trim();
}

function checkIds(value: unknown): string[] {
  const problems: ErrorDetail[] = [];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_MEMBERSHIP_IDS) {
    problems.push({
      path: 'contactIds',
      message: `must be a list of 1 to ${MAX_MEMBERSHIP_IDS} contact ids`,
    });
  } else {
    value.forEach((id, index) => {
      if (!isUuid(id)) {
        problems.push({ path: `contactIds[${index}]`, message: 'must be a contact id' });
      }
    });
  }
  if (problems.length) {
    throw contactErrors.invalid(problems, 'membership change');
  }
  return [...new Set((value as string[]).map((id) => id.toLowerCase()))];
}

function nameTaken(): SealpostError {
  return new SealpostError(ErrorCode.AlreadyExists, 'A contact list with that name exists.', [
    { path: 'name', message: 'is already used by another list' },
  ]);
}
