import { Module } from '@nestjs/common';
import { ApiToolProviderController } from './api-tool-provider.controller';
import { ApiToolProviderService } from './api-tool-provider.service';
import { ToolProviderController } from './tool-provider.controller';
import { ToolProviderHandler } from './tool-provider.handler';
import { ToolProviderRepository } from './tool-provider.repository';
import { ToolProviderService } from './tool-provider.service';

/** A workspace's tool providers: built-in credentials, custom OpenAPI providers and MCP servers. */
@Module({
  controllers: [ApiToolProviderController, ToolProviderController],
  exports: [ToolProviderService, ToolProviderRepository],
  providers: [ApiToolProviderService, ToolProviderHandler, ToolProviderRepository, ToolProviderService],
})
export class ToolsModule {}
