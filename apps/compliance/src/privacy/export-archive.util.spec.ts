import { dataExportKeyBinding } from '@weft/contracts';
import { SecretBox } from '@weft/security';
import { openArchive, sealArchive } from './export-archive.util';

const box = new SecretBox({ k1: 'a'.repeat(40) }, 'k1', 'data-export');
const EXPORT_ID = '5f0c3a52-8d7e-4c1b-9a42-1b6f0e2d3c4a';
const ACCOUNT_ID = '0b9e7c1a-2f3d-4e5a-8b6c-7d8e9f0a1b2c';
const mine = dataExportKeyBinding(EXPORT_ID, ACCOUNT_ID);

describe('sealed data export archives', () => {
  it('round-trips, with a fresh key and IV for every archive', () => {
    const plain = Buffer.from(JSON.stringify({ profile: { email: 'ada@example.com' } }));
    const a = sealArchive(plain, box, mine);
    const b = sealArchive(plain, box, mine);
    expect(openArchive(a.data, a.sealedKey, box, mine).equals(plain)).toBe(true);
    expect(a.data.equals(b.data)).toBe(false);
    expect(a.sealedKey).not.toBe(b.sealedKey);
    expect(a.data.includes(Buffer.from('ada@example.com'))).toBe(false);
    // The link's id may be spelled in capitals; the binding reads it as Postgres writes it.
    expect(openArchive(a.data, a.sealedKey, box, dataExportKeyBinding(EXPORT_ID.toUpperCase(), ACCOUNT_ID)).equals(plain)).toBe(true);
  });

  it('refuses a changed byte, another archive key, another purpose, and a key sealed for another export or account', () => {
    const plain = Buffer.from('{"x":1}');
    const a = sealArchive(plain, box, mine);
    const b = sealArchive(plain, box, mine);
    const flipped = Buffer.from(a.data);
    flipped[flipped.length - 1] ^= 1;
    expect(() => openArchive(flipped, a.sealedKey, box, mine)).toThrow();
    expect(() => openArchive(a.data, b.sealedKey, box, mine)).toThrow();
    expect(() => openArchive(a.data, a.sealedKey, new SecretBox({ k1: 'a'.repeat(40) }, 'k1', 'other'), mine)).toThrow();
    expect(() => openArchive(a.data, a.sealedKey, box, dataExportKeyBinding(ACCOUNT_ID, ACCOUNT_ID))).toThrow(/another row/);
    expect(() => openArchive(a.data, a.sealedKey, box, dataExportKeyBinding(EXPORT_ID, EXPORT_ID))).toThrow(/another row/);
    expect(() => openArchive(Buffer.from('nope'), a.sealedKey, box, mine)).toThrow(/Not a sealed data export/);
  });
});
