import type { PromptDefinition } from '../define-resource.js';
import { weeklyTriagePrompt } from './weekly-triage.js';

/** Every prompt the server offers. */
export const allPrompts: readonly PromptDefinition[] = [weeklyTriagePrompt];
