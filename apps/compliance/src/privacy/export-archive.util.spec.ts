import { SecretBox } from '@weft/security';
import { openArchive, sealArchive } from './export-archive.util';

const box = new SecretBox({ k1: 'a'.repeat(40) }, 'k1', 'data-export');

describe('sealed data export archives', () => {
  it('round-trips, with a fresh key and IV for every archive', () => {
    const plain = Buffer.from(JSON.stringify({ profile: { email: 'ada@example.com' } }));
    const a = sealArchive(plain, box);
    const b = sealArchive(plain, box);
    expect(openArchive(a.data, a.sealedKey, box).equals(plain)).toBe(true);
    expect(a.data.equals(b.data)).toBe(false);
    expect(a.sealedKey).not.toBe(b.sealedKey);
    expect(a.data.includes(Buffer.from('ada@example.com'))).toBe(false);
  });

  it('refuses a changed byte, another archive key and another purpose', () => {
    const plain = Buffer.from('{"x":1}');
    const a = sealArchive(plain, box);
    const b = sealArchive(plain, box);
    const flipped = Buffer.from(a.data);
    flipped[flipped.length - 1] ^= 1;
    expect(() => openArchive(flipped, a.sealedKey, box)).toThrow();
    expect(() => openArchive(a.data, b.sealedKey, box)).toThrow();
    expect(() => openArchive(a.data, a.sealedKey, new SecretBox({ k1: 'a'.repeat(40) }, 'k1', 'other'))).toThrow();
    expect(() => openArchive(Buffer.from('nope'), a.sealedKey, box)).toThrow(/Not a sealed data export/);
  });
});
