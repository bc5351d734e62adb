// The console imports Mantine's styles component by component (styles.ts): a component drawn without its styles
// looks broken only in the browser. This fails first: every Mantine component the console's code imports, and the
// components those are built from, must have its stylesheet imported in styles.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SRC = __dirname;
const STYLES = join(SRC, '..', '..', '..', 'node_modules', '@mantine', 'core', 'styles');

/** The Mantine components each used component is drawn with (their styles are needed too). */
const BUILT_FROM: Record<string, string[]> = {
  ActionIcon: ['UnstyledButton', 'Loader'],
  Alert: ['CloseButton'],
  Button: ['UnstyledButton', 'Loader'],
  Checkbox: ['InlineInput', 'CheckboxIndicator'],
  CloseButton: ['UnstyledButton'],
  Drawer: ['ModalBase', 'Overlay', 'CloseButton', 'Paper'],
  FileInput: ['Input', 'CloseButton'],
  Modal: ['ModalBase', 'Overlay', 'CloseButton', 'Paper'],
  NavLink: ['UnstyledButton'],
  PasswordInput: ['Input', 'ActionIcon'],
  Select: ['Input', 'Combobox', 'Popover', 'ScrollArea', 'CloseButton'],
  Textarea: ['Input'],
  TextInput: ['Input'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

function usedComponents(): Set<string> {
  const used = new Set<string>();
  for (const file of sources(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]+)\}\s*from\s*'@mantine\/core'/g)) {
      for (const raw of match[1]!.split(',')) {
        const name = raw.trim().replace(/^type\s+/, '');
        if (/^[A-Z]/.test(name)) used.add(name);
      }
    }
  }
  const pending = [...used];
  while (pending.length > 0) {
    for (const dependency of BUILT_FROM[pending.pop()!] ?? []) {
      if (!used.has(dependency)) {
        used.add(dependency);
        pending.push(dependency);
      }
    }
  }
  return used;
}

describe('console styles', () => {
  const imported = new Set(
    [...readFileSync(join(SRC, 'styles.ts'), 'utf8').matchAll(/import '@mantine\/core\/styles\/([\w-]+)\.css'/g)].map((m) => m[1]!),
  );

  it('imports the stylesheet of every Mantine component the console draws', () => {
    const used = usedComponents();
    // The scan must find the components the pages are known to use, or it checks nothing.
    expect([...used]).toEqual(expect.arrayContaining(['Button', 'Select', 'Table', 'Drawer', 'Input', 'Combobox']));
    const missing = [...used].filter((name) => existsSync(join(STYLES, `${name}.css`)) && !imported.has(name));
    expect(missing).toEqual([]);
  });

  it('imports Mantine base styles and no stylesheet that does not exist', () => {
    expect([...imported].slice(0, 3)).toEqual(['baseline', 'default-css-variables', 'global']);
    expect([...imported].filter((name) => !existsSync(join(STYLES, `${name}.css`)))).toEqual([]);
  });
});

describe('status colours', () => {
  it('has the run page rules for every colour a status can take', async () => {
    const { STATUS_COLORS } = await import('./lib/status');
    const css = readFileSync(join(SRC, 'console.css'), 'utf8');
    const colours = [...new Set(Object.values(STATUS_COLORS))];
    expect(colours.length).toBeGreaterThan(3);
    const missing = colours.flatMap((colour) =>
      ['.weft-flow-node', '.weft-graph-node', '.weft-tag', '.weft-timeline-bar']
        .map((selector) => `${selector}[data-color='${colour}']`)
        .filter((rule) => !css.includes(rule)),
    );
    expect(missing).toEqual([]);
  });
});
