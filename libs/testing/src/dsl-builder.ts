import { stringify } from 'yaml';

interface BuiltNode {
  data: Record<string, unknown>;
  height: number;
  id: string;
  parentId?: string;
  position: { x: number; y: number };
  type: string;
  width: number;
}

/**
 * Writes Dify DSL documents for tests, in the shape Dify exports (ReactFlow wrappers, `custom` node
 * types, edges with handles and editor data), so a test can state a graph in a few lines.
 */
export class DslBuilder {
  private readonly nodes: BuiltNode[] = [];
  private readonly edges: Record<string, unknown>[] = [];
  private readonly env: Record<string, unknown>[] = [];
  private readonly conversation: Record<string, unknown>[] = [];
  private featureSettings: Record<string, unknown> = {};

  constructor(
    private readonly name: string,
    private readonly mode: 'workflow' | 'advanced-chat' = 'workflow',
  ) {}

  /** Adds a node; `parentId` places it inside an iteration or loop. */
  node(id: string, type: string, data: Record<string, unknown> = {}, opts: { parentId?: string; title?: string } = {}): this {
    const container = opts.parentId ? this.nodes.find((n) => n.id === opts.parentId)?.data['type'] : undefined;
    const inside = !opts.parentId
      ? {}
      : container === 'loop'
        ? { isInLoop: true, loop_id: opts.parentId }
        : { isInIteration: true, iteration_id: opts.parentId };
    this.nodes.push({
      data: { desc: '', selected: false, title: opts.title ?? id, type, ...inside, ...data },
      height: 54,
      id,
      ...(opts.parentId ? { parentId: opts.parentId } : {}),
      position: { x: this.nodes.length * 300, y: 200 },
      type: type === 'iteration-start' ? 'custom-iteration-start' : type === 'loop-start' ? 'custom-loop-start' : 'custom',
      width: 244,
    });
    return this;
  }

  /** Adds an edge leaving `source` by `handle` ("source" unless a branch). */
  edge(source: string, target: string, handle = 'source'): this {
    const sourceType = this.nodes.find((n) => n.id === source)?.data['type'];
    const targetType = this.nodes.find((n) => n.id === target)?.data['type'];
    this.edges.push({
      data: { isInIteration: false, isInLoop: false, sourceType, targetType },
      id: `${source}-${handle}-${target}-target`,
      source,
      sourceHandle: handle,
      target,
      targetHandle: 'target',
      type: 'custom',
      zIndex: 0,
    });
    return this;
  }

  /** Chains nodes with plain edges: `chain('a', 'b', 'c')` is a → b → c. */
  chain(...ids: string[]): this {
    for (let i = 1; i < ids.length; i++) this.edge(ids[i - 1]!, ids[i]!);
    return this;
  }

  /** Adds an environment variable. */
  environment(name: string, value: unknown, valueType: 'string' | 'number' | 'secret' = 'string'): this {
    this.env.push({ description: '', id: `${name}-id`, name, value, value_type: valueType });
    return this;
  }

  /** Adds a chatflow conversation variable with its initial value. */
  conversationVariable(name: string, valueType: string, value: unknown): this {
    this.conversation.push({ description: '', id: `${name}-id`, name, selector: ['conversation', name], value, value_type: valueType });
    return this;
  }

  /** Sets the app's features (opening statement, suggested questions, ...). */
  features(features: Record<string, unknown>): this {
    this.featureSettings = features;
    return this;
  }

  /** The document as an object. */
  toDocument(): Record<string, unknown> {
    return {
      app: { description: '', icon: '🤖', icon_background: '#FFEAD5', mode: this.mode, name: this.name, use_icon_as_answer_icon: false },
      dependencies: [],
      kind: 'app',
      version: '0.6.0',
      workflow: {
        conversation_variables: this.conversation,
        environment_variables: this.env,
        features: this.featureSettings,
        graph: { edges: this.edges, nodes: this.nodes, viewport: { x: 0, y: 0, zoom: 1 } },
      },
    };
  }

  /** The document as Dify DSL YAML. */
  toYaml(): string {
    return stringify(this.toDocument());
  }
}

/** A start node's `variables[]` entry for a required text input. */
export function textInput(variable: string, opts: { required?: boolean; max_length?: number } = {}): Record<string, unknown> {
  return {
    label: variable,
    max_length: opts.max_length ?? 256,
    options: [],
    required: opts.required ?? true,
    type: 'text-input',
    variable,
  };
}

/** A template-transform node's data over `{name: selector}` variables. */
export function templateData(template: string, variables: Record<string, string[]>): Record<string, unknown> {
  return {
    template,
    variables: Object.entries(variables).map(([variable, value_selector]) => ({ value_selector, value_type: 'string', variable })),
  };
}

/** An end node's data mapping output names to selectors. */
export function endData(outputs: Record<string, string[]>): Record<string, unknown> {
  return { outputs: Object.entries(outputs).map(([variable, value_selector]) => ({ value_selector, value_type: 'string', variable })) };
}

/** An http-request node's data for a plain GET of `url` (no auth, no body, a 60 s read timeout). */
export function httpGetData(url: string): Record<string, unknown> {
  return {
    authorization: { config: null, type: 'no-auth' },
    body: { data: [], type: 'none' },
    headers: '',
    method: 'get',
    params: '',
    timeout: { connect: 5, read: 60, write: 5 },
    url,
  };
}
