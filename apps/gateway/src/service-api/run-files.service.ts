import { Injectable } from '@nestjs/common';
import { DomainError, type StartForm } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { FILE_MODEL_IDENTITY, isUploadFileId, type StartVariable, type WorkflowFile } from '@weft/workflow';
import { extensionOf, UPLOAD_FILE_TYPES } from '../files/file-type.util';
import { UploadFileRepository } from '../files/upload-file.repository';
import type { AppKeyContext } from './app-key.guard';

/** A run's `inputs` and `files` with every file mapping turned into Dify's File value. */
export interface ResolvedRunFiles {
  files: WorkflowFile[];
  inputs: Record<string, unknown>;
}

/** The rules the app's `file_upload` feature sets for `sys.files` (Dify's FileUploadConfig). */
interface FileRules {
  allowedExtensions: readonly string[];
  allowedMethods: readonly string[];
  allowedTypes: readonly string[];
  /** Transfer methods allowed for images (Dify's image_config). */
  imageMethods: readonly string[];
}

/** The `file_upload` feature's rules and limits, when the feature is on. */
interface UploadFeature {
  imageLimit: number;
  limit: number | null;
  rules: FileRules;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Dify's `standardize_file_type`: the extension decides (image, then video, audio, document), else the
 * mime type, else `custom`. The upload lists are Dify's, so an uploaded file always gets the type Dify
 * would give it.
 */
export function detectFileType(extension: string, mimeType: string | null): string {
  const bare = extension.replace(/^\./, '').toLowerCase();
  for (const type of ['image', 'video', 'audio', 'document'] as const) {
    if ((UPLOAD_FILE_TYPES[type] as readonly string[]).includes(bare)) return type;
  }
  const mime = mimeType ?? '';
  if (mime.includes('image')) return 'image';
  if (mime.includes('video')) return 'video';
  if (mime.includes('audio')) return 'audio';
  if (mime.includes('text') || mime.includes('pdf')) return 'document';
  return 'custom';
}

// Dify's build_from_mappings silently drops list entries without a transfer method, or remote ones
// without a url; the start-input validation drops the same ones, so they are left as they are.
function isUsableMapping(mapping: Record<string, unknown>): boolean {
  const method = mapping['transfer_method'];
  if (typeof method !== 'string' || method === '') return false;
  return method !== 'remote_url' || nonEmpty(mapping['url']) !== null || nonEmpty(mapping['remote_url']) !== null;
}

function sameExtension(a: string, b: string): boolean {
  return a.replace(/^\./, '').toLowerCase() === b.replace(/^\./, '').toLowerCase();
}

/** Dify's `is_file_valid_with_config`, for `sys.files`, which no start-input validation sees. */
function isAllowed(file: WorkflowFile, rules: FileRules): boolean {
  if (file.transfer_method === 'tool_file') return true;
  const type = file.type ?? 'custom';
  if (rules.allowedTypes.length > 0 && type !== 'custom' && !rules.allowedTypes.includes(type)) return false;
  // As in Dify, a custom file needs its extension listed; an empty list therefore admits none.
  if (type === 'custom' && !rules.allowedExtensions.some((e) => sameExtension(e, file.extension ?? ''))) return false;
  if (type === 'image') return rules.imageMethods.length === 0 || rules.imageMethods.includes(file.transfer_method);
  return rules.allowedMethods.length === 0 || rules.allowedMethods.includes(file.transfer_method);
}

/**
 * The part of Dify's config check the orchestrator's start-input validation leaves out: a `custom` file
 * must have one of the variable's extensions. Types and transfer methods it checks itself, in Dify's words.
 */
function customExtensionAllowed(file: WorkflowFile, variable: StartVariable): boolean {
  if (file.transfer_method === 'tool_file' || file.type !== 'custom') return true;
  // As in Dify, a custom file needs its extension listed; an empty list therefore admits none.
  return (variable.allowed_file_extensions ?? []).some((e) => sameExtension(e, file.extension ?? ''));
}

/** Dify's FileUploadConfigManager.convert: the feature counts only when enabled. */
function uploadFeature(features: Record<string, unknown>): UploadFeature | null {
  const upload = features['file_upload'];
  if (!isRecord(upload) || upload['enabled'] !== true) return null;
  const methods = stringList(upload['allowed_file_upload_methods']);
  const limit = typeof upload['number_limits'] === 'number' ? upload['number_limits'] : null;
  return {
    imageLimit: limit ?? 1,
    limit,
    rules: {
      allowedExtensions: stringList(upload['allowed_file_extensions']),
      allowedMethods: methods,
      allowedTypes: stringList(upload['allowed_file_types']),
      imageMethods: methods,
    },
  };
}

function invalid(variable: string, message: string): DomainError {
  return new DomainError('invalid_param', `${variable}: ${message}`);
}

/** The last path segment of a URL, decoded, or '' when it has none. */
function nameFromUrl(url: string): string {
  try {
    const segment = new URL(url).pathname.split('/').pop() ?? '';
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * Turns the file mappings of a run request (`{type, transfer_method, upload_file_id | url}`) into the
 * File values Dify puts in the variable pool (`File.to_dict()`), the way Dify's file factory does for
 * the Service API: uploads are looked up in the app's own workspace and their detected type must match
 * the one the client states. The orchestrator checks inputs against the start variables (types, transfer
 * methods, list length); only what needs the resolved file (a `custom` file's extension) is checked here,
 * and `sys.files`, which no start variable covers, against the app's `file_upload` feature.
 */
@Injectable()
export class RunFilesService {
  constructor(
    private readonly bus: MessageBus,
    private readonly uploads: UploadFileRepository,
  ) {}

  /** Resolved inputs and files; throws invalid_param naming the variable for a file Dify would refuse. */
  async resolve(
    ctx: AppKeyContext,
    workflowId: string | null,
    inputs: Record<string, unknown>,
    files: Record<string, unknown>[],
  ): Promise<ResolvedRunFiles> {
    // Text-only runs, the common case, need no look at the workflow.
    if (files.length === 0 && !Object.values(inputs).some((v) => isRecord(v) || Array.isArray(v))) return { files: [], inputs };
    const definition = await this.startDefinition(ctx, workflowId);
    if (!definition) return { files: files as WorkflowFile[], inputs };
    const { workspaceId } = ctx.app;
    const resolved: Record<string, unknown> = { ...inputs };
    for (const variable of definition.variables) {
      const value = inputs[variable.variable];
      if (variable.type === 'file' && isRecord(value)) {
        const file = await this.resolveOne(workspaceId, variable.variable, value);
        if (!customExtensionAllowed(file, variable))
          throw invalid(variable.variable, `File validation failed for file: ${file.filename ?? 'None'}`);
        resolved[variable.variable] = file;
      } else if (variable.type === 'file-list' && Array.isArray(value)) {
        const list: unknown[] = [];
        for (const item of value) {
          if (!isRecord(item) || !isUsableMapping(item)) {
            list.push(item);
            continue;
          }
          const file = await this.resolveOne(workspaceId, variable.variable, item);
          if (!customExtensionAllowed(file, variable))
            throw invalid(variable.variable, `File validation failed for file: ${file.filename ?? 'None'}`);
          list.push(file);
        }
        resolved[variable.variable] = list;
      }
    }
    return { files: await this.resolveSystemFiles(workspaceId, files, definition.feature), inputs: resolved };
  }

  private async resolveSystemFiles(
    workspaceId: string,
    mappings: Record<string, unknown>[],
    feature: UploadFeature | null,
  ): Promise<WorkflowFile[]> {
    const files: WorkflowFile[] = [];
    for (const mapping of mappings.filter(isUsableMapping)) {
      const file = await this.resolveOne(workspaceId, 'files', mapping);
      if (feature && !isAllowed(file, feature.rules)) throw invalid('files', `File validation failed for file: ${file.filename ?? 'None'}`);
      files.push(file);
    }
    if (feature) {
      if (files.filter((f) => f.type === 'image').length > feature.imageLimit) {
        throw invalid('files', `Number of image files exceeds the maximum limit ${feature.imageLimit}`);
      }
      if (feature.limit && files.length > feature.limit)
        throw invalid('files', `Number of files exceeds the maximum limit ${feature.limit}`);
    }
    return files;
  }

  /** The start variables and the `file_upload` feature of the workflow the run will use, or null when there is none. */
  private async startDefinition(
    ctx: AppKeyContext,
    workflowId: string | null,
  ): Promise<{ feature: UploadFeature | null; variables: StartVariable[] } | null> {
    let form: StartForm;
    try {
      form = await this.bus.request('wf.workflow.start-form.v1', {
        appId: ctx.app.id,
        version: workflowId ?? 'published',
        workspaceId: ctx.app.workspaceId,
      });
    } catch (error) {
      // The start request answers a missing or unpublished workflow in Dify's words.
      if (error instanceof DomainError && error.code === 'not_found') return null;
      throw error;
    }
    const variables = (form.variables as unknown as StartVariable[]).filter((v) => isRecord(v) && typeof v.variable === 'string');
    return { feature: uploadFeature(form.features), variables };
  }

  /** Dify's `build_from_mapping` for one file mapping (strict type validation, as for the Service API). */
  private async resolveOne(workspaceId: string, variable: string, mapping: Record<string, unknown>): Promise<WorkflowFile> {
    const method = mapping['transfer_method'];
    const specified = nonEmpty(mapping['type']);
    switch (method) {
      case 'local_file':
        return this.fromUpload(workspaceId, variable, mapping, specified, 'local_file');
      case 'remote_url': {
        // A remote mapping may name an upload instead of a URL, as Dify's own web app does.
        const url = nonEmpty(mapping['url']) ?? nonEmpty(mapping['remote_url']);
        if (!url && nonEmpty(mapping['upload_file_id'])) return this.fromUpload(workspaceId, variable, mapping, specified, 'remote_url');
        if (!url) throw invalid(variable, 'Invalid file url');
        return fromUrl(variable, url, specified);
      }
      case 'tool_file':
        throw invalid(variable, `ToolFile ${nonEmpty(mapping['tool_file_id']) ?? 'None'} not found`);
      case 'datasource_file':
        throw invalid(variable, `DatasourceFile ${nonEmpty(mapping['datasource_file_id']) ?? 'None'} not found`);
      default:
        // No or an unknown transfer method: the start-input validation answers it in Dify's words.
        return mapping as WorkflowFile;
    }
  }

  private async fromUpload(
    workspaceId: string,
    variable: string,
    mapping: Record<string, unknown>,
    specified: string | null,
    method: 'local_file' | 'remote_url',
  ): Promise<WorkflowFile> {
    // An already resolved File carries the upload id as related_id; it is looked up again all the same.
    const id = nonEmpty(mapping['upload_file_id']) ?? nonEmpty(mapping['related_id']);
    if (!id) throw invalid(variable, 'Invalid upload file id');
    if (!isUploadFileId(id)) throw invalid(variable, 'Invalid upload file id format');
    const row = await this.uploads.findInWorkspace(workspaceId, id);
    if (!row) throw invalid(variable, 'Invalid upload file');
    const detected = detectFileType(row.extension, row.mimeType);
    // Dify reads a missing type as "custom" and then refuses every file of a known type; a client that
    // states no type (or "custom") claims none here, so only a stated, different type is refused.
    if (specified !== null && specified !== 'custom' && detected !== specified) {
      throw invalid(variable, 'Detected file type does not match the specified type. Please verify the file.');
    }
    return {
      dify_model_identity: FILE_MODEL_IDENTITY,
      extension: `.${row.extension}`,
      filename: row.name,
      id: null,
      mime_type: row.mimeType,
      related_id: row.id,
      remote_url: null,
      size: row.size,
      transfer_method: method,
      type: specified && specified !== 'custom' ? specified : detected,
      url: null,
    };
  }
}

/**
 * A file given by URL. Dify asks the URL for its name, type and size (a HEAD request); the gateway makes
 * no outbound requests, so the name and extension come from the URL's path, the size is unknown (-1,
 * Dify's own value for that) and the type is checked only when the extension tells it.
 */
function fromUrl(variable: string, url: string, specified: string | null): WorkflowFile {
  const filename = nameFromUrl(url);
  const bare = extensionOf(filename);
  const extension = bare ? `.${bare}` : '.bin';
  const detected = detectFileType(extension, null);
  if (specified !== null && specified !== 'custom' && detected !== 'custom' && detected !== specified) {
    throw invalid(variable, 'Detected file type does not match the specified type. Please verify the file.');
  }
  return {
    dify_model_identity: FILE_MODEL_IDENTITY,
    extension,
    filename,
    id: null,
    mime_type: null,
    related_id: null,
    remote_url: url,
    size: -1,
    transfer_method: 'remote_url',
    type: specified && specified !== 'custom' ? specified : detected,
    url,
  };
}
