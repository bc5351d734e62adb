import { Document, isScalar, parseDocument, visit } from 'yaml';
import type { DslProblem } from './dsl.types';

// yaml counts each alias weighted by the size of what it expands to, so this stops "billion laughs"
// documents long before they allocate, while leaving room for the few aliases a hand-edited DSL may use.
const MAX_ALIAS_COUNT = 100;

// Dify reads DSL with PyYAML, which resolves plain scalars by YAML 1.1 rules. Strings matching these
// are quoted on export so that Dify reads them back as strings (e.g. "yes", "=", "1:20", "2024-01-01").
const PYYAML_IMPLICIT_SCALARS = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<|=|~|null|Null|NULL|)$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
];

/** Length of a string in UTF-8 bytes, without allocating an encoded copy of a document that may be large. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Reads one YAML document into plain values; syntax errors and alias bombs become problems, never throws. */
export function loadYaml(text: string): { ok: true; value: unknown } | { ok: false; problems: DslProblem[] } {
  // The YAML 1.2 core schema (the default) reads PyYAML's output faithfully, because PyYAML quotes every
  // string that 1.1 would resolve to something else; the 1.1 schema would turn the `y` of positions into `true`.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const at = error.linePos?.[0];
        const firstLine = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return {
          code: 'yaml_syntax',
          message: at ? `YAML syntax error at line ${at.line}, column ${at.col}: ${firstLine}` : `YAML syntax error: ${firstLine}`,
        };
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = /alias/i.test(reason)
      ? `The YAML uses too many aliases (anchors expanded more than ${MAX_ALIAS_COUNT} times), which looks like a resource-exhaustion attack`
      : `The YAML could not be read: ${reason}`;
    return { ok: false, problems: [{ code: 'yaml_syntax', message }] };
  }
}

/** Writes plain values as YAML the way Dify's exporter does: keys sorted, unicode kept, PyYAML-ambiguous strings quoted. */
export function dumpYaml(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false, sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'string' &&
        PYYAML_IMPLICIT_SCALARS.some((pattern) => pattern.test(node.value as string))
      ) {
        node.type = 'QUOTE_SINGLE';
      }
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true });
}
