import { guardedFetch } from '@weft/outbound-http';
import { json, text, ToolRuntimeError, type ToolCallContext, type ToolMessage } from '../tool-runtime.types';

// The `tavily` provider (search and extract) against Tavily's REST API, answering as Dify's Tavily plugin:
// a JSON message with Tavily's answer and a markdown text message. It needs the workspace's
// `tavily_api_key`, set at POST /console/api/workspaces/current/tool-provider/builtin/tavily/update.

const BOOLEAN_FIELDS = ['include_answer', 'include_images', 'include_image_descriptions', 'include_raw_content'];
const NUMBER_FIELDS = ['max_results', 'days'];
const TEXT_FIELDS = ['search_depth', 'topic', 'time_range', 'query'];

function domains(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter((d) => d !== '');
}

/** The search request Tavily receives, from the tool's parameters (Dify's plugin rules and defaults). */
export function tavilySearchRequest(params: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === 'None' || value === 'not_specified') continue;
    if (BOOLEAN_FIELDS.includes(key)) body[key] = typeof value === 'string' ? value.toLowerCase() === 'true' : Boolean(value);
    else if (NUMBER_FIELDS.includes(key)) body[key] = Math.trunc(Number(value));
    else if (TEXT_FIELDS.includes(key)) body[key] = value;
    else if (key === 'include_domains' || key === 'exclude_domains') {
      const list = domains(value);
      if (list) body[key] = list;
    }
  }
  body.search_depth ??= 'basic';
  body.topic ??= 'general';
  body.max_results ??= 5;
  if (body.topic === 'news') body.days ??= 7;
  else delete body.days;
  return body;
}

interface TavilyResult {
  title?: string;
  url?: string;
  content?: string;
  score?: number;
  raw_content?: string;
  published_date?: string;
}

/** The markdown text Dify's plugin writes for a search answer. */
export function formatTavilySearch(answer: Record<string, unknown>, params: Record<string, unknown>): string {
  const lines: string[] = [];
  if (params.include_answer === true && answer.answer) lines.push(`**Answer:** ${String(answer.answer)}\n`);
  const images = Array.isArray(answer.images) ? answer.images : [];
  if (params.include_images === true && images.length > 0) {
    lines.push('**Images:**\n');
    for (const image of images) {
      const entry = typeof image === 'string' ? { url: image } : (image as { url?: string; description?: string });
      lines.push(
        params.include_image_descriptions === true && entry.description ? `![${entry.description}](${entry.url})\n` : `![](${entry.url})\n`,
      );
    }
  }
  const results = (Array.isArray(answer.results) ? answer.results : []) as TavilyResult[];
  results.forEach((result, i) => {
    const url = result.url ?? '';
    lines.push(`### Result ${i + 1}: [${result.title ?? 'No Title'}](${url})\n`);
    if (params.topic === 'news' && result.published_date) lines.push(`**Published Date:** ${result.published_date}\n`);
    lines.push(`**URL:** ${url}\n`);
    if (result.score) lines.push(`**Relevance Score:** ${result.score}\n`);
    if (result.content) lines.push(`**Content:**\n${result.content}\n`);
    if (params.include_raw_content === true && result.raw_content) lines.push(`**Raw Content:**\n${result.raw_content}\n`);
    lines.push('---\n');
  });
  return lines.join('\n');
}

async function callTavily(
  baseUrl: string,
  path: string,
  body: Record<string, unknown>,
  ctx: ToolCallContext,
): Promise<Record<string, unknown>> {
  const apiKey = ctx.credentials.tavily_api_key;
  if (!apiKey)
    throw new ToolRuntimeError('Tavily API key is missing. Please set it in the credentials.', 'ToolProviderCredentialValidationError');
  const response = await guardedFetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
    body: JSON.stringify(body),
    credentialHeaders: ['authorization'],
    guard: ctx.http.guard,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    maxResponseBytes: ctx.http.maxResponseBytes,
    method: 'POST',
    signal: ctx.signal,
    timeoutMs: ctx.http.timeoutMs,
  });
  const textBody = response.body.toString('utf8');
  if (response.status >= 400) throw new Error(`${response.status} ${textBody.slice(0, 500)}`);
  return JSON.parse(textBody) as Record<string, unknown>;
}

/** `tavily_search`. */
export async function tavilySearch(baseUrl: string, params: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolMessage[]> {
  const query = typeof params.query === 'string' ? params.query : '';
  if (!query) return [text('Please input a query.')];
  let answer: Record<string, unknown>;
  try {
    answer = await callTavily(baseUrl, '/search', tavilySearchRequest(params), ctx);
  } catch (error) {
    if (error instanceof ToolRuntimeError) throw error;
    return [text(`Error occurred while searching: ${(error as Error).message}`)];
  }
  if (!Array.isArray(answer.results) || answer.results.length === 0) return [text(`No results found for '${query}' in Tavily.`)];
  return [json(answer), text(formatTavilySearch(answer, params))];
}

/** `tavily_extract`. */
export async function tavilyExtract(baseUrl: string, params: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolMessage[]> {
  const urls = domains(params.urls) ?? [];
  if (urls.length === 0) return [text('Please input at least one URL.')];
  if (urls.length > 20) return [text('Please input at most 20 URLs.')];
  let answer: Record<string, unknown>;
  try {
    answer = await callTavily(
      baseUrl,
      '/extract',
      { extract_depth: params.extract_depth ?? 'basic', include_images: params.include_images === true, urls },
      ctx,
    );
  } catch (error) {
    if (error instanceof ToolRuntimeError) throw error;
    return [text(`Error occurred while extracting: ${(error as Error).message}`)];
  }
  const results = (Array.isArray(answer.results) ? answer.results : []) as { url?: string; raw_content?: string }[];
  const lines = results.map((result) => `## ${result.url ?? ''}\n\n${result.raw_content ?? ''}\n`);
  return [json(answer), text(lines.join('\n---\n\n') || 'No content could be extracted from the URLs.')];
}
