// template: YAML and BPMN readers and writers, template files, lint (soundness).
// May import: model, expressions, actions, errors.
export { parseTemplate, loadTemplate, type ParseTemplateOptions } from './load-template.js';
export { toYaml } from './to-yaml.js';
export { toBpmn } from './bpmn/to-bpmn.js';
export { winpathModdleDescriptor, createWinpathModdle } from './bpmn/bpmn-values.js';
export { MAX_BPMN_SIZE, MAX_BPMN_DEPTH } from './bpmn/scan-xml.js';
export { listTemplates, templatesDir, readTemplateFile, type TemplateListing, type TemplateFile } from './template-files.js';
export { lintTemplate, neverHolds, type LintFinding } from './lint-template.js';
export { definitionSource, compileDefinition, stripUndefined, type Locator, type CompileContext } from './compile-definition.js';
export { templateSchema, type RawTemplate } from './template-schema.js';
