import { Duration, IANAZone } from 'luxon';
import { type ProblemList } from './definition-problem';

export type RawObject = Record<string, unknown>;

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Step ids and field keys appear in paths and logs: a closed alphabet keeps PHI out of them.
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Longer waits are almost surely a unit mistake (P100Y for PT100H); a year covers yearly
// check-ups.
const MAX_WAIT_DAYS = 400;

/** Reads the fields of one object of a definition, recording each problem against a step. */
export class FieldReader {
  constructor(
    private readonly raw: RawObject,
    private readonly path: string,
    private readonly stepId: string | null,
    private readonly problems: ProblemList,
  ) {}

  at(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  child(key: string): FieldReader | undefined {
    const value = this.raw[key];
    if (!isObject(value)) {
      this.missingOrInvalid(key, 'must be an object');
      return undefined;
    }
    return new FieldReader(value, this.at(key), this.stepId, this.problems);
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.missingOrInvalid(key, 'must be a non-empty string');
      return undefined;
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  id(key: string): string | undefined {
    const value = this.string(key);
    if (value !== undefined && !ID_PATTERN.test(value)) {
      this.problem('invalid_value', key, 'must be 1-64 letters, digits, dots, dashes or _');
      return undefined;
    }
    return value;
  }

  uuid(key: string): string | undefined {
    const value = this.string(key);
    if (value !== undefined && !UUID_PATTERN.test(value)) {
      this.problem('invalid_value', key, 'must be a UUID');
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      this.problem('invalid_value', key, `must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return value as T | undefined;
  }

  /** An ISO 8601 duration such as PT48H or P1D, positive and at most MAX_WAIT_DAYS. */
  duration(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined) {
      return undefined;
    }
    const duration = Duration.fromISO(value);
    const millis = duration.isValid ? duration.as('milliseconds') : NaN;
    if (!(millis > 0) || duration.as('days') > MAX_WAIT_DAYS) {
      this.problem(
        'invalid_duration',
        key,
        `must be a positive ISO 8601 duration (e.g. PT48H) of at most ${MAX_WAIT_DAYS} days`,
      );
      return undefined;
    }
    return value;
  }

  /** An IANA zone name, or `contact` when `allowContact` (the contact's own zone). */
  timeZone(key: string, allowContact: boolean): string | undefined {
    const value = this.string(key);
    if (value === undefined || (allowContact && value === 'contact')) {
      return value;
    }
    if (!IANAZone.isValidZone(value)) {
      this.problem('invalid_time_zone', key, 'must be an IANA time zone such as Europe/Berlin');
      return undefined;
    }
    return value;
  }

  time(key: string): string | undefined {
    const value = this.string(key);
    if (value !== undefined && !TIME_PATTERN.test(value)) {
      this.problem('invalid_time', key, 'must be a time of day as HH:mm (24-hour)');
      return undefined;
    }
    return value;
  }

  value(key: string): unknown {
    return this.raw[key];
  }

  /** A list of objects; each element that is not one is reported and comes back undefined. */
  objects(key: string): (FieldReader | undefined)[] | undefined {
    return this.array(key)?.map((item, index) => {
      const path = `${this.at(key)}[${index}]`;
      if (!isObject(item)) {
        this.problems.add('invalid_value', this.stepId, path, 'must be an object');
        return undefined;
      }
      return new FieldReader(item, path, this.stepId, this.problems);
    });
  }

  array(key: string): unknown[] | undefined {
    const value = this.raw[key];
    if (!Array.isArray(value)) {
      this.missingOrInvalid(key, 'must be a list');
      return undefined;
    }
    return value as unknown[];
  }

  problem(code: Parameters<ProblemList['add']>[0], key: string, message: string): void {
    this.problems.add(code, this.stepId, this.at(key), message);
  }

  private missingOrInvalid(key: string, message: string): void {
    if (this.has(key)) {
      this.problem('invalid_value', key, message);
    } else {
      this.problem('missing_field', key, 'is required');
    }
  }
}
