import type { ToolDefinition } from '../define-tool.js';
import { changeRisk } from './change-risk.js';
import { deliveryMetricsTool } from './delivery-metrics.js';
import { releaseReviewTool } from './release-review.js';
import { incidentSuspects } from './incident-suspects.js';
import { logInterruptTool } from './log-interrupt.js';
import { moduleIncidentHistory } from './module-incident-history.js';
import { myDeployImpact } from './my-deploy-impact.js';
import { proposeAdrTool } from './propose-adr.js';
import { proposeRuleTool } from './propose-rule.js';
import { proposeSkillTool } from './propose-skill.js';
import { recordTaskTool } from './record-task.js';
import { resolveInterruptTool } from './resolve-interrupt.js';
import { triageReportTool } from './triage-report.js';

/** Every tool the server exposes, in the order clients list them. */
export const allTools: readonly ToolDefinition[] = [
  myDeployImpact,
  changeRisk,
  moduleIncidentHistory,
  incidentSuspects,
  logInterruptTool,
  resolveInterruptTool,
  recordTaskTool,
  triageReportTool,
  deliveryMetricsTool,
  releaseReviewTool,
  proposeAdrTool,
  proposeRuleTool,
  proposeSkillTool,
];
