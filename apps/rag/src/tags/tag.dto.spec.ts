import { parseBody } from '@weft/contracts';
import { BindTagsSchema, CreateTagSchema, toTagResponse, UnbindTagsSchema, unbindingTagIds, UpdateTagSchema } from './tag.dto';

const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a refusal');
};

describe('knowledge tag bodies', () => {
  it("takes names of 1 to 50 characters as Dify's TagNamePayload does, and nothing else", () => {
    expect(parseBody(CreateTagSchema, { name: 'x'.repeat(50) }).name).toHaveLength(50);
    for (const bad of [{}, { name: '' }, { name: 'x'.repeat(51) }, { name: 7 }, { name: null }, { name: ['a'] }]) {
      expect(fails(() => parseBody(CreateTagSchema, bad))).toMatchObject({
        code: 'invalid_param',
        message: expect.stringMatching(/^name: /),
      });
    }
    expect(fails(() => parseBody(UpdateTagSchema, { name: 'ok' })).message).toMatch(/^tag_id: /);
  });

  it('needs a list of tag ids and a target for a binding', () => {
    expect(parseBody(BindTagsSchema, { tag_ids: ['a'], target_id: 'd' })).toEqual({ tag_ids: ['a'], target_id: 'd' });
    expect(fails(() => parseBody(BindTagsSchema, { tag_ids: 'a', target_id: 'd' })).message).toMatch(/^tag_ids: /);
    expect(fails(() => parseBody(BindTagsSchema, { tag_ids: ['a'] })).message).toMatch(/^target_id: /);
    expect(fails(() => parseBody(BindTagsSchema, { tag_ids: [1], target_id: 'd' })).message).toMatch(/^tag_ids\.0: /);
  });

  it("unbinds tag_ids, or Dify's legacy single tag_id when tag_ids is empty", () => {
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { tag_ids: ['a', 'b'], target_id: 'd' }))).toEqual(['a', 'b']);
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { tag_id: 'a', target_id: 'd' }))).toEqual(['a']);
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { tag_id: 'a', tag_ids: [], target_id: 'd' }))).toEqual(['a']);
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { tag_id: 'a', tag_ids: ['b'], target_id: 'd' }))).toEqual(['b']);
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { target_id: 'd' }))).toEqual([]);
    expect(unbindingTagIds(parseBody(UnbindTagsSchema, { tag_id: null, target_id: 'd' }))).toEqual([]);
  });

  it('answers binding_count as a string, as Dify does', () => {
    expect(toTagResponse({ bindingCount: 3, id: 'i', name: 'n', type: 'knowledge' })).toEqual({
      binding_count: '3',
      id: 'i',
      name: 'n',
      type: 'knowledge',
    });
  });
});
