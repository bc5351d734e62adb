import { DynamicModule, Global, Module } from '@nestjs/common';
import { AccountController } from './account.controller';
import { AccountRepository } from './account.repository';
import { AccountService } from './account.service';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { AuthSessionRepository } from './auth-session.repository';
import { ConsoleAuthGuard } from './console-auth.guard';
import { LoginThrottleService } from './login-throttle.service';

/** Console accounts, sessions and the token guard. */
@Global()
@Module({})
export class AccountsModule {
  static forRoot(settings: ConsoleAuthSettings): DynamicModule {
    return {
      module: AccountsModule,
      controllers: [AccountController],
      providers: [
        AccountRepository,
        AccountService,
        AuthSessionRepository,
        ConsoleAuthGuard,
        LoginThrottleService,
        { provide: CONSOLE_AUTH_SETTINGS, useValue: settings },
      ],
      exports: [AccountRepository, AccountService, AuthSessionRepository, ConsoleAuthGuard, CONSOLE_AUTH_SETTINGS],
    };
  }
}
