import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { parseBody, type ErasureStatus, type LegalHold } from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { Audited } from '../audit/audit.interceptor';
import { EraseAccountRequestSchema, EraseEndUserRequestSchema, LegalHoldRequestSchema, PRIVACY_AUDITED, TokenQuerySchema } from './privacy.dto';
import { PrivacyService } from './privacy.service';

const exportLinks = (id: string) => ({ status_url: `/console/api/account/data-export/${id}` });

/** GDPR rights on the console: the caller's export and erasure, end-user erasure and legal holds for admins. */
@Controller('console/api')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post('account/data-export')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @Audited(PRIVACY_AUDITED.exportRequested)
  async startExport(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    const { download_token, ...job } = await this.privacy.startExport(user);
    // The token is the link's signature: shown this once, only its hash is stored.
    return { ...job, ...exportLinks(job.id), download_url: `/console/api/account/data-export/${job.id}/download?token=${download_token}` };
  }

  @Get('account/data-export/:exportId')
  @UseGuards(ConsoleAuthGuard)
  async exportStatus(@CurrentConsoleUser() user: ConsoleUser, @Param('exportId') id: string): Promise<unknown> {
    return { ...(await this.privacy.exportStatus(user, id)), ...exportLinks(id) };
  }

  /** The link itself is the credential (it works from a browser, without the console's bearer token), once. */
  @Get('account/data-export/:exportId/download')
  async download(@Param('exportId') id: string, @Query() query: unknown, @RequestClient() client: RequestClientInfo, @Res() res: Response): Promise<void> {
    const { token } = parseBody(TokenQuerySchema, query);
    const { body, fileName } = await this.privacy.download(id, token, client);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
    res.setHeader('cache-control', 'no-store');
    res.status(200).end(body);
  }

  @Post('account/erase')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @Audited(PRIVACY_AUDITED.accountErasureRequested)
  async eraseAccount(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown): Promise<unknown> {
    const req = parseBody(EraseAccountRequestSchema, body);
    const { status_token, ...saga } = await this.privacy.eraseAccount(user, req.password, req.delete_documents);
    // The account's sessions end during erasure: the status link carries its own token, shown this once.
    return { ...saga, status_url: `/console/api/account/erase/${saga.id}?token=${status_token}` };
  }

  @Get('account/erase/:erasureId')
  accountErasureStatus(@Param('erasureId') id: string, @Query() query: unknown): Promise<ErasureStatus> {
    return this.privacy.accountErasureStatus(id, parseBody(TokenQuerySchema, query).token);
  }

  /** Takes a stopped account erasure up again (after a legal hold is released), through its status link. */
  @Post('account/erase/:erasureId/resume')
  @HttpCode(202)
  resumeAccountErasure(@Param('erasureId') id: string, @Query() query: unknown): Promise<ErasureStatus> {
    return this.privacy.resumeAccountErasure(id, parseBody(TokenQuerySchema, query).token);
  }

  @Post('apps/:appId/end-users/erase')
  @HttpCode(202)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.endUserErasureRequested)
  async eraseAppEndUser(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @Body() body: unknown): Promise<unknown> {
    // Another workspace's app is not found, whatever the body says.
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
  async eraseEndUser(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown): Promise<unknown> {
    const { status_token: _, ...saga } = await this.privacy.eraseEndUser(user, null, parseBody(EraseEndUserRequestSchema, body).user);
    return { ...saga, status_url: `/console/api/workspaces/current/end-users/erase/${saga.id}` };
  }

  @Get('workspaces/current/end-users/erase/:erasureId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  endUserErasureStatus(@CurrentConsoleUser() user: ConsoleUser, @Param('erasureId') id: string): Promise<ErasureStatus> {
    return this.privacy.endUserErasureStatus(user, id);
  }

  @Get('workspaces/current/legal-holds')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  listHolds(@CurrentConsoleUser() user: ConsoleUser): Promise<{ data: LegalHold[] }> {
    return this.privacy.listHolds(user);
  }

  @Post('workspaces/current/legal-holds')
  @HttpCode(201)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.legalHoldPlaced)
  placeHold(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown): Promise<LegalHold> {
    const req = parseBody(LegalHoldRequestSchema, body);
    return this.privacy.placeHold(user, req.account_id ?? null, req.reason);
  }

  @Delete('workspaces/current/legal-holds/:holdId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Audited(PRIVACY_AUDITED.legalHoldReleased)
  releaseHold(@CurrentConsoleUser() user: ConsoleUser, @Param('holdId') holdId: string): Promise<LegalHold> {
    return this.privacy.releaseHold(user, holdId);
  }
}
