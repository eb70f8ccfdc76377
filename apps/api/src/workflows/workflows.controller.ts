import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import {
  EnrollContactsUseCase,
  type EnrollmentSource,
  type EnrollmentSummary,
  renderFunnelSvg,
  type WorkflowDefinition,
  type WorkflowStats,
  WorkflowStatsService,
  WorkflowsService,
  type WorkflowView,
} from '@sealpost/workflow';
import { CreateWorkflowDto, EnrollDto, UpdateWorkflowDto } from './workflow.dto';

const notFound = () => new SealpostError(ErrorCode.NotFound, 'No such workflow.');
const workflowId = () => new ParseUUIDPipe({ exceptionFactory: notFound });

/** Engagement workflows: versioned definitions, enrollment, pause/resume/archive, counts. */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('v1/workflows')
export class WorkflowsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly enrollments: EnrollContactsUseCase,
    private readonly stats: WorkflowStatsService,
  ) {}

  @Post()
  @RequireScope('workflows:manage')
  @ApiResponse({ status: 201, description: 'Created and active, as version 1.' })
  @ApiResponse({ status: 422, description: 'Every definition problem, with code and step id.' })
  create(@Caller() caller: AuthContext, @Body() dto: CreateWorkflowDto): Promise<WorkflowView> {
    return this.workflows.create(caller, {
      name: dto.name,
      settings: {
        senderName: dto.settings.senderName ?? null,
        senderAddress: dto.settings.senderAddress,
        replyTo: dto.settings.replyTo ?? null,
        priority: dto.settings.priority ?? 0,
      },
      definition: dto.definition,
    });
  }

  @Get()
  @RequireScope('workflows:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: WorkflowView[] }> {
    return { data: await this.workflows.list(caller) };
  }

  @Get(':id')
  @RequireScope('workflows:manage')
  get(@Caller() caller: AuthContext, @Param('id', workflowId()) id: string): Promise<WorkflowView> {
    return this.workflows.get(caller, id);
  }

  /** A new definition publishes the next version; contacts already in it keep theirs. */
  @Patch(':id')
  @RequireScope('workflows:manage')
  update(
    @Caller() caller: AuthContext,
    @Param('id', workflowId()) id: string,
    @Body() dto: UpdateWorkflowDto,
  ): Promise<WorkflowView> {
    return this.workflows.update(caller, id, dto);
  }

  @Get(':id/versions/:version')
  @RequireScope('workflows:manage')
  version(
    @Caller() caller: AuthContext,
    @Param('id', workflowId()) id: string,
    @Param('version', new ParseIntPipe({ exceptionFactory: notFound })) version: number,
  ): Promise<WorkflowDefinition> {
    return this.workflows.getVersion(caller, id, version);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireScope('workflows:manage')
  pause(@Caller() caller: AuthContext, @Param('id', workflowId()) id: string) {
    return this.workflows.pause(caller, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireScope('workflows:manage')
  resume(@Caller() caller: AuthContext, @Param('id', workflowId()) id: string) {
    return this.workflows.resume(caller, id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @RequireScope('workflows:manage')
  archive(@Caller() caller: AuthContext, @Param('id', workflowId()) id: string) {
    return this.workflows.archive(caller, id);
  }

  /** Enrolls by contact ids, a list or a segment; contacts enrolled before are skipped. */
  @Post(':id/enrollments')
  @HttpCode(200)
  @RequireScope('workflows:manage')
  enroll(
    @Caller() caller: AuthContext,
    @Param('id', workflowId()) id: string,
    @Body() dto: EnrollDto,
  ): Promise<EnrollmentSummary> {
    return this.enrollments.execute(caller, id, sourceOf(dto));
  }

  @Get(':id/stats')
  @RequireScope('workflows:manage')
  statsOf(
    @Caller() caller: AuthContext,
    @Param('id', workflowId()) id: string,
  ): Promise<WorkflowStats> {
    return this.stats.get(caller, id);
  }

  /** The funnel as an SVG drawn on the server: no scripts or third-party assets. */
  @Get(':id/funnel.svg')
  @RequireScope('workflows:manage')
  @Header('content-type', 'image/svg+xml; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  async funnel(
    @Caller() caller: AuthContext,
    @Param('id', workflowId()) id: string,
  ): Promise<string> {
    const workflow = await this.workflows.get(caller, id);
    return renderFunnelSvg(workflow.name, await this.stats.get(caller, id));
  }
}

function sourceOf(dto: EnrollDto): EnrollmentSource {
  const given = [dto.contactIds, dto.listId, dto.segmentId].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new SealpostError(
      ErrorCode.ValidationFailed,
      'Name exactly one of contactIds, listId or segmentId.',
      [{ path: 'contactIds', message: 'exactly one of contactIds, listId, segmentId is required' }],
    );
  }
  if (dto.contactIds) {
    return { contactIds: dto.contactIds };
  }
  return dto.listId ? { listId: dto.listId } : { segmentId: dto.segmentId as string };
}
