import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, toolFileStorageKey } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { FileNotFoundError, type FileStorage } from '@weft/storage';
import type { WorkflowFile } from '@weft/workflow';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { normalizeMimeType, toolFileExtension, toolFileName, toolFileValue } from '../tools/tool-file.util';
import { UPLOADED_FILE_STORAGE } from './file-storage.config';
import { UploadedFileNotFoundError, UploadedFileUnavailableError, type UploadedFileContent } from './uploaded-files.service';

const GATEWAY_TIMEOUT_MS = 5_000;

/** Whose files a tool call produces: the job's workspace and app, and the conversation of a chat turn. */
export interface ToolFileScope {
  appId: string;
  conversationId: string | null;
  workspaceId: string;
}

/** Stores the files tools produce and reads them back; the executors and WorkflowFileReader depend on this. */
export interface ToolFileStore {
  /** Stores the bytes and records them with the gateway; throws ToolFileRefusedError. */
  save(scope: ToolFileScope, bytes: Buffer, meta: { filename?: string; mimeType?: string }): Promise<WorkflowFile>;
  /** A tool file of the workspace; throws UploadedFileNotFoundError or UploadedFileUnavailableError. */
  read(workspaceId: string, toolFileId: string): Promise<UploadedFileContent>;
}

/** A tool file could not be kept (too large, or refused by the gateway); the node fails with this message. */
export class ToolFileRefusedError extends Error {
  override readonly name = 'ToolFileRefusedError';
}

/**
 * Tool files (Dify's ToolFileManager): the bytes go to the shared file storage under a key namespaced by the
 * workspace, then the gateway, which owns file records, records them and answers the signed link. Reading
 * one back asks the gateway where it is, only within the job's workspace.
 */
@Injectable()
export class ToolFilesService implements ToolFileStore {
  private readonly maxBytes: number;

  constructor(
    private readonly bus: MessageBus,
    @Inject(UPLOADED_FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
  ) {
    this.maxBytes = config.tools.fileMaxMb * 1024 * 1024;
  }

  async save(scope: ToolFileScope, bytes: Buffer, meta: { filename?: string; mimeType?: string }): Promise<WorkflowFile> {
    if (bytes.length > this.maxBytes) {
      throw new ToolFileRefusedError(
        `the tool produced a file of ${bytes.length} bytes, over the limit of ${this.maxBytes} bytes (TOOL_FILE_SIZE_LIMIT)`,
      );
    }
    const id = randomUUID();
    const mimeType = normalizeMimeType(meta.mimeType);
    const extension = toolFileExtension(mimeType);
    const name = toolFileName(id, extension, meta.filename);
    const key = toolFileStorageKey(scope.workspaceId, id, extension);
    await this.storage.put(key, bytes, mimeType);
    try {
      const answer = await this.bus.request(
        'gateway.tool-file.create.v1',
        { ...scope, extension, id, mimeType, name, size: bytes.length },
        { timeoutMs: GATEWAY_TIMEOUT_MS },
      );
      return toolFileValue({ extension, id, mimeType, name, size: bytes.length, url: answer.url });
    } catch (error) {
      await this.storage.delete(key).catch(() => undefined);
      throw new ToolFileRefusedError(`the tool file could not be recorded: ${(error as Error).message}`);
    }
  }

  async read(workspaceId: string, toolFileId: string): Promise<UploadedFileContent> {
    let info;
    try {
      info = await this.bus.request('gateway.tool-file.v1', { toolFileId, workspaceId }, { timeoutMs: GATEWAY_TIMEOUT_MS });
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'invalid_param'))
        throw new UploadedFileNotFoundError(toolFileId);
      throw new UploadedFileUnavailableError(toolFileId, `the gateway did not answer (${(error as Error).message})`);
    }
    try {
      const data = await this.storage.get(info.storageKey);
      return { data, extension: info.extension.replace(/^\./, ''), mimeType: info.mimeType, name: info.name, size: info.size };
    } catch (error) {
      if (error instanceof FileNotFoundError) throw new UploadedFileNotFoundError(toolFileId);
      throw new UploadedFileUnavailableError(toolFileId, `the file store failed (${(error as Error).message})`);
    }
  }
}
