import { Body, Controller, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { parseBody } from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import { ChangePasswordRequestSchema, LoginRequestSchema, RefreshRequestSchema, RegisterRequestSchema, type TokenResponse } from './account.dto';
import { AccountRepository } from './account.repository';
import { AccountService } from './account.service';
import { ConsoleAuthGuard, CurrentConsoleUser, type ConsoleUser } from './console-auth.guard';
import { LoginLockedError } from './login-throttle.service';

/** Console sign-up, sign-in and the caller's own account. */
@Controller('console/api')
export class AccountController {
  constructor(
    private readonly accounts: AccountService,
    private readonly repository: AccountRepository,
  ) {}

  @Post('register')
  @HttpCode(201)
  register(@Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<TokenResponse> {
    return this.accounts.register(parseBody(RegisterRequestSchema, body), client);
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @RequestClient() client: RequestClientInfo, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    try {
      return await this.accounts.login(parseBody(LoginRequestSchema, body), client);
    } catch (error) {
      if (error instanceof LoginLockedError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Post('refresh-token')
  @HttpCode(200)
  refresh(@Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<TokenResponse> {
    return this.accounts.refresh(parseBody(RefreshRequestSchema, body).refresh_token, client);
  }

  @Post('logout')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  async logout(@CurrentConsoleUser() user: ConsoleUser, @RequestClient() client: RequestClientInfo): Promise<{ result: 'success' }> {
    await this.accounts.logout(user.accountId, user.workspaceId, user.sessionId, client);
    return { result: 'success' };
  }

  @Get('account/profile')
  @UseGuards(ConsoleAuthGuard)
  async profile(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    const account = await this.repository.profile(user.accountId);
    return { ...account, current_workspace_id: user.workspaceId, role: user.role };
  }

  @Post('account/password')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  async changePassword(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<{ result: 'success' }> {
    await this.accounts.changePassword(user.accountId, user.workspaceId, user.sessionId, parseBody(ChangePasswordRequestSchema, body), client);
    return { result: 'success' };
  }
}
