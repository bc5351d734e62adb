import type { SecretBox } from '@weft/security';
import type { FileStorage } from '@weft/storage';

export const PRIVACY_SETTINGS = Symbol('PRIVACY_SETTINGS');
export const EXPORT_STORAGE = Symbol('EXPORT_STORAGE');
export const EXPORT_KEY_BOX = Symbol('EXPORT_KEY_BOX');

/** The privacy settings from config. */
export interface PrivacySettings {
  exportLinkTtlHours: number;
  jobLeaseSeconds: number;
}

export type ExportStorage = FileStorage;
export type ExportKeyBox = SecretBox;
