/**
 * How much caller text one call may carry, shared by the MCP tools' input schemas and the CLI imports that reach
 * the same domain functions. Generous for real use; they exist so that one call cannot store megabytes that every
 * later query must read (issue 13: a 100k-character path once broke triage for good). tools/list advertises them.
 */
export const LIMITS = {
  /** one repository path or file glob */
  path: 1_000,
  /** paths named in one call */
  paths: 200,
  /** an id, an agent, author, module or environment name */
  name: 200,
  /** an incident id or words of its title */
  search: 500,
  /** a task title */
  title: 500,
  /** a one-line summary */
  summary: 2_000,
  /** free text: a detail, a response */
  text: 20_000,
  /** an ISO date or date-time */
  date: 40,
} as const;

/** The longest window delivery figures are asked for, in days (delivery_metrics' `window_days`, `metrics --window-days`). */
export const MAX_WINDOW_DAYS = 365;
