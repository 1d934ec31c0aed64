// Regenerates templates/<id>.bpmn from templates/<id>.yaml for every shipped template (run: npm run templates:bpmn).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTemplates, loadTemplate, toBpmn } from '../src/index.js';

for (const t of listTemplates()) {
  const def = await loadTemplate(t.file);
  const file = join(t.file, '..', `${t.id}.bpmn`);
  writeFileSync(file, await toBpmn(def));
  console.log(`wrote ${file}`);
}
