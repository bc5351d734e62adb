import { Controller, HttpCode, Post } from '@nestjs/common';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import { SensitiveConsoleRoute } from '../protection/rate-limit.interceptor';
import {
  EmailCodeCheckedSchema,
  EmailCodeCheckRequestSchema,
  EmailCodeRequestSchema,
  EmailCodeSentSchema,
  PasswordResetRequestSchema,
  type EmailCodeChecked,
  type EmailCodeSent,
} from './account.dto';
import { PasswordResetService } from './password-reset.service';

/** A forgotten console password, reset through a mailed code (Dify's `forgot-password` routes). */
@Controller('console/api')
export class PasswordResetController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  /** The token of a code mailed to the address; the same answer whether or not it has an account. */
  @Post('forgot-password')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(EmailCodeSentSchema)
  sendEmail(
    @ParsedBody(EmailCodeRequestSchema) body: z.infer<typeof EmailCodeRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<EmailCodeSent> {
    return this.passwordReset.sendEmail(body, client);
  }

  @Post('forgot-password/validity')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(EmailCodeCheckedSchema)
  checkCode(
    @ParsedBody(EmailCodeCheckRequestSchema) body: z.infer<typeof EmailCodeCheckRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<EmailCodeChecked> {
    return this.passwordReset.checkCode(body, client);
  }

  /** Sets the new password; every session of the account ends. */
  @Post('forgot-password/resets')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async reset(
    @ParsedBody(PasswordResetRequestSchema) body: z.infer<typeof PasswordResetRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SuccessResult> {
    await this.passwordReset.reset(body, client);
    return SUCCESS;
  }
}
