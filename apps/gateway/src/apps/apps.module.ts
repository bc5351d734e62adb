import { Module } from '@nestjs/common';
import { AppController } from './app.controller';
import { AppRepository } from './app.repository';
import { AppService } from './app.service';
import { ProviderCredentialsUpgrade } from './credentials-upgrade.service';
import { ProviderCredentialsHandler } from './provider-credentials.handler';

/** Apps in the console: import, export, publish, keys, provider credentials. */
@Module({
  controllers: [AppController],
  providers: [AppRepository, AppService, ProviderCredentialsHandler, ProviderCredentialsUpgrade],
  // AppService: the audio routes open the workspace's provider credentials with it.
  exports: [AppRepository, AppService],
})
export class AppsModule {}
