import { Module } from '@nestjs/common';
import { AppController } from './app.controller';
import { AppRepository } from './app.repository';
import { AppService } from './app.service';
import { ProviderCredentialsHandler } from './provider-credentials.handler';

/** Apps in the console: import, export, publish, keys, provider credentials. */
@Module({
  controllers: [AppController],
  providers: [AppRepository, AppService, ProviderCredentialsHandler],
  exports: [AppRepository],
})
export class AppsModule {}
