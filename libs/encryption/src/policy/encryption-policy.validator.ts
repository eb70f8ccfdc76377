import { describeZodIssue, zodIssueDetails } from '@sealpost/core';
import { z } from 'zod';
import { isValidDomainPattern, isValidSenderPattern } from './address-pattern.util';
import {
  DOMAIN_OVERRIDE_ACTIONS,
  ENCRYPTION_METHODS,
  type EncryptionPolicy,
  type ProtectionSettings,
} from './encryption-policy';
import { checkPolicyRegex, MAX_POLICY_REGEX_LENGTH } from './policy-regex.util';

/** One reason a policy was refused. The message names the fault, never the value at the path. */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

export type PolicyValidation =
  | { readonly ok: true; readonly policy: EncryptionPolicy }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

// A tag shares the subject line with what the sender wrote; longer ones are typos or abuse.
const MAX_TAG_LENGTH = 32;
// Bounds on lists keep a stored policy, and the work done for every recipient, small.
const MAX_ADDRESS_PATTERNS = 500;
const MAX_REGEX_PATTERNS = 50;

const isArrayValue = (payload: { value: unknown }): boolean => Array.isArray(payload.value);

const tagSchema = z
  .string({ error: 'must be a string or null' })
  .superRefine((tag, ctx) => {
    if (tag.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'must not be empty (use null to turn it off)' });
    } else if (tag.length > MAX_TAG_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_TAG_LENGTH} characters` });
    } else if (/\p{Cc}/u.test(tag)) {
      ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
    }
  })
  .nullable();

const domainPatternSchema = z
  .string()
  .refine(isValidDomainPattern, 'is not a valid domain (example.org or .example.org)');

const senderPatternSchema = z
  .string()
  .refine(isValidSenderPattern, 'is not a valid address or @domain');

const REGEX_MESSAGES = {
  syntax: 'is not a valid regular expression (Unicode mode)',
  'nested-quantifier':
    'repeats a group that itself repeats, like (a+)+, which can take exponential time',
  'matches-empty': 'matches an empty text, so it would flag every message',
} as const;

const regexSourceSchema = z.string().superRefine((source, ctx) => {
  if (source.length > MAX_POLICY_REGEX_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      message: `must be at most ${MAX_POLICY_REGEX_LENGTH} characters`,
    });
    return;
  }

  const check = checkPolicyRegex(source);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: REGEX_MESSAGES[check.problem] });
  }
});

// Entra object ids are GUIDs; other directories' group ids are short tokens of this alphabet.
const groupIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'is not a valid directory group id'))
  .max(MAX_ADDRESS_PATTERNS)
  .optional();

const regexListSchema = z.array(regexSourceSchema).max(MAX_REGEX_PATTERNS);

const protectionSchema = z.strictObject({
  mode: z.enum(['always', 'rules']),
  senders: z.array(senderPatternSchema).max(MAX_ADDRESS_PATTERNS),
  recipientDomains: z.array(domainPatternSchema).max(MAX_ADDRESS_PATTERNS),
  subjectTag: tagSchema,
  honourHeader: z.boolean(),
  detectors: z.strictObject({
    ssn: z.boolean(),
    dateOfBirthNearName: z.boolean(),
    icd10: z.boolean(),
    medicalRecordNumbers: regexListSchema,
    custom: regexListSchema,
  }),
  senderGroups: groupIdsSchema,
});

const methodOrderSchema = z
  .array(z.enum(ENCRYPTION_METHODS, { error: 'is not a known method (pgp, smime, tls, portal)' }))
  .min(1, 'must name at least one method')
  .superRefine(
    (methods, ctx) => reportRepeats(methods, (method) => method, 'repeats a method', ctx),
    { when: isArrayValue },
  );

const domainOverridesSchema = z
  .array(
    z.strictObject({
      domain: domainPatternSchema,
      action: z.enum(DOMAIN_OVERRIDE_ACTIONS, {
        error: 'is not a known action (force-portal, tls-exclusive)',
      }),
    }),
  )
  .max(MAX_ADDRESS_PATTERNS)
  .superRefine(
    (overrides, ctx) =>
      reportRepeats(
        overrides,
        (override: unknown) => readString(override, 'domain')?.toLowerCase(),
        'repeats a domain overridden before',
        ctx,
        'domain',
      ),
    { when: isArrayValue },
  );

const policySchema = z.strictObject({
  protection: protectionSchema,
  methodOrder: methodOrderSchema,
  domainOverrides: domainOverridesSchema,
  optOut: z.strictObject({
    tag: tagSchema,
    senders: z.array(senderPatternSchema).max(MAX_ADDRESS_PATTERNS),
    senderGroups: groupIdsSchema,
  }),
});

/**
 * Checks a policy as an admin submitted it and lists every problem at once, so one round
 * trip shows all that must be fixed. Messages never quote the submitted values: patterns and
 * addresses may hold PHI, and problems end up in API responses and logs.
 */
export function validatePolicy(input: unknown): PolicyValidation {
  const parsed = policySchema.safeParse(input, { error: describeZodIssue });
  const problems: PolicyProblem[] = parsed.success
    ? []
    : zodIssueDetails(parsed.error.issues, '(policy)', 'is not a known setting');
  problems.push(...checkAcrossFields(input));

  if (parsed.success && problems.length === 0) {
    return { ok: true, policy: parsed.data };
  }
  return { ok: false, problems };
}

// Rules between fields, read from the raw input so they are reported beside any other problem.
function checkAcrossFields(input: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const protection = protectionSchema.safeParse(readField(input, 'protection'));
  const optOutTag = readString(readField(input, 'optOut'), 'tag');

  if (protection.success && !canEverRequire(protection.data)) {
    problems.push({
      path: 'protection.mode',
      message: 'rules mode needs at least one sender, domain, tag, header or detector',
    });
  }

  const subjectTag = protection.success ? protection.data.subjectTag : null;
  if (subjectTag !== null && optOutTag?.trim().toLowerCase() === subjectTag.trim().toLowerCase()) {
    problems.push({ path: 'optOut.tag', message: 'must differ from protection.subjectTag' });
  }
  return problems;
}

function canEverRequire(protection: ProtectionSettings): boolean {
  const { detectors } = protection;
  return (
    protection.mode === 'always' ||
    protection.senders.length > 0 ||
    protection.recipientDomains.length > 0 ||
    protection.subjectTag !== null ||
    protection.honourHeader ||
    (protection.senderGroups?.length ?? 0) > 0 ||
    detectors.ssn ||
    detectors.dateOfBirthNearName ||
    detectors.icd10 ||
    detectors.medicalRecordNumbers.length > 0 ||
    detectors.custom.length > 0
  );
}

function reportRepeats<T>(
  items: readonly T[],
  keyOf: (item: T) => unknown,
  message: string,
  ctx: z.RefinementCtx,
  field?: string,
): void {
  const seen = new Set<unknown>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (typeof key !== 'string') {
      return;
    }

    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', message, path: field ? [index, field] : [index] });
    }
    seen.add(key);
  });
}

function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  const field = readField(value, key);
  return typeof field === 'string' ? field : undefined;
}
