import { Module } from '@nestjs/common';
import { CompiledTemplates } from './compiled-templates';
import { ContactFieldCatalog } from './contact-field-catalog';
import { SqlContactFieldCatalog } from './sql-contact-field-catalog';
import { TemplatePreviewService } from './template-preview.service';
import { TemplateRenderService } from './template-render.service';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

/** Templates: CRUD with save-time checks, rendering for journeys, previews for the API. */
@Module({
  providers: [
    TemplatesRepository,
    CompiledTemplates,
    TemplatesService,
    TemplateRenderService,
    TemplatePreviewService,
    { provide: ContactFieldCatalog, useClass: SqlContactFieldCatalog },
  ],
  exports: [TemplatesService, TemplateRenderService, TemplatePreviewService],
})
export class TemplatesModule {}
