import { type ErrorDetail } from '@sealpost/core';
import { parseMailbox } from '@sealpost/messaging';
import { type ContactFieldDefinition, fieldValueProblem } from './contact-field-type';
import { canonicalTimeZone } from './time-zone';

const MAX_EMAIL_LENGTH = 320;
const MAX_TEXT_LENGTH = 200;

/**
 * A validated write to one contact. An attribute left undefined is left as it is; null
 * clears it. A custom field set to null is removed.
 */
export interface ContactChange {
  email?: string;
  emailNormalised?: string;
  name?: string | null;
  timeZone?: string;
  fields?: Record<string, unknown>;
  unsubscribed?: boolean;
  consent?: string | null;
  ehrPatientRef?: string | null;
}

export type ContactInputResult =
  { ok: true; change: ContactChange } | { ok: false; problems: ErrorDetail[] };

const ATTRIBUTES = new Set([
  'email',
  'name',
  'timeZone',
  'fields',
  'unsubscribed',
  'consent',
  'ehrPatientRef',
]);

/**
 * Checks a contact as a client sent it (JSON, a bulk row, a CSV line turned into an object)
 * and lists every problem by path. Messages never quote a value: they may be PHI.
 */
export function readContactInput(
  raw: unknown,
  catalog: readonly ContactFieldDefinition[],
  options: { emailRequired: boolean },
): ContactInputResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '', message: 'must be an object' }] };
  }
  const input = raw as Record<string, unknown>;
  const problems: ErrorDetail[] = [];
  const change: ContactChange = {};

  for (const key of Object.keys(input)) {
    if (!ATTRIBUTES.has(key)) {
      problems.push({ path: key, message: 'is not a contact attribute' });
    }
  }

  readEmail(input.email, options.emailRequired, change, problems);
  change.name = optionalText(input, 'name', problems);
  change.consent = optionalText(input, 'consent', problems);
  change.ehrPatientRef = optionalText(input, 'ehrPatientRef', problems);

  if (input.timeZone !== undefined) {
    const zone = typeof input.timeZone === 'string' ? canonicalTimeZone(input.timeZone) : null;
    if (zone) {
      change.timeZone = zone;
    } else {
      problems.push({
        path: 'timeZone',
        message: 'must be an IANA time zone such as Europe/Berlin',
      });
    }
  }

  if (input.unsubscribed !== undefined) {
    if (typeof input.unsubscribed === 'boolean') {
      change.unsubscribed = input.unsubscribed;
    } else {
      problems.push({ path: 'unsubscribed', message: 'must be true or false' });
    }
  }

  if (input.fields !== undefined) {
    change.fields = readFields(input.fields, catalog, problems);
  }

  return problems.length ? { ok: false, problems } : { ok: true, change };
}

function readEmail(
  value: unknown,
  required: boolean,
  change: ContactChange,
  problems: ErrorDetail[],
): void {
  if (value === undefined) {
    if (required) {
      problems.push({ path: 'email', message: 'is required' });
    }
    return;
  }
  const mailbox =
    typeof value === 'string' && value.length <= MAX_EMAIL_LENGTH && !value.includes('<')
      ? parseMailbox(value)
      : null;
  if (!mailbox) {
    problems.push({ path: 'email', message: 'must be a valid email address' });
    return;
  }
  change.email = mailbox.address;
  change.emailNormalised = mailbox.address.toLowerCase();
}

function optionalText(
  input: Record<string, unknown>,
  key: 'name' | 'consent' | 'ehrPatientRef',
  problems: ErrorDetail[],
): string | null | undefined {
  const value = input[key];
  if (value === undefined || value === null) {
    return value;
  }
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH) {
    problems.push({
      path: key,
      message: `must be a string of at most ${MAX_TEXT_LENGTH} characters`,
    });
    return undefined;
  }
  return value;
}

function readFields(
  value: unknown,
  catalog: readonly ContactFieldDefinition[],
  problems: ErrorDetail[],
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: 'fields', message: 'must be an object of declared contact fields' });
    return undefined;
  }
  const types = new Map(catalog.map((field) => [field.key, field.type]));
  const fields: Record<string, unknown> = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    const type = types.get(key);
    if (!type) {
      problems.push({ path: `fields.${key}`, message: 'is not a declared contact field' });
      continue;
    }
    const problem = fieldValue === null ? null : fieldValueProblem(type, fieldValue);
    if (problem) {
      problems.push({ path: `fields.${key}`, message: problem });
      continue;
    }
    fields[key] = fieldValue;
  }
  return fields;
}
