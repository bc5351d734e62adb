import { buildDocx, buildPdf } from '@weft/testing';
import { DocumentParseError, DocumentTooLargeError, UnsupportedDocumentError } from './document.exception';
import { extractText } from './extract-text.util';

describe('extractText', () => {
  it('decodes plain text as UTF-8 and drops the byte order mark', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Grüße, 世界\n', 'utf8')]);
    await expect(extractText({ data, filename: 'notes.txt' })).resolves.toEqual({ format: 'text', text: 'Grüße, 世界\n' });
  });

  it('keeps markdown as written', async () => {
    const markdown = '# Title\n\n- item with <b>html</b>\n';
    const result = await extractText({ data: Buffer.from(markdown), filename: 'README.MD' });
    expect(result).toEqual({ format: 'markdown', text: markdown });
  });

  it('refuses text that is not UTF-8 instead of returning replacement characters', async () => {
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    const error = await extractText({ data: latin1, filename: 'menu.txt' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect(error).toMatchObject({
      code: 'document_parse_error',
      message: 'Could not read "menu.txt" as text: the file is not valid UTF-8 text.',
    });
  });

  it('turns HTML into readable text without tags, scripts or styles', async () => {
    const html =
      '<html><head><title>T</title><style>body { color: red }</style><script>alert("x")</script></head>' +
      '<body><h1>Hello</h1><p>First <b>bold</b> paragraph with a <a href="https://example.com">link</a>.</p>' +
      '<ul><li>one</li><li>two</li></ul><table><tr><th>Name</th><th>Qty</th></tr><tr><td>Apple</td><td>3</td></tr></table>' +
      '<noscript>enable js</noscript></body></html>';
    const { format, text } = await extractText({ data: Buffer.from(html), filename: 'page.htm' });
    expect(format).toBe('html');
    expect(text.startsWith('Hello\n')).toBe(true);
    expect(text).toContain('First bold paragraph with a link.');
    expect(text).toMatch(/\* one\n\s*\* two/);
    expect(text).toMatch(/Name\s+Qty\nApple\s+3/);
    expect(text).not.toMatch(/<|alert|color: red|enable js|example\.com/);
  });

  it('renders CSV as a markdown table like Dify, escaping pipes and joining multi-line cells', async () => {
    const csv = '\ufeffname,note,qty\r\nApple,"red, sweet",3\r\nPear,"a|b\nc",\r\n\r\nFig\r\n';
    const result = await extractText({ data: Buffer.from(csv), filename: 'fruit.csv' });
    expect(result).toEqual({
      format: 'csv',
      text: ['| name | note | qty |', '| ---- | ---- | --- |', '| Apple | red, sweet | 3 |', '| Pear | a\\|b c |  |', '| Fig |  |  |'].join(
        '\n',
      ),
    });
  });

  it('returns an empty string for an empty CSV', async () => {
    await expect(extractText({ data: Buffer.alloc(0), filename: 'empty.csv' })).resolves.toEqual({ format: 'csv', text: '' });
  });

  it('reports a CSV with an unclosed quote as a parse error', async () => {
    const error = await extractText({ data: Buffer.from('a,b\n"open,1\n'), filename: 'bad.csv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toMatch(/^Could not read "bad\.csv" as csv: /);
  });

  it('reads the raw text of a docx', async () => {
    const result = await extractText({ data: buildDocx(['First paragraph', 'Second & last']), filename: 'report.docx' });
    expect(result).toEqual({ format: 'docx', text: 'First paragraph\n\nSecond & last' });
  });

  it('reports a docx that is not a zip as a parse error', async () => {
    const error = await extractText({ data: Buffer.from('not a zip'), filename: 'broken.docx' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect(error).toMatchObject({ code: 'document_parse_error', filename: 'broken.docx', format: 'docx' });
  });

  it('reads the text and page count of a PDF without page markers', async () => {
    const data = buildPdf(['Hello Weft PDF', 'Second page text']);
    const copy = Buffer.from(data);
    const result = await extractText({ data, filename: 'two-pages.pdf' });
    expect(result).toEqual({ format: 'pdf', pages: 2, text: 'Hello Weft PDF\n\nSecond page text' });
    expect(data.equals(copy)).toBe(true);
  });

  it('reports a corrupt PDF as a parse error with the reason', async () => {
    const data = buildPdf(['Hello']).subarray(0, 200);
    const error = await extractText({ data, filename: 'cut.pdf' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect(error).toMatchObject({ code: 'document_parse_error', format: 'pdf' });
    expect((error as Error).message).toMatch(/^Could not read "cut\.pdf" as pdf: \S/);
  });

  it('reports bytes that are not a PDF at all as a parse error', async () => {
    const error = await extractText({ data: Buffer.from('hello, I am text'), filename: 'fake.pdf' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
  });

  it('uses the mime type when the name has no known extension', async () => {
    const result = await extractText({ data: Buffer.from('<p>Hi</p>'), filename: 'upload', mimeType: 'text/html; charset=utf-8' });
    expect(result).toEqual({ format: 'html', text: 'Hi' });
  });

  it('lets the extension win over a generic mime type', async () => {
    const result = await extractText({ data: Buffer.from('a,b\n1,2'), filename: 'data.csv', mimeType: 'application/octet-stream' });
    expect(result.format).toBe('csv');
  });

  it('refuses an unknown type with a typed error', async () => {
    const error = await extractText({ data: Buffer.from('x'), filename: 'archive.zip', mimeType: 'application/zip' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect(error).toMatchObject({ code: 'unsupported_file_type', filename: 'archive.zip', mimeType: 'application/zip' });
    expect((error as Error).message).toContain('.pdf');
  });

  it('refuses input over maxBytes before parsing it, and accepts input at the limit', async () => {
    const data = Buffer.from('12345');
    const error = await extractText({ data, filename: 'big.txt', maxBytes: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect(error).toMatchObject({ code: 'document_too_large', maxBytes: 4, sizeBytes: 5 });
    await expect(extractText({ data, filename: 'big.txt', maxBytes: 5 })).resolves.toEqual({ format: 'text', text: '12345' });
  });
});
