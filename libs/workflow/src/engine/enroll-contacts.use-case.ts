import { Injectable, Logger } from '@nestjs/common';
import { type AuthContext, ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';
import { SegmentMembers } from '../segments/segment-members.service';
import { workflowArchived, workflowNotFound } from '../workflows/workflow-errors';
import { WorkflowsRepository } from '../workflows/workflows.repository';
import { EnrollmentStore } from './enrollment-store';

// Contacts per INSERT: large enough to amortise the round trip, small enough that one
// statement's locks and memory stay modest for a 100,000-contact list.
const ENROLL_CHUNK = 1000;

export type EnrollmentSource =
  { contactIds: string[] } | { listId: string } | { segmentId: string };

export interface EnrollmentSummary {
  /** Contacts that entered the workflow now. */
  enrolled: number;
  /** Contacts of the source that did not: enrolled before (no re-entry), or unknown. */
  skipped: number;
}

/** Enrolls contacts by id, list or segment, at the start of the workflow's current version. */
@Injectable()
export class EnrollContactsUseCase {
  private readonly logger = new Logger(EnrollContactsUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowsRepository,
    private readonly store: EnrollmentStore,
    private readonly segments: SegmentMembers,
    private readonly clock: Clock,
  ) {}

  async execute(
    caller: AuthContext,
    workflowId: string,
    source: EnrollmentSource,
  ): Promise<EnrollmentSummary> {
    const workflow = await this.workflows.find(caller.organisationId, workflowId);
    if (!workflow) {
      throw workflowNotFound();
    }
    if (workflow.status === 'archived') {
      throw workflowArchived();
    }

    const summary: EnrollmentSummary = { enrolled: 0, skipped: 0 };
    for await (const contactIds of this.contactIdsOf(caller.organisationId, source)) {
      const enrolled = await this.store.enroll(this.dataSource.manager, {
        organisationId: caller.organisationId,
        workflowId,
        version: workflow.current_version,
        startStep: workflow.definition.start,
        contactIds,
        dueAt: this.clock.now(),
      });
      summary.enrolled += enrolled.length;
      summary.skipped += contactIds.length - enrolled.length;
    }
    this.logger.log(
      { organisationId: caller.organisationId, workflowId, ...summary },
      'contacts enrolled',
    );
    return summary;
  }

  private async *contactIdsOf(
    organisationId: string,
    source: EnrollmentSource,
  ): AsyncGenerator<string[]> {
    if ('contactIds' in source) {
      for (let start = 0; start < source.contactIds.length; start += ENROLL_CHUNK) {
        yield source.contactIds.slice(start, start + ENROLL_CHUNK);
      }
      return;
    }
    if ('segmentId' in source) {
      yield* this.segments.contactIdsOf(organisationId, source.segmentId);
      return;
    }
    yield* this.listMembers(organisationId, source.listId);
  }

  private async *listMembers(organisationId: string, listId: string): AsyncGenerator<string[]> {
    const found = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM contact_lists WHERE organisation_id = $1 AND id = $2',
      [organisationId, listId],
    );
    if (!found.length) {
      throw new SealpostError(ErrorCode.NotFound, 'No such contact list.');
    }
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.dataSource.query<{ contact_id: string }[]>(
        `SELECT contact_id FROM contact_list_members
          WHERE organisation_id = $1 AND list_id = $2 AND contact_id > $3
          ORDER BY contact_id LIMIT $4`,
        [organisationId, listId, after, ENROLL_CHUNK],
      );
      if (rows.length) {
        yield rows.map((row) => row.contact_id);
      }
      if (rows.length < ENROLL_CHUNK) {
        return;
      }
      after = rows[rows.length - 1].contact_id;
    }
  }
}
