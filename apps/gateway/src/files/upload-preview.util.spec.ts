import { attachmentDisposition, DOWNLOAD_TYPE, parseAsAttachment, PREVIEW_CSP, previewHeaders } from './upload-preview.util';

/** The name a browser takes from `filename*` (RFC 8187: UTF-8, percent-encoded). */
function decodedName(disposition: string): string {
  const match = /filename\*=UTF-8''([^;\s]+)/.exec(disposition);
  return decodeURIComponent(match![1]!);
}

describe('parseAsAttachment', () => {
  it('reads Dify`s boolean spellings in any case, absent as false', () => {
    for (const yes of ['true', 'TRUE', '1', 'yes', 'on', 't', 'y']) expect(parseAsAttachment(yes)).toBe(true);
    for (const no of ['false', 'False', '0', 'no', 'off', 'f', 'n']) expect(parseAsAttachment(no)).toBe(false);
    expect(parseAsAttachment(undefined)).toBe(false);
  });

  it('refuses anything else, a repeated parameter and an empty value included', () => {
    for (const bad of ['', 'maybe', '2', ['true', 'false'], { a: '1' }]) expect(parseAsAttachment(bad)).toBeNull();
  });
});

describe('attachmentDisposition', () => {
  it('gives the name in UTF-8 (filename*) and as an ASCII fallback (filename)', () => {
    const header = attachmentDisposition('Résumé 2024.pdf');
    expect(header).toBe(`attachment; filename="R_sum_ 2024.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf`);
    expect(decodedName(header)).toBe('Résumé 2024.pdf');
    expect(decodedName(attachmentDisposition('报告.docx'))).toBe('报告.docx');
  });

  it('cannot be broken out of: quotes, backslashes, semicolons, CR and LF never reach the header', () => {
    const name = 'a"; filename=evil.html\r\nSet-Cookie: x=1\\b%41.txt';
    const header = attachmentDisposition(name);
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^attachment; filename="[^"\\;]*"; filename\*=UTF-8''[A-Za-z0-9%!._~-]+$/);
    expect(decodedName(header)).toBe(name);
  });

  it('percent-encodes the characters RFC 8187 does not allow raw, and never gives an empty fallback', () => {
    expect(attachmentDisposition("it's (1)*.txt")).toContain("filename*=UTF-8''it%27s%20%281%29%2A.txt");
    expect(attachmentDisposition('日本')).toContain('filename="__"');
    expect(attachmentDisposition('  ')).toContain('filename="file"');
  });
});

describe('previewHeaders', () => {
  const file = (extension: string, name = `f.${extension}`) => ({ extension, name, size: 42 });

  it('serves images, audio, video, PDF and text inline as the type their extension names', () => {
    expect(previewHeaders(file('png'), false)['content-type']).toBe('image/png');
    expect(previewHeaders(file('JPG'), false)['content-type']).toBe('image/jpeg');
    expect(previewHeaders(file('mp3'), false)['content-type']).toBe('audio/mpeg');
    expect(previewHeaders(file('mp4'), false)['content-type']).toBe('video/mp4');
    expect(previewHeaders(file('pdf'), false)['content-type']).toBe('application/pdf');
    expect(previewHeaders(file('txt'), false)['content-type']).toBe('text/plain; charset=utf-8');
    expect(previewHeaders(file('png'), false)['content-disposition']).toBeUndefined();
  });

  it('makes HTML, SVG, XML and every type not on the list a download a browser never renders', () => {
    for (const extension of ['html', 'htm', 'svg', 'xml', 'xhtml', 'docx', 'eml', 'mdx', 'js', '']) {
      const headers = previewHeaders(file(extension, 'page.html'), false);
      expect(headers['content-type']).toBe(DOWNLOAD_TYPE);
      expect(headers['content-disposition']).toMatch(/^attachment; /);
    }
  });

  it('makes any file a download with as_attachment, as Dify does', () => {
    const headers = previewHeaders(file('png', 'cat.png'), true);
    expect(headers['content-type']).toBe(DOWNLOAD_TYPE);
    expect(headers['content-disposition']).toBe(`attachment; filename="cat.png"; filename*=UTF-8''cat.png`);
  });

  it('always forbids sniffing, sandboxes the answer and keeps it out of shared caches', () => {
    for (const [extension, attachment] of [
      ['png', false],
      ['svg', false],
      ['pdf', true],
    ] as const) {
      const headers = previewHeaders(file(extension), attachment);
      expect(headers).toMatchObject({
        'cache-control': 'private, max-age=3600',
        'content-length': '42',
        'content-security-policy': PREVIEW_CSP,
        'x-content-type-options': 'nosniff',
      });
    }
    expect(PREVIEW_CSP).toContain('sandbox');
    expect(PREVIEW_CSP).toContain("default-src 'none'");
  });
});
