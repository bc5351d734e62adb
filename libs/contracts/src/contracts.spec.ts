import { AuditEventSchema } from './audit.contract';
import { CONTRACTS, contractVersion, subjectsOwnedBy } from './subjects.contract';
import { ServiceStatusSchema } from './system.contract';
import * as catalog from './error-catalog.contract';
import { AppErrors, FileErrors, RunErrors } from './error-catalog.contract';
import { DomainError, ERROR_CODES, ErrorEnvelopeSchema, toErrorEnvelope } from './errors.contract';
import { AGENT_STEP_TEXT_LIMIT, NodeChunkSchema, NodeResultSchema, fromNodeResult, toNodeResult } from './workflow.contract';

const validEvent = {
  id: '0b9c6f2e-8f8d-4a39-9a55-2f1b6f3e8d11',
  occurredAt: '2026-11-26T10:00:00.000Z',
  service: 'gateway',
  actor: { type: 'system', id: 'gateway' },
  resource: { type: 'service', id: 'host-1' },
  workspaceId: null,
  action: 'service.started',
  outcome: 'success',
  ip: null,
  userAgent: null,
  correlationId: 'abc',
  details: { port: 5001 },
};

describe('contract schemas', () => {
  it('accepts a well-formed audit event', () => {
    expect(AuditEventSchema.safeParse(validEvent).success).toBe(true);
  });

  it.each([
    ['a non-uuid id', { id: 'nope' }, 'id'],
    ['an unknown service', { service: 'billing' }, 'service'],
    ['an unknown actor type', { actor: { type: 'robot', id: null } }, 'actor.type'],
    ['a bad timestamp', { occurredAt: 'yesterday' }, 'occurredAt'],
    ['a bad outcome', { outcome: 'meh' }, 'outcome'],
    ['details that are not an object', { details: 'x' }, 'details'],
  ])('rejects an audit event with %s', (_what, change, path) => {
    const result = AuditEventSchema.safeParse({ ...validEvent, ...change });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('rejects a status answer without a version', () => {
    const status = { service: 'rag', instanceId: 'i', startedAt: 'x', uptimeSeconds: 1, ready: true, dependencies: { nats: 'up' } };
    expect(ServiceStatusSchema.safeParse(status).success).toBe(false);
    expect(ServiceStatusSchema.safeParse({ ...status, version: '0.1.0' }).success).toBe(true);
  });

  it('rejects extra fields on the status request', () => {
    expect(CONTRACTS['system.status.v1'].request.safeParse({}).success).toBe(true);
    expect(CONTRACTS['system.status.v1'].request.safeParse({ drop: 'tables' }).success).toBe(false);
  });

  it('versions every subject in its name', () => {
    for (const subject of Object.keys(CONTRACTS) as (keyof typeof CONTRACTS)[]) {
      expect(subject).toMatch(/\.v\d+$/);
      expect(contractVersion(subject)).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives broadcast subjects no owner', () => {
    expect(subjectsOwnedBy('gateway')).not.toContain('system.status.v1');
  });
});

describe('error envelope', () => {
  it('keeps the code and message of a domain error', () => {
    const envelope = toErrorEnvelope(new DomainError('not_found', 'Run not found.'), 'c-1');
    expect(envelope).toEqual({ code: 'not_found', message: 'Run not found.', correlationId: 'c-1' });
    expect(ErrorEnvelopeSchema.parse(envelope)).toEqual(envelope);
  });

  it('hides the text of an unexpected error behind internal_error', () => {
    const envelope = toErrorEnvelope(new Error('password=hunter2 leaked'), 'c-2');
    expect(envelope.code).toBe('internal_error');
    expect(envelope.message).not.toContain('hunter2');
    expect(envelope.message).toContain('c-2');
  });

  it('rejects an envelope with an unknown code', () => {
    expect(ErrorEnvelopeSchema.safeParse({ code: 'teapot', message: 'x', correlationId: 'y' }).success).toBe(false);
  });
});

describe('node outcomes on the wire', () => {
  const jobId = '0b7e3f52-8c1d-4a9e-b6f0-2d3c4e5f6a7b';

  it('sends a succeeded outcome with every field present and reads it back with its branch', () => {
    const result = toNodeResult(jobId, { edgeSourceHandle: 'c1', inputs: { q: 'x' }, outputs: { class_id: 'c1' }, status: 'succeeded' });
    expect(NodeResultSchema.parse(result)).toEqual({
      edgeSourceHandle: 'c1',
      error: null,
      errorType: null,
      inputs: { q: 'x' },
      jobId,
      metadata: {},
      outputs: { class_id: 'c1' },
      processData: null,
      status: 'succeeded',
    });
    expect(fromNodeResult(result)).toEqual({
      edgeSourceHandle: 'c1',
      inputs: { q: 'x' },
      metadata: {},
      outputs: { class_id: 'c1' },
      processData: null,
      status: 'succeeded',
    });
  });

  it('sends what a failed node produced, and reads the failure back without it', () => {
    const error = 'Request failed with status code 404';
    const outcome = { error, errorType: 'HTTPResponseCodeError', inputs: null, outputs: { status_code: 404 }, status: 'failed' } as const;
    const result = toNodeResult(jobId, outcome);
    expect(NodeResultSchema.parse(result)).toMatchObject({ edgeSourceHandle: null, outputs: { status_code: 404 }, status: 'failed' });
    expect(fromNodeResult(result)).toEqual({
      error,
      errorType: 'HTTPResponseCodeError',
      inputs: null,
      metadata: {},
      processData: null,
      status: 'failed',
    });
  });

  it('sends "no branch" as a null handle and reads it back as no branch', () => {
    const result = toNodeResult(jobId, { inputs: null, outputs: {}, status: 'succeeded' });
    expect(result.edgeSourceHandle).toBeNull();
    const outcome = fromNodeResult(result);
    expect(outcome.status === 'succeeded' ? outcome.edgeSourceHandle : 'failed').toBeUndefined();
  });
});

describe('error catalog', () => {
  type Entry = { group: string; make: (...args: string[]) => DomainError; name: string };
  const entries: Entry[] = Object.entries(catalog).flatMap(([group, value]) =>
    typeof value === 'object' ? Object.entries(value as Record<string, Entry['make']>).map(([name, make]) => ({ group, make, name })) : [],
  );

  it('has the catalogs', () => {
    expect(entries.length).toBeGreaterThan(50);
  });

  it.each(entries)('$group.$name makes a new DomainError with a known code on every call', ({ make }) => {
    // The first argument doubles as AppErrors.modeMismatch's code; every other entry reads it as a name.
    const first = make('not_chat_app', 'y');
    expect(first).toBeInstanceOf(DomainError);
    expect(ERROR_CODES).toContain(first.code);
    expect(make('not_chat_app', 'y')).not.toBe(first);
  });

  it("keeps Dify's codes and messages that clients match on", () => {
    expect(toErrorEnvelope(AppErrors.modeMismatch('not_chat_app'), 'c-3')).toEqual({
      code: 'not_chat_app',
      correlationId: 'c-3',
      message: 'Please check if your app mode matches the right API route.',
    });
    expect(RunErrors.workflowIdNotFound()).toMatchObject({ code: 'bad_request', message: 'Workflow not found.' });
    expect(FileErrors.tooLarge()).toMatchObject({ code: 'file_too_large', message: '' });
    expect(FileErrors.formRefused('File too large', 'file').message).toBe('The multipart form was refused: File too large (field "file").');
    expect(FileErrors.formRefused('Unexpected end of form').message).toBe('The multipart form was refused: Unexpected end of form.');
  });
});

describe('agent steps on wf.node.chunk.v1', () => {
  const jobId = '0b9c6f2e-8f8d-4a39-9a55-2f1b6f3e8d11';
  const step = {
    createdAt: 1_700_000_000,
    position: 1,
    thought: 'Let me see.',
    tools: [{ input: { q: 1 }, name: 'calc', observation: null }],
  };

  it('reads a chunk without a step as before, and a step beside empty text', () => {
    expect(NodeChunkSchema.parse({ jobId, text: 'Hi' })).toEqual({ jobId, text: 'Hi' });
    expect(NodeChunkSchema.parse({ jobId, step, text: '' }).step).toEqual(step);
  });

  it('refuses steps a node runner could use to flood the orchestrator: long texts, many tools, wild positions', () => {
    const long = 'x'.repeat(AGENT_STEP_TEXT_LIMIT + 1);
    for (const bad of [
      { ...step, thought: long },
      { ...step, tools: [{ ...step.tools[0], observation: long }] },
      { ...step, tools: Array.from({ length: 101 }, () => step.tools[0]) },
      { ...step, position: 0 },
      { ...step, position: 1001 },
      { ...step, createdAt: -1 },
    ])
      expect(NodeChunkSchema.safeParse({ jobId, step: bad, text: '' }).success).toBe(false);
  });
});
