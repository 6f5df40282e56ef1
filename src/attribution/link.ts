import type { ConfirmationMethod } from './confirmations.js';

// A link between an incident and a commit or deploy, as attribution computes it and the store keeps it.

export type LinkStatus = 'suspect' | 'confirmed' | 'rejected';
export type LinkMethod = 'heuristic' | 'rollback' | 'human' | ConfirmationMethod;

export interface LinkEvidence {
  reasons: string[];
  factors: Record<string, number>;
  /** blamed lines, as `path:line  code` samples, for fix-blame links */
  blamed?: string[];
}

export interface Link {
  kind: 'deploy' | 'commit';
  target: string;
  score: number;
  status: LinkStatus;
  method: LinkMethod;
  evidence: LinkEvidence;
}

/** Confirmed links first, then by score, then by target: the order links are kept and shown in. */
export function byRank(a: Link, b: Link): number {
  const conf = Number(b.status === 'confirmed') - Number(a.status === 'confirmed');
  if (conf !== 0) return conf;
  // Equal chances: the suspect the model scored higher before calibration first.
  const model = (b.evidence.factors['model'] ?? 0) - (a.evidence.factors['model'] ?? 0);
  return b.score - a.score || model || a.target.localeCompare(b.target);
}
