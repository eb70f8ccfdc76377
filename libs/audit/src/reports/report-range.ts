import { ErrorCode, SealpostError } from '@sealpost/core';

/** A half-open interval [from, to) of acceptance and event times. */
export interface ReportRange {
  from: Date;
  to: Date;
}

// A year and a day: a calendar year report, never an unbounded scan of the whole history.
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** Refuses an empty, inverted or too long range with a 422 naming the field. */
export function checkReportRange(range: ReportRange): ReportRange {
  if (range.to.getTime() <= range.from.getTime()) {
    throw new SealpostError(ErrorCode.InvalidValue, '`to` must be after `from`.', [
      { path: 'to', message: 'must be after from' },
    ]);
  }
  if (range.to.getTime() - range.from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      `A report covers at most ${MAX_RANGE_DAYS} days.`,
      [{ path: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` }],
    );
  }
  return range;
}
