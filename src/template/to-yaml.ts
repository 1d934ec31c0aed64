/** Writes a definition as template YAML that parses back to an equal definition. */
import { stringify } from 'yaml';
import type { ProcessDefinition } from '../model/index.js';

export function toYaml(def: ProcessDefinition): string {
  const body = stringify(def, { lineWidth: 0, aliasDuplicateObjects: false, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
  return `# winpath template ${def.id}@${def.version} (format v1)\n${body}`;
}
