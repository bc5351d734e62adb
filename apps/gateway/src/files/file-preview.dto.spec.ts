import { attachmentDisposition, mayShowInline, mustDownload, wantsAttachment } from './file-preview.dto';

describe('file preview answers', () => {
  it('reads as_attachment as a flag', () => {
    for (const yes of ['true', 'True', '1', 'yes', 'on']) expect(wantsAttachment(yes)).toBe(true);
    for (const no of [undefined, '', 'false', '0', 'no', 'attachment']) expect(wantsAttachment(no)).toBe(false);
  });

  it('always downloads what a browser would run as a page, and shows plain files', () => {
    for (const active of [
      'text/html',
      'text/html; charset=utf-8',
      'application/xhtml+xml',
      'image/svg+xml',
      'text/xml',
      'application/javascript',
    ])
      expect(mustDownload(active)).toBe(true);
    for (const inert of ['text/plain', 'application/pdf', 'text/markdown', 'text/csv', 'image/png'])
      expect(mustDownload(inert)).toBe(false);
  });

  it('names the file in RFC 5987 form, whatever characters it has', () => {
    expect(attachmentDisposition('loom notes.txt')).toBe("attachment; filename*=UTF-8''loom%20notes.txt");
    expect(attachmentDisposition("tissage d'été (v2).md")).toBe("attachment; filename*=UTF-8''tissage%20d%27%C3%A9t%C3%A9%20%28v2%29.md");
    expect(attachmentDisposition('a";\r\nx.txt')).not.toMatch(/["\r\n;]x/);
  });
});

describe('tool file answers', () => {
  it('shows images, audio, video and plain text inline, and nothing a browser could run', () => {
    for (const type of ['image/png', 'image/jpeg', 'audio/mpeg', 'audio/x-wav', 'video/mp4', 'text/plain; charset=utf-8']) {
      expect({ type, inline: mayShowInline(type) }).toEqual({ inline: true, type });
    }
    for (const type of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'application/pdf', 'octet/stream', 'text/javascript']) {
      expect({ type, inline: mayShowInline(type) }).toEqual({ inline: false, type });
    }
  });
});
