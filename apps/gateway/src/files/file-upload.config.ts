import type { ConfigOf, gatewayConfigSpec } from '@weft/config';

/** The gateway's `files` config: size limit in MB and where the bytes are stored. */
export type FileUploadSettings = ConfigOf<typeof gatewayConfigSpec>['files'];
export const FILE_UPLOAD_SETTINGS = Symbol('FILE_UPLOAD_SETTINGS');

/** The FileStorage uploads are written to. */
export const FILE_STORAGE = Symbol('FILE_STORAGE');

/** The FileLinkSettings signed file links are made and checked with. */
export const FILE_LINK_SETTINGS = Symbol('FILE_LINK_SETTINGS');
