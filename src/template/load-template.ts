/** loadTemplate / parseTemplate: the public entry points of the template readers. */
import { WinpathError } from '../errors/index.js';
import type { ProcessDefinition } from '../model/index.js';
import { parseBpmnTemplate } from './bpmn/parse-bpmn.js';
import { parseYamlTemplate } from './parse-yaml.js';
import { readTemplateFile } from './template-files.js';

export interface ParseTemplateOptions {
  format: 'yaml' | 'bpmn';
  fileName?: string;
}

/**
 * Parses template source text into a validated, frozen ProcessDefinition.
 * @throws WinpathError TEMPLATE_INVALID (with file, line, column, path), UNSUPPORTED_BPMN, LIMIT_EXCEEDED
 */
export async function parseTemplate(source: string, opts: ParseTemplateOptions): Promise<ProcessDefinition> {
  if (opts?.format === 'yaml') return parseYamlTemplate(source, opts.fileName);
  if (opts?.format === 'bpmn') return parseBpmnTemplate(source, opts.fileName);
  throw new WinpathError('INPUT_INVALID', `unknown template format "${String(opts?.format)}"`, { fix: "pass { format: 'yaml' } or { format: 'bpmn' }" });
}

/**
 * Loads a template from a file (.yaml, .yml, .bpmn, .xml) or a shipped one by id.
 * @example const def = await loadTemplate('b2b-standard');
 * @throws WinpathError NOT_FOUND, TEMPLATE_INVALID, UNSUPPORTED_BPMN, LIMIT_EXCEEDED
 */
export async function loadTemplate(pathOrBuiltinId: string): Promise<ProcessDefinition> {
  const file = await readTemplateFile(pathOrBuiltinId);
  return parseTemplate(file.source, { format: file.format, fileName: file.fileName });
}
