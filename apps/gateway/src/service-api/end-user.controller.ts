import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { Returns } from '../docs/route-schema.util';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from './app-key.guard';
import { EndUserDetailSchema, type EndUserDetail } from './end-user.dto';
import { EndUserService } from './end-user.service';

/** `GET /v1/end-users/{end_user_id}`: an end user of the app behind the key. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class EndUserController {
  constructor(private readonly endUsers: EndUserService) {}

  @Get('end-users/:endUserId')
  @Returns(EndUserDetailSchema)
  detail(@CurrentApp() ctx: AppKeyContext, @Param('endUserId') endUserId: string): Promise<EndUserDetail> {
    return this.endUsers.detail(ctx, endUserId);
  }
}
