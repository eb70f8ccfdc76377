import { Injectable, Logger } from '@nestjs/common';
import { type ErrorDetail } from '@sealpost/core';
import { Clock } from '../scheduling/clock';
import { DataSource } from 'typeorm';
import { ContactFieldsService } from './contact-fields.service';
import { type ContactChange, readContactInput } from './contact-input';
import { upsertContacts } from './contact-writes';

/** Most contacts one bulk call may carry: one statement pair, well under a second. */
export const MAX_BULK_CONTACTS = 1000;

export interface BulkRowResult {
  index: number;
  status: 'created' | 'updated' | 'rejected';
  id?: string;
  errors?: ErrorDetail[];
}

export interface BulkUpsertResult {
  created: number;
  updated: number;
  rejected: number;
  results: BulkRowResult[];
}

/**
 * Creates or updates many contacts by email. Valid rows are written together in one
 * transaction; each rejected row is reported with its problems, so nothing fails silently.
 */
@Injectable()
export class ContactsBulkService {
  private readonly logger = new Logger(ContactsBulkService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly fields: ContactFieldsService,
    private readonly clock: Clock,
  ) {}

  async upsert(organisationId: string, rows: readonly unknown[]): Promise<BulkUpsertResult> {
    const catalog = await this.fields.fieldsOf(organisationId);
    const results: BulkRowResult[] = [];
    const accepted: { index: number; change: ContactChange }[] = [];
    const firstRowOfEmail = new Map<string, number>();

    rows.forEach((raw, index) => {
      const result = readContactInput(raw, catalog, { emailRequired: true });
      if (!result.ok) {
        results[index] = { index, status: 'rejected', errors: result.problems };
        return;
      }
      const email = result.change.emailNormalised ?? '';
      const first = firstRowOfEmail.get(email);
      if (first !== undefined) {
        const message = `has the same email as row ${first}`;
        results[index] = { index, status: 'rejected', errors: [{ path: 'email', message }] };
        return;
      }
      firstRowOfEmail.set(email, index);
      accepted.push({ index, change: result.change });
    });

    if (accepted.length) {
      const outcomes = await this.dataSource.transaction((manager) =>
        upsertContacts(
          manager,
          organisationId,
          accepted.map((row) => row.change),
          this.clock.now(),
        ),
      );
      outcomes.forEach((outcome, i) => {
        const { index } = accepted[i];
        results[index] = { index, status: outcome.created ? 'created' : 'updated', id: outcome.id };
      });
    }

    const count = (status: BulkRowResult['status']) =>
      results.filter((row) => row.status === status).length;
    const summary = {
      created: count('created'),
      updated: count('updated'),
      rejected: count('rejected'),
    };
    this.logger.log({ organisationId, ...summary }, 'contacts bulk upsert');
    return { ...summary, results };
  }
}
