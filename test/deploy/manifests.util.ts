import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, runTool, tool } from './deploy-tools.util';

/** A Kubernetes object as written (only the fields these checks read are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

export const K8S_DIR = join(ROOT, 'deploy', 'k8s');
export const OVERLAYS = ['staging', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** Parses a multi-document YAML text; YAML errors (and merge keys, as Compose uses them) are handled strictly. */
export function parseYamlDocuments(text: string, where: string): unknown[] {
  return parseAllDocuments(text, { merge: true, prettyErrors: true }).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    return value === null || value === undefined ? [] : [value];
  });
}

export function readYaml(path: string): unknown[] {
  return parseYamlDocuments(readFileSync(path, 'utf8'), relative(ROOT, path));
}

/** Every YAML file under a folder, recursively. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Files a kustomization turns into a ConfigMap (`configMapGenerator` … `files`): their content is some
 * program's configuration (the OpenTelemetry Collector's), not a Kubernetes object.
 */
export function generatorInputs(): string[] {
  return yamlFilesUnder(K8S_DIR)
    .filter((file) => /kustomization\.ya?ml$/.test(file))
    .flatMap((file) => {
      const kustomization = readYaml(file)[0] as { configMapGenerator?: Array<{ files?: string[] }> };
      return (kustomization.configMapGenerator ?? []).flatMap((g) => g.files ?? []).map((f) => join(file, '..', f.split('=').pop()!));
    });
}

/** The Kubernetes objects of deploy/k8s as written: every YAML file that is not a kustomization or a generator's input. */
export function sourceObjects(): Array<{ file: string; object: K8sObject }> {
  const inputs = new Set(generatorInputs());
  return yamlFilesUnder(K8S_DIR)
    .filter((file) => !/kustomization\.ya?ml$/.test(file) && !inputs.has(file))
    .flatMap((file) => readYaml(file).map((object) => ({ file: relative(ROOT, file), object: object as K8sObject })));
}

const rendered = new Map<string, K8sObject[]>();

/** An overlay (or any kustomization folder) rendered by Debian's kubectl: `kubectl kustomize <dir>`. */
export function renderKustomization(dir: string): K8sObject[] {
  const cached = rendered.get(dir);
  if (cached) return cached;
  const result = runTool(tool('kubectl'), ['kustomize', dir]);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${relative(ROOT, dir)} failed:\n${result.output}`);
  const objects = parseYamlDocuments(result.output, `kubectl kustomize ${relative(ROOT, dir)}`) as K8sObject[];
  rendered.set(dir, objects);
  return objects;
}

export function renderOverlay(overlay: Overlay): K8sObject[] {
  return renderKustomization(join(K8S_DIR, 'overlays', overlay));
}

export function byKind<T = K8sObject>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as unknown as T[];
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} "${name}"`);
  return found;
}

/** A ConfigMap (or Secret) kustomize generated from `name`: its name is `name-<hash of its content>`. */
export function findGenerated(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name));
  if (found.length !== 1) throw new Error(`${found.length} generated ${kind} "${name}-<hash>"`);
  return found[0]!;
}
