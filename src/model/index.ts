// model: types and zod schemas: ProcessDefinition (the compiled IR), Opportunity, events, commands.
// May import: errors.
export * from './definition.js';
export * from './opportunity.js';
export * from './events.js';
export * from './duration.js';
export * from './schemas.js';
export * from './field-schema.js';
export * from './commands.js';
export * from './comparisons.js';
