import { Module } from '@nestjs/common';
import { ToolProviderController } from './tool-provider.controller';
import { ToolProviderHandler } from './tool-provider.handler';
import { ToolProviderRepository } from './tool-provider.repository';
import { ToolProviderService } from './tool-provider.service';

/** A workspace's tool providers: built-in credentials, custom OpenAPI providers and MCP servers. */
@Module({
  controllers: [ToolProviderController],
  exports: [ToolProviderService, ToolProviderRepository],
  providers: [ToolProviderHandler, ToolProviderRepository, ToolProviderService],
})
export class ToolsModule {}
