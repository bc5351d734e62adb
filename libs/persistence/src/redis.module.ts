import { DynamicModule, Module } from '@nestjs/common';
import { REDIS_OPTIONS, RedisOptions, RedisService } from './redis.service';

/** Redis for one service: rate limits, the shared cache tier and short-lived coordination. */
@Module({})
export class RedisModule {
  static forRoot(options: RedisOptions): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: REDIS_OPTIONS, useValue: options }, RedisService],
      exports: [RedisService],
    };
  }
}
