import { Controller, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import type { z } from 'zod';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import {
  AccountProfileSchema,
  ChangePasswordRequestSchema,
  LoginRequestSchema,
  RefreshRequestSchema,
  TokenResponseSchema,
  type AccountProfile,
  type TokenResponse,
} from './account.dto';
import { AccountService } from './account.service';
import { ConsoleAuthGuard, CurrentConsoleUser, type ConsoleUser } from './console-auth.guard';
import { LoginLockedError } from './login-throttle.service';
import { SensitiveConsoleRoute } from '../protection/rate-limit.interceptor';

/** Console sign-in and the caller's own account (sign-up: `RegistrationController`). */
@Controller('console/api')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Post('login')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(TokenResponseSchema)
  async login(
    @ParsedBody(LoginRequestSchema) body: z.infer<typeof LoginRequestSchema>,
    @RequestClient() client: RequestClientInfo,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    try {
      return await this.accounts.login(body, client);
    } catch (error) {
      if (error instanceof LoginLockedError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Post('refresh-token')
  @HttpCode(200)
  @Returns(TokenResponseSchema)
  refresh(
    @ParsedBody(RefreshRequestSchema) body: z.infer<typeof RefreshRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<TokenResponse> {
    return this.accounts.refresh(body.refresh_token, client);
  }

  @Post('logout')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @Returns(SuccessResultSchema)
  async logout(@CurrentConsoleUser() user: ConsoleUser, @RequestClient() client: RequestClientInfo): Promise<SuccessResult> {
    await this.accounts.logout(user.accountId, user.workspaceId, user.sessionId, client);
    return SUCCESS;
  }

  @Get('account/profile')
  @UseGuards(ConsoleAuthGuard)
  @Returns(AccountProfileSchema)
  profile(@CurrentConsoleUser() user: ConsoleUser): Promise<AccountProfile> {
    return this.accounts.profile(user);
  }

  @Post('account/password')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @Returns(SuccessResultSchema)
  async changePassword(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(ChangePasswordRequestSchema) body: z.infer<typeof ChangePasswordRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SuccessResult> {
    await this.accounts.changePassword(user.accountId, user.workspaceId, user.sessionId, body, client);
    return SUCCESS;
  }
}
