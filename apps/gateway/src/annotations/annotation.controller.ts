import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import type { AnnotationRecord } from '@weft/contracts';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import {
  AnnotationJobResponseSchema,
  AnnotationJobStatusResponseSchema,
  AnnotationListQuerySchema,
  AnnotationPageResponseSchema,
  AnnotationRecordResponseSchema,
  AnnotationReplyRequestSchema,
  AnnotationRequestSchema,
  type AnnotationJobResponse,
  type AnnotationJobStatusResponse,
  type AnnotationListQuery,
  type AnnotationPage,
  type AnnotationReplyRequest,
  type AnnotationRequest,
} from './annotation.dto';
import { AnnotationService } from './annotation.service';

/** Dify's annotation routes of chat apps (`/v1/apps/annotations…`, `/v1/apps/annotation-reply/{action}…`). */
@Controller('v1/apps')
@UseGuards(AppKeyGuard)
export class AnnotationController {
  constructor(private readonly annotations: AnnotationService) {}

  @Get('annotations')
  @Returns(AnnotationPageResponseSchema)
  list(@CurrentApp() ctx: AppKeyContext, @ParsedQuery(AnnotationListQuerySchema) query: AnnotationListQuery): Promise<AnnotationPage> {
    return this.annotations.list(ctx, query);
  }

  @Post('annotations')
  @Audited(AUDITED_ROUTES.annotationChanged)
  @Returns(AnnotationRecordResponseSchema)
  create(@CurrentApp() ctx: AppKeyContext, @ParsedBody(AnnotationRequestSchema) body: AnnotationRequest): Promise<AnnotationRecord> {
    return this.annotations.create(ctx, body);
  }

  @Put('annotations/:annotationId')
  @Audited(AUDITED_ROUTES.annotationChanged)
  @Returns(AnnotationRecordResponseSchema)
  update(
    @CurrentApp() ctx: AppKeyContext,
    @Param('annotationId') annotationId: string,
    @ParsedBody(AnnotationRequestSchema) body: AnnotationRequest,
  ): Promise<AnnotationRecord> {
    return this.annotations.update(ctx, annotationId, body);
  }

  @Delete('annotations/:annotationId')
  @Audited(AUDITED_ROUTES.annotationChanged)
  @HttpCode(204)
  @Returns(null)
  async delete(@CurrentApp() ctx: AppKeyContext, @Param('annotationId') annotationId: string): Promise<void> {
    await this.annotations.delete(ctx, annotationId);
  }

  @Post('annotation-reply/:action')
  @Audited(AUDITED_ROUTES.annotationReplyChanged)
  @HttpCode(200)
  @Returns(AnnotationJobResponseSchema)
  replyAction(
    @CurrentApp() ctx: AppKeyContext,
    @Param('action') action: string,
    @ParsedBody(AnnotationReplyRequestSchema) body: AnnotationReplyRequest,
  ): Promise<AnnotationJobResponse> {
    return this.annotations.replyAction(ctx, action, body);
  }

  @Get('annotation-reply/:action/status/:jobId')
  @Returns(AnnotationJobStatusResponseSchema)
  replyStatus(
    @CurrentApp() ctx: AppKeyContext,
    @Param('action') action: string,
    @Param('jobId') jobId: string,
  ): Promise<AnnotationJobStatusResponse> {
    return this.annotations.replyStatus(ctx, action, jobId);
  }
}
