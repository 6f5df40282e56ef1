import type { ResourceDefinition } from '../define-resource.js';

/** Every resource family the server exposes. */
export const allResources: readonly ResourceDefinition[] = [];
