/**
 * DORA's software delivery keys as hindsight computes them, printed with every answer (as the triage KPIs are).
 * The names and one-line meanings follow DORA's metrics guide (dora.dev/guides/dora-metrics); the "here:" part says
 * exactly which rows are counted, including the choices where the peers' tools went wrong.
 */
export const DORA_SOURCE = 'https://dora.dev/guides/dora-metrics/';

export const METRIC_NAMES = [
  'deploymentFrequency',
  'changeLeadTime',
  'changeFailRate',
  'failedDeploymentRecoveryTime',
  'deploymentReworkRate',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const METRIC_DEFINITIONS: Readonly<Record<MetricName, { better: 'lower' | 'higher'; definition: string }>> = {
  deploymentFrequency: {
    better: 'higher',
    definition:
      'DORA: how often changes are deployed. Here: deploys that finished in the window (any status), per week.',
  },
  changeLeadTime: {
    better: 'lower',
    definition:
      'DORA: time from a change being committed to it running in production. Here: per non-merge commit, the ' +
      'first deploy of its env/service that shipped it (not failed) − its authored time; median and p90.',
  },
  changeFailRate: {
    better: 'lower',
    definition:
      'DORA: share of deploys that need immediate intervention. Here: failed deploys ÷ deploys; a deploy fails ' +
      'when its status is failure/rolled_back or an incident is caused by it, counted once however many ' +
      'incidents or duplicated root-cause shas point at it.',
  },
  failedDeploymentRecoveryTime: {
    better: 'lower',
    definition:
      'DORA: time to recover from a failed deployment. Here: per failed deploy, the time its incidents were open ' +
      '(start → resolved, overlaps once); without incidents, from the deploy to the next good deploy of its ' +
      'env/service. Median and p90; not yet recovered ones are counted apart.',
  },
  deploymentReworkRate: {
    better: 'lower',
    definition:
      'DORA: share of deploys that are unplanned, made because of a production incident. Here: deploys that are ' +
      "a rollback or first ship an incident's fix commit, or a revert or Fixes: of a commit that caused a failure.",
  },
};

/**
 * How an incident finds the deploy that caused it, and how a deploy gets its author kind: printed once with the
 * figures, since every figure depends on them.
 */
export const ATTRIBUTION_RULES: readonly string[] = [
  'An incident is caused by the deploys its confirmed links name (a deploy, or the first deploy of its env that ' +
    "shipped a confirmed or root-cause commit); without one, by its top suspect scored ≥ 0.5. Never by 'the " +
    "latest deploy before it'; incidents with no such cause are reported as not caused by a deploy.",
  'A deploy is agent when it first shipped any agent commit, else pair when any pair commit, else human; ' +
    'lead time is split by each commit’s own kind. Per agent: deploys carrying that agent’s commits.',
];
