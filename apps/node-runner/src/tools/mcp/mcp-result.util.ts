import type { McpToolResult } from '@weft/outbound-http';
import { blob, json, text, ToolInvokeError, type ToolMessage } from '../tool-runtime.types';

/** What folding a result left out: content Weft does not keep (links to resources, unreadable content). */
export interface McpFoldResult {
  messages: ToolMessage[];
  skipped: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A text content as Dify's MCP tool reads it: text that looks like a JSON object is a json message, a JSON
 * list of objects one json message per object; anything else (plain text, other JSON) is a text message.
 */
function textMessages(value: string): ToolMessage[] {
  const trimmed = value.trim();
  if (trimmed && '{['.includes(trimmed[0]!) && '}]'.includes(trimmed[trimmed.length - 1]!)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed) as unknown;
    } catch {
      return [text(value)];
    }
    if (isObject(parsed)) return [json(parsed)];
    if (Array.isArray(parsed) && parsed.every(isObject)) return parsed.map((item) => json(item));
  }
  return [text(value)];
}

/** The text of a failed call, for its error. */
function errorText(result: McpToolResult): string {
  const texts = result.content.filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text as string);
  return texts.join('\n').trim() || 'the MCP tool answered an error without a message';
}

/**
 * The messages of an MCP tool's answer, with Dify's rules: text content (and the text of an embedded
 * resource) as text or JSON messages, and, when the tool declares an output schema, each field of the
 * structured content as a variable. A call the server marks `isError` is a ToolInvokeError carrying its text.
 * Images, audio and binary (`blob`) resources become blob messages with their mime type, which the node keeps
 * as tool files, as Dify does; resource links and content without data are skipped and named in `skipped`.
 */
export function foldMcpResult(result: McpToolResult, hasOutputSchema: boolean): McpFoldResult {
  if (result.isError) throw new ToolInvokeError(errorText(result));
  const messages: ToolMessage[] = [];
  const skipped: string[] = [];
  for (const content of result.content) {
    if (content.type === 'text' && typeof content.text === 'string') {
      messages.push(...textMessages(content.text));
      continue;
    }
    if (content.type === 'resource' && isObject(content.resource) && typeof content.resource.text === 'string') {
      messages.push(text(content.resource.text));
      continue;
    }
    const mimeType =
      typeof content.mimeType === 'string' ? content.mimeType : isObject(content.resource) ? content.resource.mimeType : undefined;
    const data =
      (content.type === 'image' || content.type === 'audio') && typeof content.data === 'string'
        ? content.data
        : content.type === 'resource' && isObject(content.resource) && typeof content.resource.blob === 'string'
          ? content.resource.blob
          : undefined;
    if (data !== undefined) {
      messages.push(blob(Buffer.from(data, 'base64'), typeof mimeType === 'string' ? { mime_type: mimeType } : {}));
      continue;
    }
    skipped.push(typeof mimeType === 'string' ? `${content.type} (${mimeType})` : content.type);
  }
  if (hasOutputSchema && result.structuredContent) {
    for (const [name, value] of Object.entries(result.structuredContent)) messages.push({ name, type: 'variable', value });
  }
  return { messages, skipped };
}
