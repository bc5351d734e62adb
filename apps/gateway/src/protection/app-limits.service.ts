import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppErrors, isUuid } from '@weft/contracts';
import { AppLimitsRepository } from './app-limits.repository';
import { PROTECTION_SETTINGS, type ProtectionSettings } from './protection.config';
import { effectiveMaxActive, effectiveRatePerMinute, type AppLimitSettings } from './rate-limit.util';

/** How long an app's settings are trusted per replica; a change reaches every replica within this time. */
const CACHE_TTL_MS = 5000;
const CACHE_MAX = 10_000;
const DEFAULTS: AppLimitSettings = { maxActiveRequests: null, rateLimitPerMinute: null };

/** An app's own limits and the limits in force for it. */
export interface AppLimits {
  effectiveMaxActive: number;
  effectiveRatePerMinute: number;
  settings: AppLimitSettings;
}

/** Per-app request limits: read (cached for a few seconds, so a busy app costs no query per call) and changed from the console. */
@Injectable()
export class AppLimitsService {
  private readonly logger = new Logger(AppLimitsService.name);
  private readonly cache = new Map<string, { expires: number; value: AppLimitSettings }>();

  constructor(
    private readonly repository: AppLimitsRepository,
    @Inject(PROTECTION_SETTINGS) private readonly settings: ProtectionSettings,
  ) {}

  /** The limits in force for an app the caller has already been authenticated for. */
  async forApp(workspaceId: string, appId: string): Promise<AppLimits> {
    const hit = this.cache.get(appId);
    if (hit && hit.expires > Date.now()) return this.resolve(hit.value);
    let value = DEFAULTS;
    try {
      value = (await this.repository.find(workspaceId, appId)) ?? DEFAULTS;
    } catch (error) {
      // The key guard read the same table a moment ago; if it fails now, the configured defaults still protect.
      this.logger.warn(`Could not read the request limits of app "${appId}", using the defaults: ${(error as Error).message}`);
      return this.resolve(DEFAULTS);
    }
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(appId, { expires: Date.now() + CACHE_TTL_MS, value });
    return this.resolve(value);
  }

  /** An app of the workspace, for the console; 404 for another workspace's app. */
  async get(workspaceId: string, appId: string): Promise<AppLimits> {
    const found = isUuid(appId) ? await this.repository.find(workspaceId, appId) : null;
    if (!found) throw AppErrors.notFound();
    return this.resolve(found);
  }

  async set(workspaceId: string, appId: string, settings: AppLimitSettings): Promise<AppLimits> {
    const stored = isUuid(appId) ? await this.repository.update(workspaceId, appId, settings) : null;
    if (!stored) throw AppErrors.notFound();
    this.cache.delete(appId);
    this.logger.log(
      `Request limits of app "${appId}" set to ${stored.rateLimitPerMinute ?? 'default'} per minute, ${stored.maxActiveRequests ?? 'default'} active`,
    );
    return this.resolve(stored);
  }

  private resolve(settings: AppLimitSettings): AppLimits {
    return {
      effectiveMaxActive: effectiveMaxActive(settings, this.settings.maxActiveRequests),
      effectiveRatePerMinute: effectiveRatePerMinute(settings, this.settings.rateLimitPerMinute),
      settings,
    };
  }
}
