/** Where the shipped SOP pack lives, and reading template files from disk. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { WinpathError } from '../errors/index.js';
import type { I18nText } from '../model/index.js';
import { MAX_TEMPLATE_SIZE } from './parse-yaml.js';
import { MAX_BPMN_SIZE } from './bpmn/scan-xml.js';

let cachedDir: string | undefined;

/** The `templates/` folder shipped with the package (found from this module's location). */
export function templatesDir(): string {
  if (cachedDir) return cachedDir;
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return (cachedDir = candidate);
  }
  throw new WinpathError('NOT_FOUND', `the shipped templates folder was not found above ${here}`, { fix: 'reinstall winpath; the package ships templates/' });
}

export interface TemplateFile {
  source: string;
  format: 'yaml' | 'bpmn';
  fileName: string;
}

const BUILTIN_ID = /^[a-z0-9-]+$/;

/** Reads a template file, or a shipped template by id (`b2b-standard`). */
export async function readTemplateFile(pathOrBuiltinId: string): Promise<TemplateFile> {
  if (typeof pathOrBuiltinId !== 'string' || pathOrBuiltinId.length === 0) {
    throw new WinpathError('INPUT_INVALID', 'loadTemplate takes a file path or the id of a shipped template', { fix: `use one of: ${listTemplateIds().join(', ')}` });
  }
  let file = pathOrBuiltinId;
  if (BUILTIN_ID.test(pathOrBuiltinId) && !existsSync(pathOrBuiltinId)) {
    file = join(templatesDir(), `${pathOrBuiltinId}.yaml`);
    if (!existsSync(file)) {
      throw new WinpathError('NOT_FOUND', `no shipped template "${pathOrBuiltinId}"`, { fix: `use one of: ${listTemplateIds().join(', ')}, or give a file path` });
    }
  }
  const ext = extname(file).toLowerCase();
  const format = ext === '.bpmn' || ext === '.xml' ? 'bpmn' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  if (!format) throw new WinpathError('INPUT_INVALID', `cannot tell the format of "${file}" from its extension`, { fix: 'name it .yaml, .yml, .bpmn or .xml' });
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new WinpathError('NOT_FOUND', `template file "${file}" does not exist`, { file, fix: 'check the path' });
  }
  const limit = format === 'bpmn' ? MAX_BPMN_SIZE : MAX_TEMPLATE_SIZE;
  if (size > limit * 4) {
    throw new WinpathError('LIMIT_EXCEEDED', `template file "${file}" is ${size} bytes, over the limit`, { file, fix: `${format === 'bpmn' ? 'BPMN' : 'YAML'} templates are at most ${limit.toLocaleString('en')} characters` });
  }
  return { source: await readFile(file, 'utf8'), format, fileName: file.startsWith(templatesDir()) ? `templates/${file.slice(templatesDir().length + 1)}` : file };
}

function listTemplateIds(): string[] {
  try {
    return readdirSync(templatesDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

export interface TemplateListing {
  id: string;
  version: number;
  name: I18nText;
  file: string;
}

/** The shipped SOP pack: id, version, name and file of each template. */
export function listTemplates(): TemplateListing[] {
  const dir = templatesDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = resolve(dir, f);
      const head = parse(readFileSync(file, 'utf8')) as { id: string; version: number; name: I18nText };
      return { id: head.id, version: head.version, name: head.name, file };
    });
}
