import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CatalogField, ContactFieldCatalog } from './contact-field-catalog';

/**
 * Reads the organisation's declared fields straight from `contact_fields`. The contacts
 * feature may bind its own ContactFieldsService to the port instead; both read one table.
 */
@Injectable()
export class SqlContactFieldCatalog extends ContactFieldCatalog {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  fieldsOf(organisationId: string): Promise<CatalogField[]> {
    return this.dataSource.query<CatalogField[]>(
      'SELECT key, type FROM contact_fields WHERE organisation_id = $1 ORDER BY key',
      [organisationId],
    );
  }
}
