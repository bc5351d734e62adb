import {
  BUILT_IN_FIELDS,
  builtInDeclarations,
  builtInDetails,
  builtInValues,
  isBuiltInFieldName,
  withBuiltIns,
  withoutBuiltIns,
} from './built-in-metadata.util';

const doc = {
  createdAt: new Date('2026-01-02T03:04:05.500Z'),
  dataSourceType: 'upload_file',
  name: 'loom.txt',
  updatedAt: new Date('2026-02-03T04:05:06Z'),
  uploader: 'Ada',
};

describe('built-in metadata fields', () => {
  it("lists Dify's five fields in Dify's order, times typed as time", () => {
    expect(BUILT_IN_FIELDS).toEqual([
      { name: 'document_name', type: 'string' },
      { name: 'uploader', type: 'string' },
      { name: 'upload_date', type: 'time' },
      { name: 'last_update_date', type: 'time' },
      { name: 'source', type: 'string' },
    ]);
  });

  it('takes the name, uploader, epoch-second times and Dify source of a document', () => {
    expect(builtInValues(doc)).toEqual({
      document_name: 'loom.txt',
      last_update_date: Date.parse('2026-02-03T04:05:06Z') / 1000,
      source: 'file_upload',
      upload_date: Date.parse('2026-01-02T03:04:05.500Z') / 1000,
      uploader: 'Ada',
    });
    expect(builtInValues({ ...doc, dataSourceType: 'website_crawl', uploader: null })).toMatchObject({ source: 'website', uploader: null });
    expect(builtInValues({ ...doc, dataSourceType: 'notion_import' })['source']).toBe('notion');
  });

  it('sets built-in values over stale ones and keeps the user values', () => {
    const merged = withBuiltIns({ author: 'Grace', document_name: 'old name', year: 1843 }, doc);
    expect(merged).toMatchObject({ author: 'Grace', document_name: 'loom.txt', year: 1843 });
    expect(Object.keys(merged).sort()).toEqual([
      'author',
      'document_name',
      'last_update_date',
      'source',
      'upload_date',
      'uploader',
      'year',
    ]);
  });

  it('takes built-in values away and nothing else', () => {
    expect(withoutBuiltIns(withBuiltIns({ author: 'Grace', source_url: 'x' }, doc))).toEqual({ author: 'Grace', source_url: 'x' });
    expect(withoutBuiltIns({})).toEqual({});
  });

  it('names the built-in fields, and no user field by another name', () => {
    for (const f of BUILT_IN_FIELDS) expect(isBuiltInFieldName(f.name)).toBe(true);
    for (const other of ['author', 'Document_name', 'source ', '']) expect(isBuiltInFieldName(other)).toBe(false);
  });

  it("answers them as Dify's doc_metadata entries with id built-in", () => {
    expect(builtInDetails(withBuiltIns({}, doc))).toEqual([
      { id: 'built-in', name: 'document_name', type: 'string', value: 'loom.txt' },
      { id: 'built-in', name: 'uploader', type: 'string', value: 'Ada' },
      { id: 'built-in', name: 'upload_date', type: 'time', value: Date.parse('2026-01-02T03:04:05.500Z') / 1000 },
      { id: 'built-in', name: 'last_update_date', type: 'time', value: Date.parse('2026-02-03T04:05:06Z') / 1000 },
      { id: 'built-in', name: 'source', type: 'string', value: 'file_upload' },
    ]);
    expect(builtInDetails({}).every((d) => d.value === null)).toBe(true);
    expect(builtInDeclarations().map((d) => [d.id, d.name])).toEqual(BUILT_IN_FIELDS.map((f) => ['built-in', f.name]));
  });
});
