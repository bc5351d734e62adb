import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import type { z } from 'zod';
import { AlsoReturns, ParsedBody, Returns } from '../docs/route-schema.util';
import { SensitiveConsoleRoute } from '../protection/rate-limit.interceptor';
import {
  EmailCodeCheckedSchema,
  EmailCodeCheckRequestSchema,
  EmailCodeRequestSchema,
  EmailCodeSentSchema,
  EmailRegisteredSchema,
  EmailRegisterRequestSchema,
  RegisteredResponseSchema,
  RegisterRequestSchema,
  type EmailCodeChecked,
  type EmailCodeSent,
  type EmailRegistered,
  type RegisteredResponse,
} from './account.dto';
import { RegistrationService } from './registration.service';

/** Console sign-up: the first account at once, every later one through a mailed code (Dify's `email-register` routes). */
@Controller('console/api')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /**
   * 201 with the new account's tokens for the instance's first account; after that 202 with the token of a
   * code mailed to the address (the same answer whether or not it has an account), or 403 without mail.
   */
  @Post('register')
  @SensitiveConsoleRoute()
  @HttpCode(201)
  @Returns(RegisteredResponseSchema)
  @AlsoReturns(202, EmailCodeSentSchema)
  async register(
    @ParsedBody(RegisterRequestSchema) body: z.infer<typeof RegisterRequestSchema>,
    @RequestClient() client: RequestClientInfo,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisteredResponse | EmailCodeSent> {
    const outcome = await this.registration.register(body, client);
    if (outcome.kind === 'code_sent') res.status(202);
    return outcome.body;
  }

  @Post('email-register/send-email')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(EmailCodeSentSchema)
  sendEmail(
    @ParsedBody(EmailCodeRequestSchema) body: z.infer<typeof EmailCodeRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<EmailCodeSent> {
    return this.registration.sendEmail(body, client);
  }

  @Post('email-register/validity')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(EmailCodeCheckedSchema)
  checkCode(
    @ParsedBody(EmailCodeCheckRequestSchema) body: z.infer<typeof EmailCodeCheckRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<EmailCodeChecked> {
    return this.registration.checkCode(body, client);
  }

  @Post('email-register')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(EmailRegisteredSchema)
  complete(
    @ParsedBody(EmailRegisterRequestSchema) body: z.infer<typeof EmailRegisterRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<EmailRegistered> {
    return this.registration.complete(body, client);
  }
}
