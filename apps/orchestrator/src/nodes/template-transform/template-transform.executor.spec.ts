import { templateData } from '@weft/testing';
import { JinjaRenderer, VariablePool, type GraphNode } from '@weft/workflow';
import { TEMPLATE_OUTPUT_MAX_LENGTH, TemplateTransformExecutor } from './template-transform.executor';

const BOMB = '{% for i in range(3000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}';

function templateNode(template: string, variables: Record<string, string[]> = {}): GraphNode {
  return {
    data: templateData(template, variables) as unknown as GraphNode['data'],
    id: 't',
    title: 'Template',
    type: 'template-transform',
    ui: {},
  };
}

describe('TemplateTransformExecutor', () => {
  const renderer = new JinjaRenderer({ maxOutputLength: TEMPLATE_OUTPUT_MAX_LENGTH, timeoutMs: 300 });
  const executor = new TemplateTransformExecutor(renderer);
  const pool = new VariablePool();
  pool.set(['start', 'name'], 'Ada');
  pool.set(['start', 'items'], ['a', 'b']);
  afterAll(() => renderer.close());

  it('renders the template over its declared variables', async () => {
    const node = templateNode('Hi {{ name }}: {{ items | join(", ") }} {{ missing }}', {
      items: ['start', 'items'],
      missing: ['start', 'nope'],
      name: ['start', 'name'],
    });
    await expect(executor.execute(node, pool)).resolves.toEqual({
      inputs: { items: ['a', 'b'], missing: null, name: 'Ada' },
      outputs: { output: 'Hi Ada: a, b ' },
      status: 'succeeded',
    });
  });

  it('fails a template that does not parse with the library message and error class', async () => {
    await expect(executor.execute(templateNode('{% if %}'), pool)).resolves.toEqual({
      error: 'Unexpected token: CloseStatement',
      errorType: 'SyntaxError',
      inputs: {},
      status: 'failed',
    });
  });

  it('fails a template bomb at the time limit', async () => {
    await expect(executor.execute(templateNode(BOMB), pool)).resolves.toEqual({
      error: 'Template rendering took longer than the 300 ms limit',
      errorType: 'NodeRunError',
      inputs: {},
      status: 'failed',
    });
  });

  it("fails output over Dify's TEMPLATE_TRANSFORM_MAX_LENGTH", async () => {
    pool.set(['start', 'long'], 'x'.repeat(TEMPLATE_OUTPUT_MAX_LENGTH));
    const exact = await executor.execute(templateNode('{{ long }}', { long: ['start', 'long'] }), pool);
    expect(exact.status).toBe('succeeded');
    await expect(executor.execute(templateNode('{{ long }}!', { long: ['start', 'long'] }), pool)).resolves.toMatchObject({
      error: 'Output length exceeds 400000 characters',
      errorType: 'NodeRunError',
      status: 'failed',
    });
  });

  it('checks the output length itself when the renderer allows longer output', async () => {
    const unlimited = { render: () => Promise.resolve({ ok: true as const, output: 'x'.repeat(TEMPLATE_OUTPUT_MAX_LENGTH + 1) }) };
    await expect(new TemplateTransformExecutor(unlimited).execute(templateNode('{{ x }}'), pool)).resolves.toMatchObject({
      error: 'Output length exceeds 400000 characters',
      status: 'failed',
    });
  });
});
