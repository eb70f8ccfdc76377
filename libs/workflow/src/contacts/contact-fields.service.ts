import { Injectable, Logger } from '@nestjs/common';
import { type ErrorDetail } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { ContactFieldCatalog } from '../templates/contact-field-catalog';
import {
  CONTACT_FIELD_TYPES,
  type ContactFieldDefinition,
  FIELD_KEY_PATTERN,
  isContactFieldType,
} from './contact-field-type';
import { changedRows } from './changed-rows';
import { contactErrors, isUniqueViolation } from './contacts-errors';

// Enough for any real intake form; a cap keeps every contact's fields object bounded.
const MAX_FIELDS_PER_ORGANISATION = 200;

/**
 * Declared custom contact fields of an organisation: the types values are checked against.
 * Also the ContactFieldCatalog templates check their variables with.
 */
@Injectable()
export class ContactFieldsService implements ContactFieldCatalog {
  private readonly logger = new Logger(ContactFieldsService.name);

  constructor(private readonly dataSource: DataSource) {}

  async fieldsOf(organisationId: string): Promise<ContactFieldDefinition[]> {
    return this.dataSource.query<ContactFieldDefinition[]>(
      `SELECT key, type FROM contact_fields WHERE organisation_id = $1 ORDER BY key`,
      [organisationId],
    );
  }

  async define(
    organisationId: string,
    key: unknown,
    type: unknown,
  ): Promise<ContactFieldDefinition> {
    const problems: ErrorDetail[] = [];
    if (typeof key !== 'string' || !FIELD_KEY_PATTERN.test(key)) {
      problems.push({
        path: 'key',
        message: 'must start with a letter and hold at most 64 letters, digits or underscores',
      });
    }
    if (!isContactFieldType(type)) {
      problems.push({ path: 'type', message: `must be one of ${CONTACT_FIELD_TYPES.join(', ')}` });
    }
    if (problems.length || !isContactFieldType(type) || typeof key !== 'string') {
      throw contactErrors.invalid(problems, 'contact field');
    }

    const [{ count }] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM contact_fields WHERE organisation_id = $1`,
      [organisationId],
    );
    if (count >= MAX_FIELDS_PER_ORGANISATION) {
      throw contactErrors.invalid(
        [{ path: 'key', message: `at most ${MAX_FIELDS_PER_ORGANISATION} fields can be declared` }],
        'contact field',
      );
    }
    try {
      await this.dataSource.query(
        `INSERT INTO contact_fields (organisation_id, key, type) VALUES ($1, $2, $3)`,
        [organisationId, key, type],
      );
    } catch (error) {
      if (isUniqueViolation(error, 'contact_fields_pkey')) {
        throw contactErrors.fieldExists();
      }
      throw error;
    }
    this.logger.log({ organisationId, fieldType: type }, 'contact field declared');
    return { key, type };
  }

  /**
   * Removes the declaration and the values stored under it, so a later field of the same key
   * and another type never meets a value of the old type.
   */
  async remove(organisationId: string, key: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const deleted = changedRows(
        await manager.query(
          `DELETE FROM contact_fields WHERE organisation_id = $1 AND key = $2 RETURNING key`,
          [organisationId, key],
        ),
      );
      if (deleted.length === 0) {
        throw contactErrors.notFound('contact field');
      }
      await manager.query(
        `UPDATE contacts SET fields = fields - $2::text, updated_at = now()
          WHERE organisation_id = $1 AND fields ? $2`,
        [organisationId, key],
      );
    });
    this.logger.log({ organisationId }, 'contact field removed');
  }
}
