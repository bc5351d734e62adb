import { Injectable } from '@nestjs/common';

/**
 * Conditions an operator should know about that do not make the service unready (for example code nodes
 * running with weak isolation). Each appears in this instance's answer to `/v1/system/status`.
 */
@Injectable()
export class ServiceNotices {
  private readonly warnings = new Map<string, string>();

  /** Sets (or, with undefined, clears) the warning under a key. */
  warn(key: string, message: string | undefined): void {
    if (message === undefined) this.warnings.delete(key);
    else this.warnings.set(key, message);
  }

  list(): string[] {
    return [...this.warnings.values()];
  }
}
