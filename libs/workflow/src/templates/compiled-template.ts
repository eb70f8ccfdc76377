import Handlebars from 'handlebars';
import { formatDateIn, dateTimeOf, isKnownZone } from './format-date';
import {
  type BlockStatement,
  FORMAT_DATE,
  type MustacheStatement,
  parsePart,
  type Program,
  type Statement,
} from './template-grammar';
import { TemplateError } from './template-error';
import {
  type RenderedTemplate,
  type RenderInput,
  TEMPLATE_PART_NAMES,
  type TemplatePartName,
  type TemplateParts,
} from './template-parts';

type RenderContext = Record<string, unknown>;

// One environment for every template: it holds only the formatDate helper, no partials.
const handlebars = Handlebars.create();
handlebars.registerHelper(FORMAT_DATE, (value: unknown, format: unknown, options: unknown) => {
  const root = (options as { data?: { root?: { contact?: { timeZone?: string } } } }).data?.root;
  return formatDateIn(value, String(format), root?.contact?.timeZone ?? 'UTC');
});

interface CompiledPart {
  program: Program;
  render: HandlebarsTemplateDelegate<RenderContext>;
}

/**
 * A checked template ready to render many contacts. Before Handlebars runs, the values the
 * contact will actually see are resolved along the branches the contact takes, so a missing
 * value fails with its path instead of rendering as a blank.
 */
export class CompiledTemplate {
  private readonly parts = new Map<TemplatePartName, CompiledPart>();

  constructor(source: TemplateParts) {
    for (const name of TEMPLATE_PART_NAMES) {
      const text = source[name];
      if (text === undefined) {
        continue;
      }
      const parsed = parsePart(text);
      if (!parsed.ok) {
        throw new Error(`template part ${name} does not parse; it was not checked before saving`);
      }
      const render = handlebars.compile<RenderContext>(parsed.program, {
        // HTML escapes by default; subject and text are plain text, where `&amp;` is wrong.
        noEscape: name !== 'html',
        knownHelpers: { [FORMAT_DATE]: true },
        knownHelpersOnly: true,
      });
      this.parts.set(name, { program: parsed.program, render });
    }
  }

  render(input: RenderInput): RenderedTemplate {
    const context = contextOf(input);
    const zone = input.contact.timeZone;
    if (!isKnownZone(zone)) {
      throw TemplateError.invalid('contact.timeZone', 'is not a known IANA time zone');
    }
    const rendered: Partial<Record<TemplatePartName, string>> = {};
    for (const [name, part] of this.parts) {
      new ValueResolver(context, zone).program(part.program);
      rendered[name] = part.render(context);
    }
    return {
      // A subject is one header line: a value with line breaks must not start another.
      subject: (rendered.subject ?? '').replace(/[\r\n]+/g, ' ').trim(),
      ...(rendered.text !== undefined ? { text: rendered.text } : {}),
      ...(rendered.html !== undefined ? { html: rendered.html } : {}),
    };
  }
}

function contextOf({ contact, trigger }: RenderInput): RenderContext {
  return {
    contact: {
      id: contact.id,
      email: contact.email,
      name: contact.name,
      timeZone: contact.timeZone,
      fields: contact.fields,
    },
    trigger: trigger ?? {},
  };
}

/** Walks one part as Handlebars will, checking each value on the branches taken. */
class ValueResolver {
  constructor(
    private readonly context: RenderContext,
    private readonly zone: string,
  ) {}

  program(program: Program | undefined): void {
    for (const statement of program?.body ?? []) {
      this.statement(statement);
    }
  }

  private statement(statement: Statement): void {
    if (statement.type === 'MustacheStatement') {
      this.mustache(statement as MustacheStatement);
    } else if (statement.type === 'BlockStatement') {
      const block = statement as BlockStatement;
      const condition = lookup(this.context, block.params[0] as hbs.AST.PathExpression);
      const truthy = !isEmpty(condition);
      const shown = block.path.original === 'if' ? truthy : !truthy;
      this.program(shown ? block.program : block.inverse);
    }
  }

  private mustache(mustache: MustacheStatement): void {
    const path = mustache.path as hbs.AST.PathExpression;
    if (path.original !== FORMAT_DATE) {
      if (typeof this.require(path) === 'object') {
        throw TemplateError.invalid(path.original, 'is a list or object, not a single value');
      }
      return;
    }
    const argument = mustache.params[0] as hbs.AST.PathExpression;
    if (!dateTimeOf(this.require(argument), this.zone).isValid) {
      throw TemplateError.invalid(
        argument.original,
        'is not a date or date-time formatDate can read',
      );
    }
  }

  private require(path: hbs.AST.PathExpression): unknown {
    const value = lookup(this.context, path);
    if (value === undefined || value === null || value === '') {
      throw TemplateError.missing(path.original);
    }
    return value;
  }
}

/** Own properties only, as Handlebars allows: `constructor` or `__proto__` find nothing. */
function lookup(context: RenderContext, path: hbs.AST.PathExpression): unknown {
  let value: unknown = context;
  for (const key of path.parts) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Handlebars' own test for #if: falsy, or an empty list. */
function isEmpty(value: unknown): boolean {
  return !value || (Array.isArray(value) && value.length === 0);
}
