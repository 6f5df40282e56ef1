import type { PromptDefinition } from '../define-resource.js';

/** Every prompt the server offers. */
export const allPrompts: readonly PromptDefinition[] = [];
