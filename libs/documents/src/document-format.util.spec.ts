import { detectDocumentFormat, SUPPORTED_DOCUMENT_EXTENSIONS } from './document-format.util';

describe('detectDocumentFormat', () => {
  it.each([
    ['a.txt', 'text'],
    ['a.md', 'markdown'],
    ['a.markdown', 'markdown'],
    ['a.html', 'html'],
    ['A.HTM', 'html'],
    ['a.pdf', 'pdf'],
    ['a.docx', 'docx'],
    ['a.csv', 'csv'],
  ])('maps %s to %s', (filename, format) => {
    expect(detectDocumentFormat(filename)).toBe(format);
  });

  it('falls back to the mime type, ignoring case and parameters', () => {
    expect(detectDocumentFormat('blob', 'Application/PDF')).toBe('pdf');
    expect(detectDocumentFormat('blob', 'text/markdown; charset=UTF-8')).toBe('markdown');
    expect(detectDocumentFormat('blob', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('docx');
  });

  it('returns undefined when neither names a supported format', () => {
    expect(detectDocumentFormat('a.doc', 'application/msword')).toBeUndefined();
    expect(detectDocumentFormat('noext')).toBeUndefined();
  });

  it('lists every supported extension', () => {
    expect([...SUPPORTED_DOCUMENT_EXTENSIONS].sort()).toEqual(['.csv', '.docx', '.htm', '.html', '.markdown', '.md', '.pdf', '.txt']);
  });
});
