import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';
import { Clock } from '../scheduling/clock';
import { DataSource } from 'typeorm';
import { changedRows } from '../contacts/changed-rows';
import { ContactFieldsService } from '../contacts/contact-fields.service';
import { contactErrors, isUniqueViolation } from '../contacts/contacts-errors';
import { type SegmentFilter } from './segment-filter';
import { listIdsOf, validateSegmentFilter } from './segment-filter.validator';
import { segmentQuery } from './segment-query';
import { isUuid } from '../contacts/uuid';

const MAX_NAME_LENGTH = 200;

export interface SegmentView {
  id: string;
  name: string;
  filter: SegmentFilter;
  createdAt: string;
  updatedAt: string;
}

interface SegmentRow {
  id: string;
  name: string;
  filter: SegmentFilter;
  created_at: Date;
  updated_at: Date;
}

/** Saved segments (a name and a filter) and ad-hoc counts; all bound to one organisation. */
@Injectable()
export class SegmentsService {
  private readonly logger = new Logger(SegmentsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly fields: ContactFieldsService,
    private readonly clock: Clock,
  ) {}

  async create(organisationId: string, name: unknown, filter: unknown): Promise<SegmentView> {
    const checked = await this.check(organisationId, name, filter);
    const id = randomUUID();
    try {
      await this.dataSource.query(
        `INSERT INTO segments (id, organisation_id, name, filter) VALUES ($1, $2, $3, $4)`,
        [id, organisationId, checked.name, JSON.stringify(checked.filter)],
      );
    } catch (error) {
      throw isUniqueViolation(error, 'segments_name_unique') ? nameTaken() : error;
    }
    this.logger.log({ organisationId, segmentId: id }, 'segment created');
    return this.get(organisationId, id);
  }

  async update(
    organisationId: string,
    id: string,
    name: unknown,
    filter: unknown,
  ): Promise<SegmentView> {
    await this.get(organisationId, id);
    const checked = await this.check(organisationId, name, filter);
    try {
      await this.dataSource.query(
        `UPDATE segments SET name = $3, filter = $4, updated_at = now()
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, id, checked.name, JSON.stringify(checked.filter)],
      );
    } catch (error) {
      throw isUniqueViolation(error, 'segments_name_unique') ? nameTaken() : error;
    }
    this.logger.log({ organisationId, segmentId: id }, 'segment updated');
    return this.get(organisationId, id);
  }

  async get(organisationId: string, id: string): Promise<SegmentView> {
    const rows = isUuid(id)
      ? await this.dataSource.query<SegmentRow[]>(
          `SELECT id, name, filter, created_at, updated_at FROM segments
            WHERE organisation_id = $1 AND id = $2`,
          [organisationId, id],
        )
      : [];
    if (!rows[0]) {
      throw contactErrors.notFound('segment');
    }
    return segmentView(rows[0]);
  }

  async all(organisationId: string): Promise<SegmentView[]> {
    const rows = await this.dataSource.query<SegmentRow[]>(
      `SELECT id, name, filter, created_at, updated_at FROM segments
        WHERE organisation_id = $1 ORDER BY name`,
      [organisationId],
    );
    return rows.map(segmentView);
  }

  async remove(organisationId: string, id: string): Promise<void> {
    const deleted = isUuid(id)
      ? changedRows(
          await this.dataSource.query(
            `DELETE FROM segments WHERE organisation_id = $1 AND id = $2 RETURNING id`,
            [organisationId, id],
          ),
        )
      : [];
    if (deleted.length === 0) {
      throw contactErrors.notFound('segment');
    }
    this.logger.log({ organisationId, segmentId: id }, 'segment deleted');
  }

  async count(organisationId: string, id: string): Promise<number> {
    const segment = await this.get(organisationId, id);
    return this.countFilter(organisationId, segment.filter);
  }

  /** Counts the contacts an unsaved filter matches now. */
  async countFilter(organisationId: string, filter: unknown): Promise<number> {
    const valid = await this.checkFilter(organisationId, filter);
    const query = segmentQuery(
      organisationId,
      valid,
      await this.fields.fieldsOf(organisationId),
      this.clock.now(),
    );
    const [{ count }] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM contacts c WHERE ${query.where}`,
      query.params.values,
    );
    return count;
  }

  /**
   * Validates a filter for this organisation: the language, the declared fields, and that
   * every list it names is one of the organisation's own. Throws 422 listing every problem.
   */
  async checkFilter(organisationId: string, filter: unknown): Promise<SegmentFilter> {
    const result = validateSegmentFilter(filter, await this.fields.fieldsOf(organisationId));
    if (!result.ok) {
      throw contactErrors.invalid(result.problems, 'segment filter');
    }
    const listIds = [...new Set(listIdsOf(result.filter).map((id) => id.toLowerCase()))];
    if (listIds.length) {
      const known = await this.dataSource.query<{ id: string }[]>(
        `SELECT id FROM contact_lists WHERE organisation_id = $1 AND id = ANY($2::uuid[])`,
        [organisationId, listIds],
      );
      if (known.length !== listIds.length) {
        throw contactErrors.invalid(
          [{ path: 'filter', message: 'names a list that is not one of this organisation' }],
          'segment filter',
        );
      }
    }
    return result.filter;
  }

  private async check(
    organisationId: string,
    name: unknown,
    filter: unknown,
  ): Promise<{ name: string; filter: SegmentFilter }> {
    const problems: ErrorDetail[] = [];
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
      problems.push({
        path: 'name',
        message: `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
      });
    }
    const result = validateSegmentFilter(filter, await this.fields.fieldsOf(organisationId));
    if (!result.ok) {
      problems.push(...result.problems);
    }
    if (problems.length || !result.ok) {
      throw contactErrors.invalid(problems, 'segment');
    }
    return {
      name: (name as string).trim(),
      filter: await this.checkFilter(organisationId, filter),
    };
  }
}

function segmentView(row: SegmentRow): SegmentView {
  return {
    id: row.id,
    name: row.name,
    filter: row.filter,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function nameTaken(): SealpostError {
  return new SealpostError(ErrorCode.AlreadyExists, 'A segment with that name exists.', [
    { path: 'name', message: 'is already used by another segment' },
  ]);
}
