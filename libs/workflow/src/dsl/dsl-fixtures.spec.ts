import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { parseDsl } from './dsl-parse.util';
import { SUPPORTED_NODE_TYPES } from './dsl.types';

// The fixtures are the documents other tests (and later the engine's) lean on, so they are held to the
// shape Dify's editor exports, not only to "parses".

const directory = join(__dirname, 'fixtures');
const valid = ['simple-template.yml', 'if-else-join.yml', 'chatflow-llm.yml', 'iteration.yml', 'loop.yml', 'all-node-types.yml'];
const read = (name: string): string => readFileSync(join(directory, name), 'utf8');

describe('fixtures', () => {
  it('are all accounted for', () => {
    expect(readdirSync(directory).sort()).toEqual([...valid, 'broken-everything.yml'].sort());
  });

  it.each(valid)('%s imports without problems', (name) => {
    const result = parseDsl(read(name));
    expect(result.ok ? result.warnings.filter((warning) => !warning.startsWith('DSL version')) : result.errors).toEqual([]);
  });

  it.each([...valid, 'broken-everything.yml'])('%s has the shape of a Dify export', (name) => {
    const document = parse(read(name)) as {
      kind: string;
      workflow: { graph: { edges: Record<string, unknown>[]; nodes: Record<string, unknown>[] } };
    };
    expect(document.kind).toBe('app');
    for (const node of document.workflow.graph.nodes) {
      expect(Object.keys(node)).toEqual(
        expect.arrayContaining(['data', 'id', 'position', 'positionAbsolute', 'selected', 'sourcePosition', 'targetPosition', 'type']),
      );
      expect(String(node.id)).toMatch(/^(\d{13}(start)?|answer)$/);
    }
    for (const edge of document.workflow.graph.edges) {
      expect(Object.keys(edge)).toEqual(
        expect.arrayContaining(['data', 'id', 'source', 'sourceHandle', 'target', 'targetHandle', 'type', 'zIndex']),
      );
    }
  });

  it('all-node-types.yml uses every node type Weft runs', () => {
    const result = parseDsl(read('all-node-types.yml'));
    const types = new Set(result.ok ? Object.values(result.app.graph?.nodes ?? {}).map((node) => node.type) : []);
    expect([...SUPPORTED_NODE_TYPES].filter((type) => !types.has(type))).toEqual([]);
  });

  it('if-else-join.yml joins every branch at the end node', () => {
    const result = parseDsl(read('if-else-join.yml'));
    const edges = result.ok ? (result.app.graph?.edges ?? []) : [];
    expect(edges.filter((edge) => edge.source === '1754300139027').map((edge) => edge.sourceHandle)).toEqual([
      'f3d2a4b1-7c5e-4e8a-9b0d-2a6c1e5f7d93',
      'true',
      'false',
    ]);
    expect(edges.filter((edge) => edge.target === '1754300205772')).toHaveLength(3);
  });
});
