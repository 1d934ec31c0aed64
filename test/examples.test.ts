import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/quick-start.ts runs a deal from first contact to won on a SQLite file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'winpath-example-'));
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/quick-start.ts'], {
        env: { ...process.env, WINPATH_DB: join(dir, 'quick.db'), LANG: 'en_US.UTF-8' },
        encoding: 'utf8',
      });
      expect(out).toContain('Next: Fill in the field "Region"');
      expect(out).toMatch(/-> needs\n-> proposal\n-> negotiation\n-> won\n/);
      expect(out).toMatch(/^won: \d+ events, last opportunity.won$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
