import { getFileAttribute, isFileAttribute, isFileValue } from './file.util';
import { isPlainObject } from './python-semantics.util';
import { RESERVED_NODE_IDS, Selector, SystemVariables } from './variable.types';

/** Why a pool operation was refused. */
export type VariablePoolErrorCode = 'invalid-selector' | 'invalid-snapshot';

/** Thrown for a malformed selector or snapshot; these are programming or storage errors, not user input. */
export class VariablePoolError extends Error {
  constructor(
    readonly code: VariablePoolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VariablePoolError';
  }
}

/** Initial contents of a run's pool. */
export interface VariablePoolInit {
  conversation?: Record<string, unknown>;
  environment?: Record<string, unknown>;
  system?: SystemVariables;
}

/** The plain-JSON form of a pool (and of its parent scopes), persisted so a run can resume. */
export interface VariablePoolSnapshot {
  parent?: VariablePoolSnapshot;
  variables: Record<string, Record<string, unknown>>;
  version: 1;
}

const CANONICAL_INDEX = /^(0|[1-9]\d*)$/;

function describeSelector(selector: Selector): string {
  return JSON.stringify(selector);
}

function assertSelector(selector: Selector, exactLength?: number): void {
  const valid =
    Array.isArray(selector) &&
    selector.length >= 2 &&
    (exactLength === undefined || selector.length === exactLength) &&
    selector.every((part) => typeof part === 'string' && part !== '');
  if (!valid) {
    const expected = exactLength === undefined ? 'at least 2 non-empty strings' : `exactly ${exactLength} non-empty strings`;
    throw new VariablePoolError('invalid-selector', `Invalid selector ${describeSelector(selector)}: expected ${expected}`);
  }
}

function walkSegment(value: unknown, segment: string): unknown {
  if (isFileValue(value)) return isFileAttribute(segment) ? getFileAttribute(value, segment) : undefined;
  if (Array.isArray(value)) return CANONICAL_INDEX.test(segment) ? value[Number(segment)] : undefined;
  if (isPlainObject(value)) return Object.hasOwn(value, segment) ? value[segment] : undefined;
  return undefined;
}

/**
 * The values a run has produced, addressed by `[nodeId, name, ...path]`.
 *
 * Values are shared, not copied: callers must treat what `get` returns as immutable (the assigner and
 * list operations return new values instead of mutating). A child scope holds an iteration or loop
 * body's locals and reads through to its parent; a write goes to the scope that already holds the
 * variable, so loop variables and conversation variables assigned inside a body outlive it, while the
 * body's own node outputs stay in the child.
 */
export class VariablePool {
  private readonly scopes = new Map<string, Map<string, unknown>>();
  private parent: VariablePool | null = null;

  constructor(init: VariablePoolInit = {}) {
    for (const [name, value] of Object.entries(init.system ?? {})) if (value !== undefined) this.set(['sys', name], value);
    for (const [name, value] of Object.entries(init.environment ?? {})) this.set(['env', name], value);
    for (const [name, value] of Object.entries(init.conversation ?? {})) this.set(['conversation', name], value);
  }

  /** The scope this one reads through to, or null for a run's root pool. */
  get parentScope(): VariablePool | null {
    return this.parent;
  }

  /** The value at a selector, walking extra segments into objects, arrays and file attributes; undefined when missing. */
  get(selector: Selector): unknown {
    if (!Array.isArray(selector) || selector.length < 2) return undefined;
    const holder = this.holderOf(selector[0], selector[1]);
    if (!holder) return undefined;
    let value = holder.scopes.get(selector[0])?.get(selector[1]);
    for (const segment of selector.slice(2)) {
      value = walkSegment(value, segment);
      if (value === undefined) return undefined;
    }
    return value;
  }

  /** True when the selector resolves to a stored value (null counts as stored). */
  has(selector: Selector): boolean {
    return this.get(selector) !== undefined;
  }

  /** Stores a value at `[nodeId, name]`; undefined is stored as null so the variable counts as present. */
  set(selector: Selector, value: unknown): void {
    assertSelector(selector, 2);
    const [nodeId, name] = selector;
    const target = this.holderOf(nodeId, name) ?? (this.isReserved(nodeId) ? this.root() : this);
    let variables = target.scopes.get(nodeId);
    if (!variables) {
      variables = new Map();
      target.scopes.set(nodeId, variables);
    }
    variables.set(name, value === undefined ? null : value);
  }

  /** Stores every output of a finished node under `[nodeId, <output name>]`. */
  setNodeOutputs(nodeId: string, outputs: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(outputs)) this.set([nodeId, name], value);
  }

  /** Removes `[nodeId, name]` from the scope holding it; `[nodeId]` clears that node's variables in this scope only. */
  remove(selector: Selector): void {
    if (selector.length === 1) {
      this.scopes.delete(selector[0]);
      return;
    }
    assertSelector(selector, 2);
    this.holderOf(selector[0], selector[1])?.scopes.get(selector[0])?.delete(selector[1]);
  }

  /** A child scope for one iteration or loop round, holding `[containerId, <local>]` for each local (e.g. item, index). */
  createChildScope(containerId: string, locals: Record<string, unknown> = {}): VariablePool {
    const child = new VariablePool();
    child.parent = this;
    const variables = new Map<string, unknown>();
    for (const [name, value] of Object.entries(locals)) variables.set(name, value === undefined ? null : value);
    child.scopes.set(containerId, variables);
    return child;
  }

  /** The pool and its parent scopes as plain JSON. */
  snapshot(): VariablePoolSnapshot {
    const variables = Object.fromEntries([...this.scopes].map(([nodeId, values]) => [nodeId, Object.fromEntries(values)] as const));
    const snapshot: VariablePoolSnapshot = {
      version: 1,
      variables: JSON.parse(JSON.stringify(variables)) as VariablePoolSnapshot['variables'],
    };
    if (this.parent) snapshot.parent = this.parent.snapshot();
    return snapshot;
  }

  /** Rebuilds a pool (with its parent scopes) from `snapshot()` output; throws on a malformed snapshot. */
  static fromSnapshot(snapshot: unknown): VariablePool {
    if (!isPlainObject(snapshot) || snapshot['version'] !== 1 || !isPlainObject(snapshot['variables'])) {
      throw new VariablePoolError('invalid-snapshot', 'Invalid variable pool snapshot: expected {version: 1, variables: {...}}');
    }
    const pool = new VariablePool();
    for (const [nodeId, values] of Object.entries(snapshot['variables'])) {
      if (!isPlainObject(values)) {
        throw new VariablePoolError('invalid-snapshot', `Invalid variable pool snapshot: variables of node "${nodeId}" are not an object`);
      }
      pool.scopes.set(nodeId, new Map(Object.entries(values)));
    }
    if (snapshot['parent'] !== undefined) pool.parent = VariablePool.fromSnapshot(snapshot['parent']);
    return pool;
  }

  private holderOf(nodeId: string, name: string): VariablePool | null {
    if (this.scopes.get(nodeId)?.has(name)) return this;
    return this.parent ? this.parent.holderOf(nodeId, name) : null;
  }

  private root(): VariablePool {
    return this.parent ? this.parent.root() : this;
  }

  private isReserved(nodeId: string): boolean {
    return (RESERVED_NODE_IDS as readonly string[]).includes(nodeId);
  }
}
