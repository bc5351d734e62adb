import { DomainError, parseBody } from '@weft/contracts';
import {
  DatasetsQuerySchema,
  queryTagIds,
  readDocumentSettings,
  requireBuiltInAction,
  requireDocumentAction,
  requireJsonObject,
  SegmentPageSchema,
} from './knowledge.dto';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.code}: ${error.message}` : `not a DomainError: ${String(error)}`;
  }
  return 'accepted';
};

describe('requireJsonObject', () => {
  it('takes a JSON object as it is', () => {
    const body = { name: 'Looms' };
    expect(requireJsonObject(body)).toBe(body);
  });

  it.each([undefined, null, [1, 2], 'text', 42])('refuses %j, a missing body included (parseBody would read it as {})', (body) => {
    expect(refusal(() => requireJsonObject(body))).toBe('invalid_param: The request body must be a JSON object.');
  });
});

describe('path actions', () => {
  it('takes the document status actions Dify has and refuses others', () => {
    for (const action of ['enable', 'disable', 'archive', 'un_archive']) expect(requireDocumentAction(action)).toBe(action);
    expect(refusal(() => requireDocumentAction('explode'))).toBe('invalid_param: Invalid action explode.');
  });

  it('takes enable and disable for the built-in metadata fields', () => {
    expect(requireBuiltInAction('enable')).toBe('enable');
    expect(requireBuiltInAction('disable')).toBe('disable');
    expect(refusal(() => requireBuiltInAction('archive'))).toBe('invalid_param: Invalid action archive.');
  });
});

describe('readDocumentSettings', () => {
  it('reads the data field of a by-file form, absent or empty meaning no settings', () => {
    expect(readDocumentSettings({ data: '{"indexing_technique":"economy"}' })).toEqual({ indexing_technique: 'economy' });
    expect(readDocumentSettings({ data: '' })).toEqual({});
    expect(readDocumentSettings(undefined)).toEqual({});
  });

  it('answers 400 for data that is not a JSON object', () => {
    expect(refusal(() => readDocumentSettings({ data: '[1]' }))).toBe('invalid_param: data: data must be a JSON object');
    expect(refusal(() => readDocumentSettings({ data: ['a', 'b'] }))).toBe('invalid_param: data: data must be a JSON string');
    expect(refusal(() => readDocumentSettings({ data: '{not json' }))).toMatch(/^invalid_param: data: /);
  });
});

describe('response schemas', () => {
  it('accept fields they do not name (objects are not strict), and refuse a missing one', () => {
    const page = { data: [], doc_form: 'text_model', has_more: false, limit: 20, page: 1, total: 0 };
    expect(SegmentPageSchema.safeParse({ ...page, total_pages: 0 }).success).toBe(true);
    const { doc_form: _docForm, ...withoutForm } = page;
    expect(SegmentPageSchema.safeParse(withoutForm).success).toBe(false);
  });
});

describe('the tag_ids of a dataset list', () => {
  it('reads one tag id, repeated ones, or none, as Dify reads request.args.getlist', () => {
    expect(queryTagIds(parseBody(DatasetsQuerySchema, {}))).toEqual([]);
    expect(queryTagIds(parseBody(DatasetsQuerySchema, { tag_ids: 'a' }))).toEqual(['a']);
    expect(queryTagIds(parseBody(DatasetsQuerySchema, { tag_ids: ['a', 'b'] }))).toEqual(['a', 'b']);
    expect(queryTagIds(parseBody(DatasetsQuerySchema, { tag_ids: '' }))).toEqual([]);
  });

  it('refuses an id that is no string, or too many', () => {
    expect(refusal(() => parseBody(DatasetsQuerySchema, { tag_ids: { a: 1 } }))).toMatch(/^invalid_param: tag_ids: /);
    expect(refusal(() => parseBody(DatasetsQuerySchema, { tag_ids: Array.from({ length: 101 }, () => 'a') }))).toMatch(
      /^invalid_param: tag_ids: /,
    );
    expect(refusal(() => parseBody(DatasetsQuerySchema, { tag_ids: 'x'.repeat(101) }))).toMatch(/^invalid_param: tag_ids: /);
  });
});
