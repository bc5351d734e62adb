import { DynamicModule, Global, Module } from '@nestjs/common';
import { MailService } from './mail.service';
import { MAIL_SETTINGS, MAIL_TRANSPORT, type MailSettings } from './mail.types';
import { SmtpMailTransport } from './smtp-mail.repository';

/** Mail (sign-up and reset codes, invitations) through SMTP, or none when MAIL_TYPE is unset. */
@Global()
@Module({})
export class MailModule {
  static forRoot(settings: MailSettings): DynamicModule {
    return {
      module: MailModule,
      providers: [
        MailService,
        { provide: MAIL_SETTINGS, useValue: settings },
        { provide: MAIL_TRANSPORT, useFactory: () => (settings.type === 'smtp' ? new SmtpMailTransport(settings) : null) },
      ],
      exports: [MailService],
    };
  }
}
