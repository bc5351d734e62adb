import { Controller, Get, UseGuards } from '@nestjs/common';
import { ConsoleAuthGuard, RequireRole } from '../accounts/console-auth.guard';
import { Returns } from '../docs/route-schema.util';
import { ConsoleSystemStatusSchema, type ConsoleSystemStatus } from './system-status.dto';
import { SystemStatusService } from './system-status.service';

/** The console's System page, for a workspace's owners and admins: the services, their work-queue backlogs and links. */
@Controller('console/api/system')
@UseGuards(ConsoleAuthGuard)
@RequireRole('admin')
export class ConsoleSystemController {
  constructor(private readonly system: SystemStatusService) {}

  @Get('status')
  @Returns(ConsoleSystemStatusSchema)
  status(): Promise<ConsoleSystemStatus> {
    return this.system.consoleStatus();
  }
}
