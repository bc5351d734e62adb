import { Module } from '@nestjs/common';
import { ApiToolProviderController } from './api-tool-provider.controller';
import { ApiToolProviderService } from './api-tool-provider.service';
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
  controllers: [ApiToolProviderController, McpProviderController, ToolProviderController],
  exports: [ToolProviderService, ToolProviderRepository],
  providers: [
    ApiToolProviderService,
    McpProviderRepository,
    McpProviderService,
    McpServerRepository,
    ToolProviderHandler,
    ToolProviderRepository,
    ToolProviderService,
  ],
})
export class ToolsModule {}
