import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { CompiledTemplates } from './compiled-templates';
import { ContactFieldCatalog } from './contact-field-catalog';
import { checkTemplate } from './template-checker';
import { type TemplateParts } from './template-parts';
import {
  type TemplateInput,
  type TemplateSummaryView,
  templateSummaryView,
  type TemplateView,
  templateView,
} from './template-views';
import { TemplatesRepository } from './templates.repository';

export const templateNotFound = () => new SealpostError(ErrorCode.NotFound, 'No such template.');

/** Create, read, edit and delete templates; nothing is saved that does not check. */
@Injectable()
export class TemplatesService {
  private readonly logger = new Logger(TemplatesService.name);

  constructor(
    private readonly templates: TemplatesRepository,
    private readonly compiled: CompiledTemplates,
    private readonly catalog: ContactFieldCatalog,
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async create(caller: AuthContext, input: TemplateInput): Promise<TemplateView> {
    const parts = await this.checked(caller.organisationId, input);
    const stored = await this.audited(caller, 'template.created', async (tx) => {
      const row = await this.templates.insert(caller.organisationId, input.name.trim(), parts, tx);
      return { result: row, targetId: row.id, version: row.version };
    });
    this.logger.log(
      { organisationId: caller.organisationId, templateId: stored.id },
      'template created',
    );
    return templateView(stored);
  }

  async update(caller: AuthContext, id: string, input: TemplateInput): Promise<TemplateView> {
    // Another organisation's template is not found before it is anything else.
    if (!(await this.templates.find(caller.organisationId, id))) {
      throw templateNotFound();
    }
    const parts = await this.checked(caller.organisationId, input);
    const stored = await this.audited(caller, 'template.edited', async (tx) => {
      const name = input.name.trim();
      const row = await this.templates.update(caller.organisationId, id, name, parts, tx);
      if (!row) {
        throw templateNotFound();
      }
      return { result: row, targetId: id, version: row.version };
    });
    this.compiled.forget(caller.organisationId, id);
    this.logger.log(
      { organisationId: caller.organisationId, templateId: id, version: stored.version },
      'template updated',
    );
    return templateView(stored);
  }

  async get(caller: AuthContext, id: string): Promise<TemplateView> {
    const stored = await this.templates.find(caller.organisationId, id);
    if (!stored) {
      throw templateNotFound();
    }
    return templateView(stored);
  }

  async list(caller: AuthContext): Promise<TemplateSummaryView[]> {
    return (await this.templates.list(caller.organisationId)).map(templateSummaryView);
  }

  async remove(caller: AuthContext, id: string): Promise<void> {
    await this.audited(caller, 'template.deleted', async (tx) => {
      if (!(await this.templates.remove(caller.organisationId, id, tx))) {
        throw templateNotFound();
      }
      return { result: undefined, targetId: id };
    });
    this.compiled.forget(caller.organisationId, id);
    this.logger.log({ organisationId: caller.organisationId, templateId: id }, 'template deleted');
  }

  /** Runs a change and appends its audit record in one transaction (fail closed). */
  private async audited<T>(
    caller: AuthContext,
    action: string,
    change: (tx: EntityManager) => Promise<{ result: T; targetId: string; version?: number }>,
  ): Promise<T> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const { result, targetId, version } = await change(tx);
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action,
        target: { type: 'template', id: targetId },
        details: version === undefined ? {} : { version },
      });
      return result;
    });
  }

  /** The parts to store, or a 422 listing every problem with its part and line. */
  async checked(
    organisationId: string,
    input: Omit<TemplateInput, 'name'>,
  ): Promise<TemplateParts> {
    const parts: TemplateParts = { subject: input.subject, text: input.text, html: input.html };
    const fields = await this.catalog.fieldsOf(organisationId);
    const problems = checkTemplate(parts, new Set(fields.map((field) => field.key)));
    if (problems.length) {
      throw new SealpostError(
        ErrorCode.ValidationFailed,
        `The template has ${problems.length} problem(s); each is listed in details.`,
        problems,
      );
    }
    return parts;
  }
}
