import { DynamicModule, Global, Module } from '@nestjs/common';
import { AccountController } from './account.controller';
import { AccountRepository } from './account.repository';
import { AccountService } from './account.service';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { AuthSessionRepository } from './auth-session.repository';
import { ConsoleAuthGuard } from './console-auth.guard';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordResetController } from './password-reset.controller';
import { PasswordResetService } from './password-reset.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';
import { VerificationCodeRepository } from './verification-code.repository';
import { VerificationCodeService } from './verification-code.service';

/** Console accounts: sign-up, sessions, password reset and the token guard. */
@Global()
@Module({})
export class AccountsModule {
  static forRoot(settings: ConsoleAuthSettings): DynamicModule {
    return {
      module: AccountsModule,
      controllers: [AccountController, PasswordResetController, RegistrationController],
      providers: [
        AccountRepository,
        AccountService,
        AuthSessionRepository,
        ConsoleAuthGuard,
        LoginThrottleService,
        PasswordResetService,
        RegistrationService,
        VerificationCodeRepository,
        VerificationCodeService,
        { provide: CONSOLE_AUTH_SETTINGS, useValue: settings },
      ],
      exports: [AccountRepository, AccountService, AuthSessionRepository, ConsoleAuthGuard, CONSOLE_AUTH_SETTINGS],
    };
  }
}
