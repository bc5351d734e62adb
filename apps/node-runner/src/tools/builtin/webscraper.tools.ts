import { extractText } from '@weft/documents';
import { guardedFetch } from '@weft/outbound-http';
import { text, ToolInvokeError, type ToolCallContext, type ToolMessage } from '../tool-runtime.types';

// The `webscraper` provider: a page's title, author and text, fetched through the SSRF guard like every
// other outbound call a workflow makes (an address inside the platform's network is refused).

function metaContent(html: string, name: string): string {
  const tag = new RegExp(`<meta[^>]+name=["']${name}["'][^>]*>`, 'i').exec(html)?.[0];
  return tag ? (/content=["']([^"']*)["']/i.exec(tag)?.[1] ?? '').trim() : '';
}

function titleOf(html: string): string {
  return (/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '').replace(/\s+/g, ' ').trim();
}

/** `webscraper`: the page at `url` as `TITLE / AUTHOR / TEXT`, as Dify's web reader formats it. */
export async function webscraper(params: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolMessage[]> {
  const url = typeof params.url === 'string' ? params.url.trim() : '';
  if (!url) return [text('Please input url')];
  if (!/^https?:\/\//i.test(url)) throw new ToolInvokeError(`Invalid URL: ${url}`);
  const userAgent = typeof params.user_agent === 'string' && params.user_agent ? params.user_agent : 'Mozilla/5.0';
  let response;
  try {
    response = await guardedFetch(url, {
      guard: ctx.http.guard,
      headers: { Accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5', 'User-Agent': userAgent },
      maxResponseBytes: ctx.http.maxResponseBytes,
      signal: ctx.signal,
      timeoutMs: ctx.http.timeoutMs,
    });
  } catch (error) {
    throw new ToolInvokeError((error as Error).message);
  }
  if (response.status >= 400) throw new ToolInvokeError(`URL returned status code ${response.status}.`);
  const mimeType = (response.headers['content-type'] ?? 'text/html').split(';')[0].trim().toLowerCase();
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') {
    const html = response.body.toString('utf8');
    try {
      const page = await extractText({ data: response.body, filename: 'page.html', mimeType: 'text/html' });
      return [text(`\nTITLE: ${titleOf(html)}\nAUTHOR: ${metaContent(html, 'author')}\nTEXT:\n\n${page.text}\n`)];
    } catch (error) {
      throw new ToolInvokeError((error as Error).message);
    }
  }
  if (mimeType.startsWith('text/') || mimeType === 'application/json') return [text(response.body.toString('utf8'))];
  return [text(`Unsupported content-type [${mimeType}] of URL.`)];
}
