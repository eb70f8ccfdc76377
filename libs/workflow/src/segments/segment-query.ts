import { type ContactFieldDefinition } from '../contacts/contact-field-type';
import { compileSegmentFilter, SqlParameters } from './segment-filter.compiler';
import { type SegmentFilter } from './segment-filter';

/** A compiled WHERE clause over `contacts c`, bound to one organisation and one instant. */
export interface SegmentQuery {
  where: string;
  params: SqlParameters;
}

export function segmentQuery(
  organisationId: string,
  filter: SegmentFilter,
  catalog: readonly ContactFieldDefinition[],
  now: Date,
): SegmentQuery {
  const params = new SqlParameters([organisationId, now.toISOString()]);
  const condition = compileSegmentFilter(filter, catalog, params, '$2');
  return { where: `c.organisation_id = $1 AND ${condition}`, params };
}
