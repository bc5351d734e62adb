import { ConfigSpec, ConfigVar } from './config-var';
import { listConfigVars } from './load-config';
import { ServiceName } from '@weft/contracts';
import { SERVICE_CONFIG_SPECS } from './services.config';

/** The README's configuration table, generated from the config specs so it cannot drift. */
export function renderConfigTable(specs: Record<ServiceName, ConfigSpec> = SERVICE_CONFIG_SPECS): string {
  const rows = new Map<string, { variable: ConfigVar<unknown>; services: string[] }>();
  for (const [service, spec] of Object.entries(specs)) {
    for (const { variable } of listConfigVars(spec)) {
      const row = rows.get(variable.env) ?? { variable, services: [] };
      row.services.push(service);
      rows.set(variable.env, row);
    }
  }
  const all = Object.keys(specs).length;
  const lines = ['| variable | default | expects | used by | what it does |', '|---|---|---|---|---|'];
  for (const [name, { variable, services }] of [...rows.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const def = variable.default === undefined ? '(none)' : variable.default === '' ? '(empty)' : `\`${variable.default}\``;
    const usedBy = services.length === all ? 'all' : services.join(', ');
    lines.push(`| \`${name}\` | ${def} | ${variable.expects}${variable.secret ? ' (secret)' : ''} | ${usedBy} | ${variable.doc} |`);
  }
  return lines.join('\n');
}
