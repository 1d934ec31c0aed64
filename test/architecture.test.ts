import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Which rooms each room may import (DESIGN.md section 1); a new room must be placed here deliberately.
const ALLOWED: Record<string, string[]> = {
  errors: [],
  model: ['errors'],
  expressions: ['model', 'errors'],
  actions: ['model', 'expressions', 'errors'],
  template: ['model', 'expressions', 'actions', 'errors'],
  machine: ['model', 'expressions', 'actions', 'errors'],
  'storage/port': ['model', 'errors'],
  storage: ['model', 'errors', 'storage/port'],
  engine: ['model', 'machine', 'actions', 'storage/port', 'errors', 'expressions'],
  analytics: ['model', 'storage/port', 'errors'],
  simulate: ['engine', 'model', 'machine', 'actions', 'storage', 'storage/port', 'errors', 'template', 'expressions'],
  testing: ['engine', 'model', 'machine', 'actions', 'storage', 'storage/port', 'errors', 'template', 'expressions', 'simulate'],
  cli: ['index'],
  index: ['*'],
};

const SRC = new URL('../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function roomOf(file: string): string {
  const rel = relative(SRC, file).replace(/\\/g, '/');
  if (rel === 'index.ts' || rel === 'index.js') return 'index';
  if (/^storage\/(query-)?port\.(ts|js)$/.test(rel)) return 'storage/port';
  return rel.split('/')[0]!;
}

describe('architecture', () => {
  it('every import under src/ flows one way, as DESIGN.md section 1 allows', () => {
    const problems: string[] = [];
    for (const file of files(SRC)) {
      const room = roomOf(file);
      const allowed = ALLOWED[room];
      if (!allowed) {
        problems.push(`${relative(SRC, file)}: room "${room}" is not in the table`);
        continue;
      }
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
        const target = roomOf(join(file, '..', m[1]!));
        if (target === room || allowed.includes('*') || allowed.includes(target)) continue;
        problems.push(`${relative(SRC, file)} imports ${m[1]} (room ${target})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('nothing below cli/ reads the wall clock or Math.random', () => {
    const problems: string[] = [];
    for (const file of files(SRC)) {
      const room = roomOf(file);
      if (room === 'cli') continue;
      const text = readFileSync(file, 'utf8');
      if (/Math\.random\(/.test(text)) problems.push(`${relative(SRC, file)}: Math.random`);
      if (/Date\.now\(/.test(text) && room !== 'engine') problems.push(`${relative(SRC, file)}: Date.now`);
      if (/new Date\(\)/.test(text) && !/clock \?\? \(\(\) => new Date\(\)\)/.test(text)) problems.push(`${relative(SRC, file)}: new Date()`);
    }
    expect(problems).toEqual([]);
  });

  it('no eval or new Function anywhere', () => {
    const hits = files(SRC).filter((f) => /\beval\(|new Function\(/.test(readFileSync(f, 'utf8')));
    expect(hits).toEqual([]);
  });
});
