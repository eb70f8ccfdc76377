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
  const params = new SqlParameters([organisationId]);
  let nowPlaceholder: string | null = null;
  const condition = compileSegmentFilter(filter, catalog, params, () => {
    nowPlaceholder ??= params.bind(now.toISOString());
    return nowPlaceholder;
  });
  return { where: `c.organisation_id = $1 AND ${condition}`, params };
}
