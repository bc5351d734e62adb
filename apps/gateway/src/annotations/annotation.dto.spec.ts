import { parseBody } from '@weft/contracts';
import { AnnotationListQuerySchema, AnnotationReplyRequestSchema, AnnotationRequestSchema } from './annotation.dto';

const reply = { embedding_model_name: 'text-embedding-3-small', embedding_provider_name: 'openai', score_threshold: 0.9 };

describe('annotation request shapes', () => {
  it('needs a question and an answer, both strings', () => {
    expect(parseBody(AnnotationRequestSchema, { answer: 'a', question: 'q' })).toEqual({ answer: 'a', question: 'q' });
    expect(() => parseBody(AnnotationRequestSchema, { answer: 'a' })).toThrow('question: question is required');
    expect(() => parseBody(AnnotationRequestSchema, { answer: 1, question: 'q' })).toThrow('answer: answer must be a string');
    expect(() => parseBody(AnnotationRequestSchema, { answer: 'a', question: ['q'] })).toThrow('question: question must be a string');
  });

  it('pages from 1 with Dify`s defaults, and refuses pages and limits below 1 or that are not numbers', () => {
    expect(parseBody(AnnotationListQuerySchema, {})).toEqual({ keyword: '', limit: 20, page: 1 });
    expect(parseBody(AnnotationListQuerySchema, { keyword: 'tea', limit: '5', page: '2' })).toEqual({ keyword: 'tea', limit: 5, page: 2 });
    for (const bad of [{ page: '0' }, { limit: '0' }, { limit: 'ten' }, { page: '1.5' }]) {
      expect(() => parseBody(AnnotationListQuerySchema, bad)).toThrow();
    }
  });

  it('needs all three reply fields, reading a numeric string threshold as a number as Dify does', () => {
    expect(parseBody(AnnotationReplyRequestSchema, reply)).toEqual(reply);
    expect(parseBody(AnnotationReplyRequestSchema, { ...reply, score_threshold: ' 0.75 ' }).score_threshold).toBe(0.75);
    expect(() => parseBody(AnnotationReplyRequestSchema, { ...reply, score_threshold: undefined })).toThrow('score_threshold is required');
    for (const bad of ['high', true, null, [0.9]]) {
      expect(() => parseBody(AnnotationReplyRequestSchema, { ...reply, score_threshold: bad })).toThrow('score_threshold must be a number');
    }
    expect(() => parseBody(AnnotationReplyRequestSchema, { score_threshold: 0.9 })).toThrow(
      'embedding_model_name: embedding_model_name is required; embedding_provider_name: embedding_provider_name is required',
    );
    expect(() => parseBody(AnnotationReplyRequestSchema, { ...reply, embedding_provider_name: 7 })).toThrow(
      'embedding_provider_name must be a string',
    );
  });
});
