import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import {
  ErasureStatusSchema,
  LegalHoldSchema,
  ListLegalHoldsResponseSchema,
  parseBody,
  type ErasureStatus,
  type LegalHold,
} from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import type { z } from 'zod';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { Audited } from '../audit/audit.interceptor';
import { zodToOpenApi } from '../docs/openapi.util';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import {
  EraseAccountRequestSchema,
  EraseEndUserRequestSchema,
  ExportStatusResponseSchema,
  LegalHoldRequestSchema,
  PRIVACY_AUDITED,
  StartedErasureSchema,
  StartedExportSchema,
  TokenQuerySchema,
  type ExportStatusResponse,
  type StartedErasure,
  type StartedExport,
} from './privacy.dto';
import { PrivacyService } from './privacy.service';
import { SensitiveConsoleRoute } from '../protection/rate-limit.interceptor';

const exportLinks = (id: string) => ({ status_url: `/console/api/account/data-export/${id}` });

/** GDPR rights on the console: the caller's export and erasure, end-user erasure and legal holds for admins. */
@Controller('console/api')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post('account/data-export')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @Audited(PRIVACY_AUDITED.exportRequested)
  @Returns(StartedExportSchema)
  async startExport(@CurrentConsoleUser() user: ConsoleUser): Promise<StartedExport> {
    const { download_token, ...job } = await this.privacy.startExport(user);
    // The token is the link's signature: shown this once, only its hash is stored.
    return { ...job, ...exportLinks(job.id), download_url: `/console/api/account/data-export/${job.id}/download?token=${download_token}` };
  }

  @Get('account/data-export/:exportId')
  @UseGuards(ConsoleAuthGuard)
  @Returns(ExportStatusResponseSchema)
  async exportStatus(@CurrentConsoleUser() user: ConsoleUser, @Param('exportId') id: string): Promise<ExportStatusResponse> {
    return { ...(await this.privacy.exportStatus(user, id)), ...exportLinks(id) };
  }

  /** The link itself is the credential (it works from a browser, without the console's bearer token), once. */
  @Get('account/data-export/:exportId/download')
  @Returns(null)
  async download(
    @Param('exportId') id: string,
    @ParsedQuery(TokenQuerySchema) query: z.infer<typeof TokenQuerySchema>,
    @RequestClient() client: RequestClientInfo,
    @Res() res: Response,
  ): Promise<void> {
    const { body, fileName } = await this.privacy.download(id, query.token, client);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
    res.setHeader('cache-control', 'no-store');
    res.status(200).end(body);
  }

  @Post('account/erase')
  @SensitiveConsoleRoute()
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @Audited(PRIVACY_AUDITED.accountErasureRequested)
  @Returns(StartedErasureSchema)
  async eraseAccount(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(EraseAccountRequestSchema) body: z.infer<typeof EraseAccountRequestSchema>,
  ): Promise<StartedErasure> {
    const { status_token, ...saga } = await this.privacy.eraseAccount(user, body.password, body.delete_documents);
    // The account's sessions end during erasure: the status link carries its own token, shown this once.
    return { ...saga, status_url: `/console/api/account/erase/${saga.id}?token=${status_token}` };
  }

  @Get('account/erase/:erasureId')
  @Returns(ErasureStatusSchema)
  accountErasureStatus(
    @Param('erasureId') id: string,
    @ParsedQuery(TokenQuerySchema) query: z.infer<typeof TokenQuerySchema>,
  ): Promise<ErasureStatus> {
    return this.privacy.accountErasureStatus(id, query.token);
  }

  /** Takes a stopped account erasure up again (after a legal hold is released), through its status link. */
  @Post('account/erase/:erasureId/resume')
  @HttpCode(202)
  @Returns(ErasureStatusSchema)
  resumeAccountErasure(
    @Param('erasureId') id: string,
    @ParsedQuery(TokenQuerySchema) query: z.infer<typeof TokenQuerySchema>,
  ): Promise<ErasureStatus> {
    return this.privacy.resumeAccountErasure(id, query.token);
  }

  /**
   * The body is parsed by hand, after the app check: another workspace's app is not found (404), whatever
   * the body says. `@ApiBody` documents it, since no `@ParsedBody` does.
   */
  @Post('apps/:appId/end-users/erase')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.endUserErasureRequested)
  @ApiBody({ required: true, schema: zodToOpenApi(EraseEndUserRequestSchema) as never })
  @Returns(StartedErasureSchema)
  async eraseAppEndUser(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @Body() body: unknown,
  ): Promise<StartedErasure> {
    await this.privacy.requireApp(user, appId);
    const endUser = parseBody(EraseEndUserRequestSchema, body).user;
    const { status_token: _, ...saga } = await this.privacy.eraseEndUser(user, appId, endUser);
    return { ...saga, status_url: `/console/api/workspaces/current/end-users/erase/${saga.id}` };
  }

  @Post('workspaces/current/end-users/erase')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.endUserErasureRequested)
  @Returns(StartedErasureSchema)
  async eraseEndUser(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(EraseEndUserRequestSchema) body: z.infer<typeof EraseEndUserRequestSchema>,
  ): Promise<StartedErasure> {
    const { status_token: _, ...saga } = await this.privacy.eraseEndUser(user, null, body.user);
    return { ...saga, status_url: `/console/api/workspaces/current/end-users/erase/${saga.id}` };
  }

  @Get('workspaces/current/end-users/erase/:erasureId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(ErasureStatusSchema)
  endUserErasureStatus(@CurrentConsoleUser() user: ConsoleUser, @Param('erasureId') id: string): Promise<ErasureStatus> {
    return this.privacy.endUserErasureStatus(user, id);
  }

  @Get('workspaces/current/legal-holds')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(ListLegalHoldsResponseSchema)
  listHolds(@CurrentConsoleUser() user: ConsoleUser): Promise<z.infer<typeof ListLegalHoldsResponseSchema>> {
    return this.privacy.listHolds(user);
  }

  @Post('workspaces/current/legal-holds')
  @HttpCode(201)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.legalHoldPlaced)
  @Returns(LegalHoldSchema)
  placeHold(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(LegalHoldRequestSchema) body: z.infer<typeof LegalHoldRequestSchema>,
  ): Promise<LegalHold> {
    return this.privacy.placeHold(user, body.account_id ?? null, body.reason);
  }

  @Delete('workspaces/current/legal-holds/:holdId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.legalHoldReleased)
  @Returns(LegalHoldSchema)
  releaseHold(@CurrentConsoleUser() user: ConsoleUser, @Param('holdId') holdId: string): Promise<LegalHold> {
    return this.privacy.releaseHold(user, holdId);
  }
}
