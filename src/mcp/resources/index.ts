import type { ResourceDefinition } from '../define-resource.js';
import { adrResource } from './adr.js';
import { dashboardResource } from './dashboard.js';
import { digestResource } from './digest.js';
import { rulesResource } from './rules.js';

/** Every resource family the server exposes. */
export const allResources: readonly ResourceDefinition[] = [
  adrResource,
  rulesResource,
  digestResource,
  dashboardResource,
];
