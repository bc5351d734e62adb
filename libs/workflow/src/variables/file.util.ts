import { isPlainObject } from './python-semantics.util';
import { FILE_ATTRIBUTES, FILE_MODEL_IDENTITY, FILE_TRANSFER_METHODS, FileAttribute, WorkflowFile } from './variable.types';

/** True for a value that represents a file: Dify's serialised marker, or a known `transfer_method`. */
export function isFileValue(value: unknown): value is WorkflowFile {
  if (!isPlainObject(value)) return false;
  if (value['dify_model_identity'] === FILE_MODEL_IDENTITY) return true;
  return typeof value['transfer_method'] === 'string' && (FILE_TRANSFER_METHODS as readonly string[]).includes(value['transfer_method']);
}

// Dify's file_factory reads an upload file id with Python's uuid.UUID, which takes the hex digits with or
// without hyphens; the canonical, hyphenated form alone is `isUuid` of @weft/contracts.
const UPLOAD_FILE_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** True for an upload file id in a form Dify accepts: a UUID, its hyphens optional. */
export function isUploadFileId(id: string): boolean {
  return UPLOAD_FILE_ID.test(id);
}

/** True for a name in Dify's `FileAttribute` list. */
export function isFileAttribute(name: string): name is FileAttribute {
  return (FILE_ATTRIBUTES as readonly string[]).includes(name);
}

function firstString(...candidates: unknown[]): string | null {
  for (const candidate of candidates) if (typeof candidate === 'string' && candidate !== '') return candidate;
  return null;
}

/**
 * Reads a file attribute the way Dify's `file_manager.get_attr` does. Client mappings and resolved
 * files name some fields differently (`filename` vs `name`, `upload_file_id` vs `related_id`), so
 * each attribute looks at every spelling. Missing attributes read as null, as in Dify.
 */
export function getFileAttribute(file: WorkflowFile, attribute: FileAttribute): string | number | null {
  switch (attribute) {
    case 'type':
      return firstString(file.type);
    case 'size':
      return typeof file.size === 'number' ? file.size : null;
    case 'name':
      return firstString(file.filename, file['name']);
    case 'mime_type':
      return firstString(file.mime_type);
    case 'transfer_method':
      return firstString(file.transfer_method);
    case 'url':
      return firstString(file.url, file.remote_url);
    case 'extension':
      return firstString(file.extension);
    case 'related_id':
      return firstString(file.related_id, file.upload_file_id, file.tool_file_id, file['datasource_file_id']);
  }
}

function asFile(value: unknown): WorkflowFile | null {
  return isPlainObject(value) && value['dify_model_identity'] === FILE_MODEL_IDENTITY ? (value as WorkflowFile) : null;
}

/**
 * The files a node's (or a run's) outputs hold, for the `files` list of `node_finished` and `workflow_finished`,
 * as Dify's `fetch_files_from_node_outputs` collects them: each output that is a File, or a list holding Files
 * (its other items skipped), in output order. Files nested deeper (inside an object or a list of lists) are not listed.
 */
export function filesInOutputs(outputs: Record<string, unknown> | null | undefined): WorkflowFile[] {
  const files: WorkflowFile[] = [];
  for (const value of Object.values(outputs ?? {})) {
    if (Array.isArray(value)) {
      for (const item of value) {
        const file = asFile(item);
        if (file) files.push(file);
      }
    } else {
      const file = asFile(value);
      if (file) files.push(file);
    }
  }
  return files;
}
