import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  type RenderedTemplate,
  TemplatePreviewService,
  TemplatesService,
  type TemplateSummaryView,
  type TemplateView,
  templateNotFound,
} from '@sealpost/workflow';
import { DraftPreviewDto, PreviewDto, TemplateDto } from './template.dto';

const templateId = () => new ParseUUIDPipe({ exceptionFactory: templateNotFound });

/** Email templates for journeys: Handlebars checked at save, previewed before use. */
@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly previews: TemplatePreviewService,
  ) {}

  @Post()
  @RequireScope('templates:manage')
  @ApiResponse({ status: 201, description: 'Saved; version 1.' })
  @ApiResponse({ status: 422, description: 'Every problem, with its part and line.' })
  create(@Caller() caller: AuthContext, @Body() dto: TemplateDto): Promise<TemplateView> {
    return this.templates.create(caller, dto);
  }

  @Get()
  @RequireScope('templates:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: TemplateSummaryView[] }> {
    return { data: await this.templates.list(caller) };
  }

  /** Renders a template that is not saved, after the same checks as saving. */
  @Post('preview')
  @HttpCode(200)
  @RequireScope('templates:manage')
  previewDraft(
    @Caller() caller: AuthContext,
    @Body() dto: DraftPreviewDto,
  ): Promise<RenderedTemplate> {
    return this.previews.previewDraft(caller, dto.template, dto);
  }

  @Get(':id')
  @RequireScope('templates:manage')
  get(@Caller() caller: AuthContext, @Param('id', templateId()) id: string): Promise<TemplateView> {
    return this.templates.get(caller, id);
  }

  @Put(':id')
  @RequireScope('templates:manage')
  @ApiResponse({ status: 200, description: 'Saved as the next version.' })
  update(
    @Caller() caller: AuthContext,
    @Param('id', templateId()) id: string,
    @Body() dto: TemplateDto,
  ): Promise<TemplateView> {
    return this.templates.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('templates:manage')
  remove(@Caller() caller: AuthContext, @Param('id', templateId()) id: string): Promise<void> {
    return this.templates.remove(caller, id);
  }

  /** Renders the saved template for a contact of yours or for sample data. */
  @Post(':id/preview')
  @HttpCode(200)
  @RequireScope('templates:manage')
  @ApiResponse({ status: 422, description: 'missing_value or invalid_value, with the path.' })
  preview(
    @Caller() caller: AuthContext,
    @Param('id', templateId()) id: string,
    @Body() dto: PreviewDto,
  ): Promise<RenderedTemplate> {
    return this.previews.previewSaved(caller, id, dto);
  }
}
