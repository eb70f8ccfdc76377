/** A custom contact field as templates see it: its key and declared type. */
export interface CatalogField {
  key: string;
  type: string;
}

/**
 * The port through which templates learn an organisation's contact fields at save time, so
 * a reference to a field that does not exist is refused before any contact meets it.
 */
export abstract class ContactFieldCatalog {
  abstract fieldsOf(organisationId: string): Promise<CatalogField[]>;
}
