import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import {
  ApiProviderAddRequestSchema,
  ApiProviderAnswerSchema,
  ApiProviderDeleteRequestSchema,
  ApiProviderListSchema,
  ApiProviderQuerySchema,
  ApiProviderToolsSchema,
  ApiProviderUpdateRequestSchema,
  ApiSchemaAnswerSchema,
  ApiSchemaRequestSchema,
} from './api-tool-provider.dto';
import { ApiToolProviderService } from './api-tool-provider.service';

/**
 * The console's routes for custom tool providers from OpenAPI schemas (Dify's `api` provider type), in
 * Dify's shapes: admins add, update and delete; every member may list them and read their tools.
 */
@Controller('console/api/workspaces/current')
@UseGuards(ConsoleAuthGuard)
export class ApiToolProviderController {
  constructor(private readonly providers: ApiToolProviderService) {}

  @Post('tool-provider/api/add')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.apiToolProviderAdded)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async add(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(ApiProviderAddRequestSchema) body: z.infer<typeof ApiProviderAddRequestSchema>,
  ): Promise<SuccessResult> {
    await this.providers.add(user, body);
    return SUCCESS;
  }

  @Get('tool-provider/api/get')
  @Returns(ApiProviderAnswerSchema)
  get(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedQuery(ApiProviderQuerySchema) query: z.infer<typeof ApiProviderQuerySchema>,
  ): Promise<z.infer<typeof ApiProviderAnswerSchema>> {
    return this.providers.get(user, query.provider);
  }

  @Post('tool-provider/api/update')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.apiToolProviderUpdated)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async update(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(ApiProviderUpdateRequestSchema) body: z.infer<typeof ApiProviderUpdateRequestSchema>,
  ): Promise<SuccessResult> {
    await this.providers.update(user, body);
    return SUCCESS;
  }

  @Post('tool-provider/api/delete')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.apiToolProviderDeleted)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async delete(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(ApiProviderDeleteRequestSchema) body: z.infer<typeof ApiProviderDeleteRequestSchema>,
  ): Promise<SuccessResult> {
    await this.providers.delete(user, body.provider);
    return SUCCESS;
  }

  @Get('tool-provider/api/tools')
  @Returns(ApiProviderToolsSchema)
  tools(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedQuery(ApiProviderQuerySchema) query: z.infer<typeof ApiProviderQuerySchema>,
  ): Promise<Record<string, unknown>[]> {
    return this.providers.tools(user, query.provider);
  }

  @Post('tool-provider/api/schema')
  @HttpCode(200)
  @Returns(ApiSchemaAnswerSchema)
  schema(@ParsedBody(ApiSchemaRequestSchema) body: z.infer<typeof ApiSchemaRequestSchema>): z.infer<typeof ApiSchemaAnswerSchema> {
    return this.providers.parseSchema(body.schema);
  }

  @Get('tools/api')
  @Returns(ApiProviderListSchema)
  list(@CurrentConsoleUser() user: ConsoleUser): Promise<z.infer<typeof ApiProviderListSchema>> {
    return this.providers.list(user);
  }
}
