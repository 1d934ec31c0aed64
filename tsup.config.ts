import { defineConfig, type Options } from 'tsup';

const common: Options = {
  dts: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  shims: true,
  external: ['vitest', 'pg'],
};

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], clean: true },
  // the test kit defines vitest suites, and vitest cannot be require()d: ESM only
  { ...common, entry: { testing: 'src/testing/index.ts' }, format: ['esm'] },
  // the `winpath` executable (package.json bin): ESM only, bundling the library it drives
  { ...common, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, banner: { js: '#!/usr/bin/env node' } },
]);
