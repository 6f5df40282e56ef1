import type { ToolDefinition } from '../define-tool.js';
import { changeRisk } from './change-risk.js';
import { incidentSuspects } from './incident-suspects.js';
import { moduleIncidentHistory } from './module-incident-history.js';
import { myDeployImpact } from './my-deploy-impact.js';

/** Every tool the server exposes, in the order clients list them. */
export const allTools: readonly ToolDefinition[] = [
  myDeployImpact,
  changeRisk,
  moduleIncidentHistory,
  incidentSuspects,
];
