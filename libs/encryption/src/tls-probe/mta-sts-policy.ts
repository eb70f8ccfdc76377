/** Parsing of MTA-STS records and policies (RFC 8461 sections 3.1, 3.2 and 4.1). */

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  mode: MtaStsMode;
  /** MX patterns in lower case, without a trailing dot; `*.example.net` is a wildcard. */
  mx: string[];
  /** Seconds the policy may be cached. */
  maxAge: number;
}

export type MtaStsTxtRecord =
  { kind: 'record'; id: string } | { kind: 'absent' } | { kind: 'invalid'; reason: string };

export type MtaStsPolicyParse = { ok: true; policy: MtaStsPolicy } | { ok: false; reason: string };

const TXT_PREFIX = 'v=STSv1;';
const TXT_ID = /^[A-Za-z0-9]{1,32}$/;
const TXT_EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const TXT_EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;
const POLICY_FIELD = /^([A-Za-z0-9_.-]{1,32}):[ \t]*(.*?)[ \t]*$/;
const MAX_AGE_DIGITS = /^\d{1,10}$/;
// RFC 8461 section 3.2: max_age is at most 31557600 seconds (one year).
const MAX_AGE_LIMIT = 31_557_600;
const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const MODES: readonly string[] = ['enforce', 'testing', 'none'];

/** Host names compare case-insensitively and with or without the root's trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Reads the `_mta-sts` TXT answer. Records not starting with `v=STSv1;` are someone else's;
 * more than one of ours, or one that does not parse, counts as no policy (section 3.1).
 */
export function parseMtaStsTxt(records: string[][]): MtaStsTxtRecord {
  const ours = records.map((chunks) => chunks.join('')).filter((r) => r.startsWith(TXT_PREFIX));
  if (ours.length === 0) {
    return { kind: 'absent' };
  }
  if (ours.length > 1) {
    return { kind: 'invalid', reason: 'more than one v=STSv1 TXT record' };
  }

  const fields = ours[0]
    .split(';')
    .map((field) => field.trim())
    .filter((field, index, all) => field !== '' || index !== all.length - 1);
  let id: string | undefined;
  for (const field of fields.slice(1)) {
    const eq = field.indexOf('=');
    const name = eq > 0 ? field.slice(0, eq) : '';
    const value = field.slice(eq + 1);
    if (name === 'id') {
      if (!TXT_ID.test(value) || id !== undefined) {
        return { kind: 'invalid', reason: 'TXT record has an invalid id' };
      }
      id = value;
    } else if (!TXT_EXT_NAME.test(name) || !TXT_EXT_VALUE.test(value)) {
      return { kind: 'invalid', reason: 'TXT record has a malformed field' };
    }
  }
  return id === undefined
    ? { kind: 'invalid', reason: 'TXT record has no id' }
    : { kind: 'record', id };
}

/**
 * Reads the policy file. Unknown fields are ignored; of a repeated single-valued field the
 * first counts; `mx` may repeat and is required unless the mode is `none` (section 3.2).
 */
export function parseMtaStsPolicy(body: string): MtaStsPolicyParse {
  const fields = new Map<string, string>();
  const mx: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') {
      continue;
    }
    const match = POLICY_FIELD.exec(line);
    if (!match) {
      return { ok: false, reason: 'policy has a malformed line' };
    }
    const [, name, value] = match;
    if (name === 'mx') {
      mx.push(value);
    } else if (!fields.has(name)) {
      fields.set(name, value);
    }
  }

  if (fields.get('version') !== 'STSv1') {
    return { ok: false, reason: 'policy version is not STSv1' };
  }
  const mode = fields.get('mode') ?? '';
  if (!MODES.includes(mode)) {
    return { ok: false, reason: 'policy mode is not enforce, testing or none' };
  }
  const maxAgeText = fields.get('max_age') ?? '';
  const maxAge = Number(maxAgeText);
  if (!MAX_AGE_DIGITS.test(maxAgeText) || maxAge > MAX_AGE_LIMIT) {
    return { ok: false, reason: 'policy max_age is missing or out of range' };
  }
  const patterns = mx.map(normalizeHost);
  if (patterns.some((pattern) => !DOMAIN.test(pattern.replace(/^\*\./, '')))) {
    return { ok: false, reason: 'policy has a malformed mx' };
  }
  if (mode !== 'none' && patterns.length === 0) {
    return { ok: false, reason: 'policy lists no mx' };
  }
  return { ok: true, policy: { mode: mode as MtaStsMode, mx: patterns, maxAge } };
}

/**
 * Whether an MX host is allowed by the policy's patterns (section 4.1): exact names, or
 * `*.example.net`, whose star stands for exactly one leftmost label.
 */
export function mxMatchesPolicy(host: string, patterns: readonly string[]): boolean {
  const name = normalizeHost(host);
  return patterns.some((raw) => {
    const pattern = normalizeHost(raw);
    if (!pattern.startsWith('*.')) {
      return name === pattern;
    }
    const suffix = pattern.slice(1);
    const label = name.slice(0, -suffix.length);
    return name.endsWith(suffix) && label.length > 0 && !label.includes('.');
  });
}
