import { AnnotationReplyRequestSchema, EmbedRequestSchema, decodeVector, encodeVector } from './annotations.contract';
import { StartRunResponseSchema } from './workflow.contract';

describe('vectors on the bus', () => {
  it('travel as base64 float32 and come back equal at float32 precision', () => {
    const values = [0.1, -0.25, 1, 0, 3.4e-5, -0.999];
    const decoded = decodeVector(encodeVector(values));
    expect(decoded).toHaveLength(values.length);
    decoded.forEach((v, i) => expect(v).toBeCloseTo(values[i]!, 6));
    expect(decoded[1]).toBe(-0.25);
    expect(Buffer.from(encodeVector(values), 'base64')).toHaveLength(values.length * 4);
  });

  it('refuses an encoding that is not whole float32 values', () => {
    expect(() => decodeVector(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/float32/);
  });

  it('asks for a model`s key alone with no texts, and never for more than 64 texts at once', () => {
    const base = { model: 'text-embedding-3-small', provider: 'openai', workspaceId: '11223344-5566-4788-99aa-bbccddeeff00' };
    expect(EmbedRequestSchema.safeParse({ ...base, texts: [] }).success).toBe(true);
    expect(EmbedRequestSchema.safeParse({ ...base, texts: Array(65).fill('q') }).success).toBe(false);
    expect(EmbedRequestSchema.safeParse({ ...base, provider: '', texts: ['q'] }).success).toBe(false);
  });
});

describe('annotation contracts', () => {
  it('carries the reply action unchecked: the orchestrator answers Dify`s error for an unknown word', () => {
    const req = {
      accountId: null,
      action: 'sideways',
      appId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
      embeddingModel: 'm',
      embeddingProvider: 'p',
      scoreThreshold: 0.9,
      workspaceId: '11223344-5566-4788-99aa-bbccddeeff00',
    };
    expect(AnnotationReplyRequestSchema.safeParse(req).success).toBe(true);
  });

  it('answers a start without an annotation reply as a run (older orchestrators send none)', () => {
    const started = StartRunResponseSchema.parse({
      createdAt: 1,
      runId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
      taskId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
      workflowId: '8c4b1f0e-3a52-4d8e-9a53-0d5f2b3c4d5e',
    });
    expect(started.annotationReply).toBeNull();
  });
});
