import { Module } from '@nestjs/common';
import { McpProviderController } from './mcp-provider.controller';
import { McpProviderRepository } from './mcp-provider.repository';
import { McpProviderService } from './mcp-provider.service';
import { McpServerRepository } from './mcp-server.repository';
import { ToolProviderController } from './tool-provider.controller';
import { ToolProviderHandler } from './tool-provider.handler';
import { ToolProviderRepository } from './tool-provider.repository';
import { ToolProviderService } from './tool-provider.service';

/** A workspace's tool providers: built-in credentials, custom OpenAPI providers and MCP servers. */
@Module({
  controllers: [McpProviderController, ToolProviderController],
  exports: [ToolProviderService, ToolProviderRepository],
  providers: [
    McpProviderRepository,
    McpProviderService,
    McpServerRepository,
    ToolProviderHandler,
    ToolProviderRepository,
    ToolProviderService,
  ],
})
export class ToolsModule {}
