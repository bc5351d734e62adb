import { createHmac } from 'node:crypto';
import { fileLinkKey, fileLinkSign, signedFileUrl, signedToolFileUrl, verifyFileLink, type FileLinkSettings } from './file-link.util';

const FILE = '0b4d7c1e-8f7a-4c39-9a55-2f6d3c1b9e10';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const settings: FileLinkSettings = { baseUrl: undefined, key: fileLinkKey('a-secret-key-for-tests-0123456789'), ttlSeconds: 300 };

function linkOf(url: string): { fileId: string; nonce: string; sign: string; timestamp: string } {
  const parsed = new URL(url, 'http://gateway.test');
  const match = /^\/files\/([^/]+)\/file-preview$/.exec(parsed.pathname);
  return {
    fileId: decodeURIComponent(match![1]!),
    nonce: parsed.searchParams.get('nonce')!,
    sign: parsed.searchParams.get('sign')!,
    timestamp: parsed.searchParams.get('timestamp')!,
  };
}

describe('signed file links', () => {
  it("signs Dify's message with a key derived from SECRET_KEY, in URL-safe base64", () => {
    const key = fileLinkKey('s3cret');
    expect(key).toEqual(createHmac('sha256', 's3cret').update('weft-file-links').digest());
    const sign = fileLinkSign(key, FILE, '1700000000', 'abc');
    const expected = createHmac('sha256', key).update(`file-preview|${FILE}|1700000000|abc`).digest('base64');
    expect(sign).toBe(expected.replace(/\+/g, '-').replace(/\//g, '_'));
    expect(sign).not.toMatch(/[+/]/);
    expect(fileLinkKey('another')).not.toEqual(key);
  });

  it("makes Dify's path, relative or under FILES_URL, and the link it makes verifies", () => {
    const url = signedFileUrl(settings, FILE, NOW, 'n0nce');
    expect(url).toMatch(new RegExp(`^/files/${FILE}/file-preview\\?nonce=n0nce&sign=[^&]+&timestamp=${NOW / 1000}$`));
    const link = linkOf(url);
    expect(link.fileId).toBe(FILE);
    expect(verifyFileLink(settings, FILE, link, NOW)).toBe(true);
    expect(signedFileUrl({ ...settings, baseUrl: 'https://weft.example.com/' }, FILE, NOW, 'n')).toMatch(
      /^https:\/\/weft\.example\.com\/files\//,
    );
  });

  it('works for the configured time and not after, nor for a time claimed far ahead', () => {
    const link = linkOf(signedFileUrl(settings, FILE, NOW));
    expect(verifyFileLink(settings, FILE, link, NOW + 300_000)).toBe(true);
    expect(verifyFileLink(settings, FILE, link, NOW + 301_000)).toBe(false);
    expect(verifyFileLink(settings, FILE, link, NOW - 301_000)).toBe(false);
  });

  it('refuses another file, a changed nonce or timestamp, a forged or empty sign, and another key', () => {
    const link = linkOf(signedFileUrl(settings, FILE, NOW));
    expect(verifyFileLink(settings, '1b4d7c1e-8f7a-4c39-9a55-2f6d3c1b9e10', link, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, nonce: `${link.nonce}x` }, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, timestamp: String(Number(link.timestamp) + 1) }, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, sign: link.sign.slice(0, -2) }, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, sign: '' }, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, nonce: '' }, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, { ...link, timestamp: 'soon' }, NOW)).toBe(false);
    expect(verifyFileLink({ ...settings, key: fileLinkKey('other-secret') }, FILE, link, NOW)).toBe(false);
  });
});

describe('signed tool file links', () => {
  it("makes Dify's /files/tools/{id}{extension} link, signed like every file link and checked by verifyFileLink", () => {
    const url = signedToolFileUrl(settings, FILE, '.mp3', NOW, 'n0nce');
    const sign = fileLinkSign(settings.key, FILE, String(NOW / 1000), 'n0nce');
    expect(url).toBe(`/files/tools/${FILE}.mp3?timestamp=${NOW / 1000}&nonce=n0nce&sign=${sign}`);
    expect(sign.endsWith('=')).toBe(true);
    const query = new URL(url, 'http://gateway.test').searchParams;
    const link = { nonce: query.get('nonce')!, sign: query.get('sign')!, timestamp: query.get('timestamp')! };
    expect(verifyFileLink(settings, FILE, link, NOW)).toBe(true);
    expect(verifyFileLink(settings, '1c5e8d2f-9a8b-4d4a-8b66-3a7e4d2c0f21', link, NOW)).toBe(false);
    expect(verifyFileLink(settings, FILE, link, NOW + 301_000)).toBe(false);
    expect(signedToolFileUrl({ ...settings, baseUrl: 'https://weft.example/' }, FILE, '.png', NOW, 'n')).toMatch(
      new RegExp(`^https://weft\\.example/files/tools/${FILE}\\.png\\?timestamp=`),
    );
  });
});
