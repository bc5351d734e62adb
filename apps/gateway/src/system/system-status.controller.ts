import { Controller, Get, Headers, Inject, UnauthorizedException } from '@nestjs/common';
import { Returns } from '../docs/route-schema.util';
import { sameSecret, SYSTEM_STATUS_TOKEN } from './operator-token.guard';
import { SystemStatusResponseSchema, type SystemStatusResponse } from './system-status.dto';
import { SystemStatusService } from './system-status.service';

/** `GET /v1/system/status`: every service's name, version, uptime and dependencies. */
@Controller('v1/system')
export class SystemStatusController {
  constructor(
    private readonly system: SystemStatusService,
    @Inject(SYSTEM_STATUS_TOKEN) private readonly token: string | undefined,
  ) {}

  @Get('status')
  @Returns(SystemStatusResponseSchema)
  async status(@Headers('authorization') authorization?: string): Promise<SystemStatusResponse> {
    if (this.token !== undefined) {
      const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      if (!given || !sameSecret(given, this.token)) {
        throw new UnauthorizedException({ code: 'unauthorized', message: 'Access token is invalid' });
      }
    }
    return this.system.status();
  }
}
