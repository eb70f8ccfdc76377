import { type z } from 'zod';
import { type ErrorDetail } from './sealpost-error';

/**
 * Fixed sentences for zod's issues, as an error map (`safeParse(input, { error })`): some of
 * zod's own wording quotes the received value, which may be PHI and would reach responses
 * and logs. A schema's own `error` text, where it gives one, still wins.
 */
export function describeZodIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `must be ${TYPE_NAMES[issue.expected] ?? 'of another type'}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${String(issue.minimum)} entries`
        : `must be at least ${String(issue.minimum)} long`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must have at most ${String(issue.maximum)} entries`
        : `must be at most ${String(issue.maximum)} long`;
    case 'invalid_format':
      return issue.format === 'base64' ? 'must be base64' : 'is invalid';
    case 'custom':
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
    case 'not_multiple_of':
    case 'unrecognized_keys':
      return 'is invalid';
  }
}

const TYPE_NAMES: Partial<Record<string, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
};

/**
 * One detail per problem, its path written `attachments[0].filename`; an unknown property is
 * named (the caller sent the name) with `unknownKeyMessage`, its value never.
 */
export function zodIssueDetails(
  issues: readonly z.core.$ZodIssue[],
  rootLabel: string,
  unknownKeyMessage: string,
): ErrorDetail[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...issue.path, key], rootLabel),
          message: unknownKeyMessage,
        }))
      : [{ path: formatPath(issue.path, rootLabel), message: issue.message }],
  );
}

function formatPath(path: readonly PropertyKey[], rootLabel: string): string {
  const text = path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? rootLabel : text;
}
