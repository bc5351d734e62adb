import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '@weft/security';
import { CREDENTIALS_BOX } from '../apps/app.service';
import { AccountController } from './account.controller';
import { AccountRepository } from './account.repository';
import { AccountService, CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './account.service';
import { ConsoleAuthGuard } from './console-auth.guard';

/** Console accounts and the token guard; also provides the secret box that seals credentials. */
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
        ConsoleAuthGuard,
        { provide: CONSOLE_AUTH_SETTINGS, useValue: settings },
        { provide: CREDENTIALS_BOX, useValue: new SecretBox({ k1: settings.secretKey }, 'k1', 'provider-credentials') },
      ],
      exports: [AccountRepository, ConsoleAuthGuard, CONSOLE_AUTH_SETTINGS, CREDENTIALS_BOX],
    };
  }
}
