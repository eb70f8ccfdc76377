import { Injectable } from '@nestjs/common';
import { CompiledTemplates } from './compiled-templates';
import { type RenderedTemplate, type RenderInput } from './template-parts';
import { templateNotFound } from './templates.service';

/**
 * What the journey engine calls to render a Send Email step for one contact. Throws
 * TemplateError (code missing_value or invalid_value, with the variable path) when this
 * contact cannot be rendered, and not_found when the template is not the organisation's.
 */
@Injectable()
export class TemplateRenderService {
  constructor(private readonly compiled: CompiledTemplates) {}

  async render(
    organisationId: string,
    templateId: string,
    input: RenderInput,
  ): Promise<RenderedTemplate> {
    const template = await this.compiled.get(organisationId, templateId);
    if (!template) {
      throw templateNotFound();
    }
    return template.render(input);
  }
}
