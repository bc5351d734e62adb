import { extractTemplateSelectors, hasContextReference, renderTemplate, renderValue } from './template.util';
import { VariablePool } from './variable-pool.util';

function poolWith(): VariablePool {
  const pool = new VariablePool({ system: { query: 'What is up?' }, environment: { API_KEY: 'k-1' }, conversation: { str: 'conv' } });
  pool.setNodeOutputs('1754154032319', {
    text: 'hello',
    count: 3,
    ratio: 0.5,
    flag: true,
    off: false,
    nothing: null,
    obj: { field: 'deep', list: ['x', 'y'], unicode: 'é' },
    strings: ['a', 'b'],
    numbers: [1, 2.5],
    empty: [],
    file: { dify_model_identity: '__dify__file__', type: 'image', transfer_method: 'remote_url', remote_url: 'https://x/y.png' },
  });
  return pool;
}

describe('renderTemplate', () => {
  const pool = poolWith();

  it('replaces system, environment, conversation and node variables', () => {
    expect(renderTemplate('Q: {{#sys.query#}} K={{#env.API_KEY#}} C={{#conversation.str#}} T={{#1754154032319.text#}}', pool)).toBe(
      'Q: What is up? K=k-1 C=conv T=hello',
    );
  });

  it('renders numbers and booleans as text, null as empty and a missing variable as its dotted path', () => {
    expect(
      renderTemplate('{{#1754154032319.count#}}|{{#1754154032319.ratio#}}|{{#1754154032319.flag#}}|{{#1754154032319.off#}}', pool),
    ).toBe('3|0.5|True|False');
    // A variable holding null renders empty; one the pool does not hold renders as its dotted path, as Dify's convert_template does.
    expect(renderTemplate('[{{#1754154032319.nothing#}}][{{#1754154032319.absent#}}][{{#nonode.x#}}]', pool)).toBe(
      '[][1754154032319.absent][nonode.x]',
    );
  });

  it('renders objects and arrays as JSON with Python separators, empty arrays and files as empty', () => {
    expect(renderTemplate('{{#1754154032319.obj#}}', pool)).toBe('{"field": "deep", "list": ["x", "y"], "unicode": "é"}');
    expect(renderTemplate('{{#1754154032319.strings#}}', pool)).toBe('["a", "b"]');
    expect(renderTemplate('{{#1754154032319.numbers#}}', pool)).toBe('[1, 2.5]');
    expect(renderTemplate('<{{#1754154032319.empty#}}>', pool)).toBe('<>');
    expect(renderTemplate('<{{#1754154032319.file#}}>', pool)).toBe('<>');
  });

  it('follows nested paths into objects', () => {
    expect(renderTemplate('{{#1754154032319.obj.field#}} {{#1754154032319.obj.list#}}', pool)).toBe('deep ["x", "y"]');
  });

  it('leaves text that does not match Dify’s pattern literal', () => {
    const literal = [
      '{{#sys#}}',
      '{{sys.query}}',
      '{{ #sys.query# }}',
      '{#sys.query#}',
      '{{#sys.1query#}}',
      '{{#sys.query-x#}}',
      '{{#no-dash.text#}}',
      `{{#${'a'.repeat(51)}.text#}}`,
      `{{#n.${'s'.repeat(31)}#}}`,
      `{{#n${'.a'.repeat(11)}#}}`,
      '{{#sys.query #}}',
    ];
    for (const text of literal) expect(renderTemplate(text, pool)).toBe(text);
  });

  it('accepts the longest ids and paths the pattern allows', () => {
    const longId = 'a'.repeat(50);
    const longSegment = '_'.repeat(30);
    const deep = new VariablePool();
    deep.set([longId, longSegment], 'ok');
    deep.set(['n', 'a'], { a: { a: { a: { a: { a: { a: { a: { a: { a: 'tenth' } } } } } } } } });
    expect(renderTemplate(`{{#${longId}.${longSegment}#}}`, deep)).toBe('ok');
    expect(renderTemplate(`{{#n${'.a'.repeat(10)}#}}`, deep)).toBe('tenth');
  });

  it('does not re-interpret templates inside inserted values', () => {
    const p = new VariablePool();
    p.set(['n', 'evil'], '{{#n.secret#}}');
    p.set(['n', 'secret'], 'leak');
    expect(renderTemplate('{{#n.evil#}}', p)).toBe('{{#n.secret#}}');
  });

  it('replaces {{#context#}} only when a context is supplied', () => {
    expect(renderTemplate('ctx: {{#context#}}', pool)).toBe('ctx: {{#context#}}');
    expect(renderTemplate('ctx: {{#context#}} q: {{#sys.query#}}', pool, { context: 'retrieved' })).toBe('ctx: retrieved q: What is up?');
    expect(renderTemplate('{{#context#}}', pool, { context: '' })).toBe('');
  });

  it('renders a template without variables unchanged', () => {
    expect(renderTemplate('plain {{ text }} $1 $&', pool)).toBe('plain {{ text }} $1 $&');
  });

  it('inserts values containing replacement patterns verbatim', () => {
    const p = new VariablePool();
    p.set(['n', 'v'], "$& $1 $$ $'");
    expect(renderTemplate('[{{#n.v#}}]', p)).toBe("[$& $1 $$ $']");
  });
});

describe('renderValue', () => {
  it('matches Dify’s Segment.text for each kind of value', () => {
    expect(renderValue('s')).toBe('s');
    expect(renderValue(0)).toBe('0');
    expect(renderValue(-1.25)).toBe('-1.25');
    expect(renderValue(null)).toBe('');
    expect(renderValue(undefined)).toBe('');
    expect(renderValue({})).toBe('{}');
    expect(renderValue([{ a: 1 }, true])).toBe('[{"a": 1}, true]');
    expect(renderValue('line\n"quoted"')).toBe('line\n"quoted"');
    expect(renderValue({ s: 'line\n"q"' })).toBe('{"s": "line\\n\\"q\\""}');
  });
});

describe('extractTemplateSelectors', () => {
  it('returns each referenced selector once, in order of first appearance', () => {
    expect(extractTemplateSelectors('{{#b.x#}} {{#sys.query#}} {{#b.x#}} {{#a.obj.field.sub#}}')).toEqual([
      ['b', 'x'],
      ['sys', 'query'],
      ['a', 'obj', 'field', 'sub'],
    ]);
  });

  it('ignores {{#context#}} and text that does not match the pattern', () => {
    expect(extractTemplateSelectors('{{#context#}} {{#bad-id.x#}} {{sys.query}} {{#n.1a#}}')).toEqual([]);
  });

  it('is safe to call repeatedly (no shared regex state)', () => {
    expect(extractTemplateSelectors('{{#a.b#}}')).toEqual([['a', 'b']]);
    expect(extractTemplateSelectors('{{#a.b#}}')).toEqual([['a', 'b']]);
  });
});

describe('hasContextReference', () => {
  it('detects the special context marker', () => {
    expect(hasContextReference('use {{#context#}}')).toBe(true);
    expect(hasContextReference('use {{#context.x#}}')).toBe(false);
  });
});
