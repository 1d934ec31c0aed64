import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ERROR_CODES } from 'winpath';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
/** The `## ` headings of docs/errors.md, in order (fenced code blocks skipped). */
const headings = doc
  .replace(/^```[\s\S]*?^```/gm, '')
  .split('\n')
  .filter((line) => line.startsWith('## '))
  .map((line) => line.slice(3).trim());

describe('docs/errors.md', () => {
  it('has one `## CODE` section per error code, in the order of ERROR_CODES, and no other', () => {
    expect(headings).toEqual(Object.keys(ERROR_CODES));
  });

  it('gives each code a trigger, a fix and an example message of that code', () => {
    const sections = doc.split(/^## /m).slice(1);
    for (const section of sections) {
      const code = section.split('\n')[0]!.trim();
      expect(section, code).toContain('**What triggers it.**');
      expect(section, code).toContain('**How to fix it.**');
      expect(section, code).toContain(`[${code}] `);
    }
  });
});
