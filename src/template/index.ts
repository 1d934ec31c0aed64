// template: YAML (and later BPMN) readers and writers, template files, lint (soundness).
// May import: model, expressions, actions, errors.
export { parseTemplate, loadTemplate, type ParseTemplateOptions } from './load-template.js';
export { toYaml } from './to-yaml.js';
export { listTemplates, templatesDir, readTemplateFile, type TemplateListing, type TemplateFile } from './template-files.js';
export { lintTemplate, type LintFinding } from './lint-template.js';
export { definitionSource, compileDefinition, stripUndefined, type Locator, type CompileContext } from './compile-definition.js';
export { templateSchema, type RawTemplate } from './template-schema.js';
