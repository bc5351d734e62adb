import { Controller, Get, UseGuards } from '@nestjs/common';
import { Returns } from '../docs/route-schema.util';
import {
  AppInfoSchema,
  AppMetaSchema,
  AppParametersSchema,
  AppSiteSchema,
  type AppInfo,
  type AppMeta,
  type AppParameters,
  type AppSite,
} from './app-info.dto';
import { AppInfoService } from './app-info.service';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from './app-key.guard';

/** `GET /v1/parameters`, `/v1/info`, `/v1/site` and `/v1/meta` for the app behind the key. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class AppInfoController {
  constructor(private readonly apps: AppInfoService) {}

  @Get('info')
  @Returns(AppInfoSchema)
  info(@CurrentApp() ctx: AppKeyContext): Promise<AppInfo> {
    return this.apps.info(ctx);
  }

  @Get('site')
  @Returns(AppSiteSchema)
  site(@CurrentApp() ctx: AppKeyContext): AppSite {
    return this.apps.site(ctx);
  }

  @Get('meta')
  @Returns(AppMetaSchema)
  meta(): AppMeta {
    return this.apps.meta();
  }

  /** The published workflow's features and start form, in Dify's old `user_input_form` structure. */
  @Get('parameters')
  @Returns(AppParametersSchema)
  parameters(@CurrentApp() ctx: AppKeyContext): Promise<AppParameters> {
    return this.apps.parameters(ctx);
  }
}
