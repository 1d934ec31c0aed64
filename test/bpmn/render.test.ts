import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTemplate, toBpmn } from 'winpath';

// Renders the exported b2b-standard with bpmn-js's viewer in Debian's headless Chromium, driven by
// playwright-core (which downloads nothing). No network: the page is set from a string and the
// viewer bundle is inlined. CI installs chromium; a machine without it fails here, it does not skip.

const CHROMIUM = process.env['WINPATH_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');

function bpmnJsAsset(rel: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('bpmn-js/package.json')), rel);
}

describe('toBpmn output in a modeller', () => {
  it('draws every stage of b2b-standard when bpmn-js renders it in headless Chromium', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`headless Chromium is needed at ${CHROMIUM} for the BPMN render test: install it with \`apt-get install -y chromium\` (CI does), or point WINPATH_CHROMIUM at a Chromium binary`);
    }
    const def = await loadTemplate('b2b-standard');
    const xml = await toBpmn(def);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.route('**/*', (route) => route.abort()); // nothing leaves the machine
      await page.setContent('<!doctype html><html><body style="margin:0"><div id="canvas" style="width:1400px;height:700px"></div></body></html>');
      await page.addStyleTag({ path: bpmnJsAsset('dist/assets/diagram-js.css') });
      await page.addStyleTag({ path: bpmnJsAsset('dist/assets/bpmn-js.css') });
      await page.addScriptTag({ path: bpmnJsAsset('dist/bpmn-viewer.production.min.js') });
      const warnings = await page.evaluate(async (source: string) => {
        const Viewer = (globalThis as unknown as { BpmnJS: new (o: object) => any }).BpmnJS;
        const viewer = new Viewer({ container: '#canvas' });
        const result = await viewer.importXML(source);
        viewer.get('canvas').zoom('fit-viewport');
        return (result.warnings as { message: string }[]).map((w) => w.message);
      }, xml);
      expect(warnings).toEqual([]);
      expect(pageErrors).toEqual([]);

      for (const stage of def.stages) {
        const shape = page.locator(`.djs-element[data-element-id="${stage.key}"]`);
        expect(await shape.count(), `stage ${stage.key} is drawn`).toBe(1);
        const box = await shape.boundingBox();
        expect(box, `stage ${stage.key} has a visible box`).not.toBeNull();
        expect(box!.width).toBeGreaterThan(10);
        expect(box!.height).toBeGreaterThan(10);
      }
      // the flows between stages are drawn as edges (one per transition, plus the start flow)
      expect(await page.locator('.djs-connection').count()).toBe(def.transitions.length + 1);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'bpmn-b2b-standard.png') });
      expect(existsSync(join(ARTIFACTS, 'bpmn-b2b-standard.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
