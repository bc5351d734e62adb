import { fileTypeOfMimeType, normalizeMimeType, toolFileExtension, toolFileName } from './tool-file.util';

describe('tool file naming and typing', () => {
  it("gives Python's guess_extension answers, .bin for unknown types", () => {
    expect(toolFileExtension('audio/mpeg')).toBe('.mp3');
    expect(toolFileExtension('image/png; charset=binary')).toBe('.png');
    expect(toolFileExtension('image/jpeg')).toBe('.jpg');
    expect(toolFileExtension('image/svg+xml')).toBe('.svg');
    expect(toolFileExtension('application/x-weird')).toBe('.bin');
    expect(normalizeMimeType(undefined)).toBe('octet/stream');
    expect(normalizeMimeType('not a type\r\n')).toBe('octet/stream');
  });

  it('types a file by its mime type as Dify does', () => {
    expect(fileTypeOfMimeType('image/png')).toBe('image');
    expect(fileTypeOfMimeType('audio/x-wav')).toBe('audio');
    expect(fileTypeOfMimeType('video/mp4')).toBe('video');
    expect(fileTypeOfMimeType('application/pdf')).toBe('document');
    expect(fileTypeOfMimeType('text/csv')).toBe('document');
    expect(fileTypeOfMimeType('application/zip')).toBe('custom');
  });

  it("names a file by the tool's name with the type's extension, else by its id", () => {
    const id = '0b4d7c1e-8f7a-4c39-9a55-2f6d3c1b9e10';
    expect(toolFileName(id, '.png', 'qr code.png')).toBe('qr code.png');
    expect(toolFileName(id, '.png', '../../etc/passwd.html')).toBe('passwd.png');
    expect(toolFileName(id, '.mp3', undefined)).toBe('0b4d7c1e8f7a4c399a552f6d3c1b9e10.mp3');
    expect(toolFileName(id, '.mp3', '.hidden')).toBe('0b4d7c1e8f7a4c399a552f6d3c1b9e10.mp3');
  });
});
