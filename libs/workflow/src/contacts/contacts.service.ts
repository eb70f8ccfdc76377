import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../scheduling/clock';
import { DataSource } from 'typeorm';
import { changedRows } from './changed-rows';
import { ContactFieldsService } from './contact-fields.service';
import { readContactInput } from './contact-input';
import {
  CONTACT_COLUMNS,
  type ContactPage,
  type ContactRecord,
  type ContactRow,
  type ContactView,
  contactRecord,
} from './contact-view';
import { insertContact, updateContact } from './contact-writes';
import { contactErrors, isUniqueViolation } from './contacts-errors';
import { decodeCursor, encodeCursor } from './id-cursor';
import { isUuid } from './uuid';

export interface ContactFilters {
  /** Exact address, compared case-insensitively. */
  email?: string;
  unsubscribed?: boolean;
  listId?: string;
  cursor?: string;
  limit: number;
}

/** Contacts of one organisation: every statement is bound to `organisationId`. */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger(ContactsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly fields: ContactFieldsService,
    private readonly clock: Clock,
  ) {}

  async create(organisationId: string, raw: unknown): Promise<ContactRecord> {
    const result = readContactInput(raw, await this.fields.fieldsOf(organisationId), {
      emailRequired: true,
    });
    if (!result.ok) {
      throw contactErrors.invalid(result.problems);
    }
    const id = await insertContact(
      this.dataSource.manager,
      organisationId,
      result.change,
      this.clock.now(),
    );
    if (!id) {
      throw contactErrors.emailTaken();
    }
    this.logger.log({ organisationId, contactId: id }, 'contact created');
    return this.get(organisationId, id);
  }

  async get(organisationId: string, id: string): Promise<ContactRecord> {
    const row = isUuid(id)
      ? (
          await this.dataSource.query<ContactRow[]>(
            `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE organisation_id = $1 AND id = $2`,
            [organisationId, id],
          )
        )[0]
      : undefined;
    if (!row) {
      throw contactErrors.notFound('contact');
    }
    return contactRecord(row);
  }

  /** The contact as templates and the engine use it. */
  async view(organisationId: string, id: string): Promise<ContactView> {
    const record = await this.get(organisationId, id);
    return {
      id: record.id,
      email: record.email,
      name: record.name,
      timeZone: record.timeZone,
      fields: record.fields,
      unsubscribedAt: record.unsubscribedAt,
      ehrPatientRef: record.ehrPatientRef,
    };
  }

  async update(organisationId: string, id: string, raw: unknown): Promise<ContactRecord> {
    const result = readContactInput(raw, await this.fields.fieldsOf(organisationId), {
      emailRequired: false,
    });
    if (!result.ok) {
      throw contactErrors.invalid(result.problems);
    }
    let found: boolean;
    try {
      found =
        isUuid(id) &&
        (await updateContact(
          this.dataSource.manager,
          organisationId,
          id,
          result.change,
          this.clock.now(),
        ));
    } catch (error) {
      if (isUniqueViolation(error, 'contacts_email_unique')) {
        throw contactErrors.emailTaken();
      }
      throw error;
    }
    if (!found) {
      throw contactErrors.notFound('contact');
    }
    this.logger.log({ organisationId, contactId: id }, 'contact updated');
    return this.get(organisationId, id);
  }

  async remove(organisationId: string, id: string): Promise<void> {
    const deleted = isUuid(id)
      ? changedRows(
          await this.dataSource.query(
            `DELETE FROM contacts WHERE organisation_id = $1 AND id = $2 RETURNING id`,
            [organisationId, id],
          ),
        )
      : [];
    if (deleted.length === 0) {
      throw contactErrors.notFound('contact');
    }
    this.logger.log({ organisationId, contactId: id }, 'contact deleted');
  }

  /** Keyset-paginated on id, so pages stay stable while contacts are added. */
  async list(organisationId: string, filters: ContactFilters): Promise<ContactPage> {
    const conditions = ['c.organisation_id = $1'];
    const params: unknown[] = [organisationId];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filters.email !== undefined) {
      conditions.push(`c.email_normalised = ${bind(filters.email.toLowerCase())}`);
    }
    if (filters.unsubscribed !== undefined) {
      conditions.push(
        filters.unsubscribed ? 'c.unsubscribed_at IS NOT NULL' : 'c.unsubscribed_at IS NULL',
      );
    }
    if (filters.listId !== undefined) {
      conditions.push(
        `EXISTS (SELECT 1 FROM contact_list_members m WHERE m.organisation_id = c.organisation_id
                    AND m.contact_id = c.id AND m.list_id = ${bind(filters.listId)}::uuid)`,
      );
    }
    if (filters.cursor !== undefined) {
      conditions.push(`c.id > ${bind(decodeCursor(filters.cursor))}::uuid`);
    }
    const rows = await this.dataSource.query<ContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE ${conditions.join(' AND ')}
        ORDER BY c.id LIMIT ${bind(filters.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, filters.limit);
    const last = page.at(-1);
    return {
      data: page.map(contactRecord),
      nextCursor: rows.length > filters.limit && last ? encodeCursor(last.id) : null,
    };
  }
}
