import { type ErrorDetail } from '@sealpost/core';
import {
  type BlockStatement,
  FORMAT_DATE,
  isBlockHelper,
  type MustacheStatement,
  parsePart,
  type Program,
  type Statement,
  variableProblem,
} from './template-grammar';
import { TEMPLATE_PART_NAMES, type TemplatePartName, type TemplateParts } from './template-parts';

/**
 * Every problem of a template, each with its part and line: syntax errors, unknown roots,
 * contact fields the organisation does not have, and helpers outside the dialect. Empty
 * when the template may be saved.
 */
export function checkTemplate(parts: TemplateParts, fieldKeys: ReadonlySet<string>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!parts.subject.trim()) {
    problems.push({ path: 'subject', message: 'is required' });
  }
  if (parts.text === undefined && parts.html === undefined) {
    problems.push({ path: 'text', message: 'text or html is required' });
  }
  for (const part of TEMPLATE_PART_NAMES) {
    const source = parts[part];
    if (source !== undefined) {
      problems.push(...checkPart(part, source, fieldKeys));
    }
  }
  return problems;
}

function checkPart(
  part: TemplatePartName,
  source: string,
  fieldKeys: ReadonlySet<string>,
): ErrorDetail[] {
  const parsed = parsePart(source);
  if (!parsed.ok) {
    const where = parsed.line === null ? '' : ` on line ${parsed.line}`;
    return [{ path: part, message: `has a syntax error${where}` }];
  }
  const problems: string[] = [];
  new PartChecker(part, fieldKeys, problems).program(parsed.program);
  return problems.map((message) => ({ path: part, message }));
}

class PartChecker {
  constructor(
    private readonly part: TemplatePartName,
    private readonly fieldKeys: ReadonlySet<string>,
    private readonly problems: string[],
  ) {}

  program(program: Program | undefined): void {
    for (const statement of program?.body ?? []) {
      this.statement(statement);
    }
  }

  private statement(statement: Statement): void {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(statement as MustacheStatement);
      case 'BlockStatement':
        return this.block(statement as BlockStatement);
      default:
        this.report(statement, `${describe(statement.type)} are not supported`);
    }
  }

  private mustache(mustache: MustacheStatement): void {
    if (mustache.path.type !== 'PathExpression') {
      return this.report(mustache, 'only variables and formatDate may be output');
    }
    const path = mustache.path as hbs.AST.PathExpression;
    if (this.part === 'html' && !mustache.escaped) {
      this.report(mustache, `{{{${path.original}}}} is not escaped: use {{${path.original}}}`);
    }
    if (path.original === FORMAT_DATE) {
      return this.formatDate(mustache);
    }
    if (mustache.params.length || mustache.hash) {
      return this.report(mustache, `${path.original} is not a helper (helpers: formatDate)`);
    }
    if (isBlockHelper(path.original)) {
      return this.report(mustache, `${path.original} is a block: write {{#${path.original} ...}}`);
    }
    this.variable(mustache, path);
  }

  private formatDate(mustache: MustacheStatement): void {
    const [value, format] = mustache.params;
    if (mustache.params.length !== 2 || mustache.hash) {
      return this.report(mustache, 'formatDate takes a variable and a format, nothing else');
    }
    if (value.type !== 'PathExpression') {
      this.report(mustache, 'formatDate needs a variable as its first argument');
    } else {
      this.variable(mustache, value as hbs.AST.PathExpression);
    }
    if (format.type !== 'StringLiteral') {
      this.report(mustache, 'formatDate needs a quoted format as its second argument');
    }
  }

  private block(block: BlockStatement): void {
    const name = block.path.type === 'PathExpression' ? block.path.original : '';
    if (!isBlockHelper(name)) {
      this.report(block, `#${name || 'block'} is not an allowed helper (allowed: #if, #unless)`);
    } else if (block.params.length !== 1 || block.hash) {
      this.report(block, `#${name} takes exactly one variable`);
    } else if (block.params[0].type !== 'PathExpression') {
      this.report(block, `#${name} needs a variable`);
    } else {
      this.variable(block, block.params[0] as hbs.AST.PathExpression);
    }
    this.program(block.program);
    this.program(block.inverse);
  }

  private variable(node: hbs.AST.Node, path: hbs.AST.PathExpression): void {
    const problem = variableProblem(path, this.fieldKeys);
    if (problem) {
      this.report(node, problem);
    }
  }

  private report(node: hbs.AST.Node, problem: string): void {
    this.problems.push(`line ${node.loc?.start.line ?? '?'}: ${problem}`);
  }
}

function describe(type: string): string {
  switch (type) {
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return 'partials';
    case 'Decorator':
    case 'DecoratorBlock':
      return 'decorators';
    default:
      return type;
  }
}
