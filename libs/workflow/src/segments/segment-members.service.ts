import { Injectable } from '@nestjs/common';
import { Clock } from '../scheduling/clock';
import { DataSource } from 'typeorm';
import { ContactFieldsService } from '../contacts/contact-fields.service';
import {
  CONTACT_COLUMNS,
  type ContactPage,
  type ContactRow,
  contactRecord,
} from '../contacts/contact-view';
import { decodeCursor, encodeCursor } from '../contacts/id-cursor';
import { segmentQuery } from './segment-query';
import { SegmentsService } from './segments.service';

/** Ids per page when the engine walks a segment: bounded memory for any segment size. */
const ID_PAGE_SIZE = 1000;

/** Who is in a segment, evaluated in SQL at the moment of asking. */
@Injectable()
export class SegmentMembers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly segments: SegmentsService,
    private readonly fields: ContactFieldsService,
    private readonly clock: Clock,
  ) {}

  /**
   * The ids of a segment's contacts, in pages of at most 1000, by ascending id. Each page is
   * evaluated when it is read, so a contact that leaves meanwhile is not enrolled.
   */
  async *contactIdsOf(organisationId: string, segmentId: string): AsyncGenerator<string[]> {
    const { filter } = await this.segments.get(organisationId, segmentId);
    const catalog = await this.fields.fieldsOf(organisationId);
    let after: string | null = null;
    for (;;) {
      const query = segmentQuery(organisationId, filter, catalog, this.clock.now());
      const afterClause = after ? ` AND c.id > ${query.params.bind(after)}::uuid` : '';
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT c.id FROM contacts c WHERE ${query.where}${afterClause}
          ORDER BY c.id LIMIT ${query.params.bind(ID_PAGE_SIZE)}`,
        query.params.values,
      );
      if (rows.length) {
        yield rows.map((row) => row.id);
      }
      if (rows.length < ID_PAGE_SIZE) {
        return;
      }
      after = rows[rows.length - 1].id;
    }
  }

  async members(
    organisationId: string,
    segmentId: string,
    page: { cursor?: string; limit: number },
  ): Promise<ContactPage> {
    const { filter } = await this.segments.get(organisationId, segmentId);
    const query = segmentQuery(
      organisationId,
      filter,
      await this.fields.fieldsOf(organisationId),
      this.clock.now(),
    );
    const afterClause = page.cursor
      ? ` AND c.id > ${query.params.bind(decodeCursor(page.cursor))}::uuid`
      : '';
    const rows = await this.dataSource.query<ContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE ${query.where}${afterClause}
        ORDER BY c.id LIMIT ${query.params.bind(page.limit + 1)}`,
      query.params.values,
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      data: shown.map(contactRecord),
      nextCursor: rows.length > page.limit && last ? encodeCursor(last.id) : null,
    };
  }

  /** Whether one contact matches a filter now (Branch and Wait for Event conditions). */
  async contactMatches(
    organisationId: string,
    filter: unknown,
    contactId: string,
  ): Promise<boolean> {
    const valid = await this.segments.checkFilter(organisationId, filter);
    const query = segmentQuery(
      organisationId,
      valid,
      await this.fields.fieldsOf(organisationId),
      this.clock.now(),
    );
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT c.id FROM contacts c
        WHERE ${query.where} AND c.id = ${query.params.bind(contactId)}::uuid`,
      query.params.values,
    );
    return rows.length > 0;
  }
}
