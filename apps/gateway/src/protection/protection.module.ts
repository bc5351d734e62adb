import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { makeCounterProvider } from '@weft/metrics';
import { AppLimitsController } from './app-limits.controller';
import { AppLimitsRepository } from './app-limits.repository';
import { AppLimitsService } from './app-limits.service';
import {
  PROTECTION_SETTINGS,
  RATE_LIMIT_REJECTIONS_METRIC,
  RATE_LIMIT_UNAVAILABLE_METRIC,
  type ProtectionSettings,
} from './protection.config';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { RateLimitRepository } from './rate-limit.repository';
import { RateLimitService } from './rate-limit.service';
import { RequestTimeoutInterceptor } from './request-timeout.interceptor';

/**
 * Request limits of the API: Service API rate limits and active-run limits (Redis, shared by every
 * replica), per-app settings in the console, and the request timeout. The HTTP-level protection (security
 * headers, CORS, JSON-only bodies, trusted proxies) is set up before the routes by `applyHttpProtection`.
 */
@Module({})
export class ProtectionModule {
  static forRoot(settings: ProtectionSettings): DynamicModule {
    return {
      module: ProtectionModule,
      // Global: the key guards count failed authentications against the client address too.
      global: true,
      controllers: [AppLimitsController],
      providers: [
        AppLimitsRepository,
        AppLimitsService,
        RateLimitRepository,
        RateLimitService,
        { provide: PROTECTION_SETTINGS, useValue: settings },
        // The limiter runs before the timeout: a refused request never starts the clock.
        { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RequestTimeoutInterceptor },
        makeCounterProvider({
          name: RATE_LIMIT_REJECTIONS_METRIC,
          help: 'Service API and console requests refused with 429, by the limit that refused them',
          labelNames: ['limit'],
        }),
        makeCounterProvider({
          name: RATE_LIMIT_UNAVAILABLE_METRIC,
          help: 'Service API requests let through unchecked because Redis did not answer',
        }),
      ],
      exports: [RateLimitService],
    };
  }
}
