import { parseBody } from '@weft/contracts';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { LoginRequestSchema, RegisterRequestSchema, type TokenResponse } from './account.dto';
import { AccountService } from './account.service';

/** `POST /console/api/register` and `/console/api/login`. */
@Controller('console/api')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Post('register')
  @HttpCode(201)
  register(@Body() body: unknown): Promise<TokenResponse> {
    return this.accounts.register(parseBody(RegisterRequestSchema, body));
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown): Promise<TokenResponse> {
    return this.accounts.login(parseBody(LoginRequestSchema, body));
  }
}
