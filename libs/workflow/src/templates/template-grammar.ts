import Handlebars from 'handlebars';

/**
 * The small Handlebars dialect templates are written in. Every variable starts at the root
 * (`contact.` or `trigger.`), so it can be checked at save time and resolved before render;
 * only `#if`, `#unless` and `formatDate` are allowed, since a helper that changes the context
 * (`#each`, `#with`) would make variables impossible to check.
 */
export const CONTACT_KEYS = ['id', 'email', 'name', 'timeZone'] as const;
export const BLOCK_HELPERS = ['if', 'unless'] as const;
export const FORMAT_DATE = 'formatDate';

export type Statement = hbs.AST.Statement;
export type Program = hbs.AST.Program;
export type PathExpression = hbs.AST.PathExpression;
export type MustacheStatement = hbs.AST.MustacheStatement;
export type BlockStatement = hbs.AST.BlockStatement;

export type ParsedPart = { ok: true; program: Program } | { ok: false; line: number | null };

/** Parses one part; a syntax error reports its line only, as its text quotes the source. */
export function parsePart(source: string): ParsedPart {
  try {
    return { ok: true, program: Handlebars.parse(source) };
  } catch (error) {
    const line = (error as { lineNumber?: unknown }).lineNumber;
    const quoted = /on line (\d+)/.exec(error instanceof Error ? error.message : '');
    return {
      ok: false,
      line: typeof line === 'number' ? line : quoted ? Number(quoted[1]) : null,
    };
  }
}

/** Why a variable may not be used, or null when it may. `fieldKeys` are the catalog's. */
export function variableProblem(
  path: PathExpression,
  fieldKeys: ReadonlySet<string>,
): string | null {
  const name = path.original;
  if (path.data || path.depth > 0 || /^(this|\.)/.test(name)) {
    return `${name} is not a variable: variables start with contact. or trigger.`;
  }
  const [root, ...rest] = path.parts;
  if (root === 'trigger') {
    return rest.length ? null : 'trigger alone is not a value: name a key, as in trigger.time';
  }
  if (root !== 'contact') {
    return `${name} is not a variable: variables start with contact. or trigger.`;
  }
  if (rest.length === 1 && (CONTACT_KEYS as readonly string[]).includes(rest[0])) {
    return null;
  }
  if (rest[0] === 'fields' && rest.length === 2) {
    return fieldKeys.has(rest[1]) ? null : `${name} is not a contact field of this organisation`;
  }
  return (
    `${name} is not a contact variable (use contact.id, contact.email, contact.name, ` +
    'contact.timeZone or contact.fields.<key>)'
  );
}

export function isBlockHelper(name: string): boolean {
  return (BLOCK_HELPERS as readonly string[]).includes(name);
}
