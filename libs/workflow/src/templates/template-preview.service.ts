import { Injectable } from '@nestjs/common';
import { type AuthContext, ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { CompiledTemplate } from './compiled-template';
import { type RenderedTemplate, type TemplateContact } from './template-parts';
import { type TemplateInput } from './template-views';
import { TemplatesRepository } from './templates.repository';
import { templateNotFound, TemplatesService } from './templates.service';

/** Whose values a preview uses: a stored contact of the caller's, or sample data. */
export interface PreviewSubject {
  contactId?: string;
  contact?: Partial<TemplateContact>;
  trigger?: Record<string, unknown>;
}

interface ContactRow {
  id: string;
  email: string;
  name: string | null;
  time_zone: string;
  fields: Record<string, unknown>;
}

/** Renders a saved template, or a draft, for one contact without sending anything. */
@Injectable()
export class TemplatePreviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly templates: TemplatesRepository,
    private readonly service: TemplatesService,
  ) {}

  async previewSaved(
    caller: AuthContext,
    templateId: string,
    subject: PreviewSubject,
  ): Promise<RenderedTemplate> {
    const stored = await this.templates.find(caller.organisationId, templateId);
    if (!stored) {
      throw templateNotFound();
    }
    return new CompiledTemplate(stored.parts).render(await this.inputOf(caller, subject));
  }

  async previewDraft(
    caller: AuthContext,
    draft: Omit<TemplateInput, 'name'>,
    subject: PreviewSubject,
  ): Promise<RenderedTemplate> {
    const parts = await this.service.checked(caller.organisationId, draft);
    return new CompiledTemplate(parts).render(await this.inputOf(caller, subject));
  }

  private async inputOf(caller: AuthContext, subject: PreviewSubject) {
    const trigger = subject.trigger ?? {};
    if (subject.contactId) {
      return { contact: await this.contact(caller, subject.contactId), trigger };
    }
    const sample = subject.contact ?? {};
    const contact: TemplateContact = {
      id: sample.id ?? 'sample',
      email: sample.email ?? 'sample@example.com',
      name: sample.name ?? null,
      timeZone: sample.timeZone ?? 'UTC',
      fields: sample.fields ?? {},
    };
    return { contact, trigger };
  }

  private async contact(caller: AuthContext, id: string): Promise<TemplateContact> {
    const [row] = await this.dataSource.query<ContactRow[]>(
      `SELECT id, email, name, time_zone, fields FROM contacts
        WHERE id = $1 AND organisation_id = $2`,
      [id, caller.organisationId],
    );
    if (!row) {
      throw new SealpostError(ErrorCode.NotFound, 'No such contact.');
    }
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      timeZone: row.time_zone,
      fields: row.fields,
    };
  }
}
