import { existsSync, readFileSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { slugify } from './adr.js';
import { evidenceLines, loadEvidence, recordFix, type FixLinks, type ProposalResult } from './fixes.js';
import { confinedPath, workTreeRoot } from './safe-path.js';
import { mergeSkillFile, renderSkillFile, sectionMarkerProblem } from './skill-file.js';
import { Redactor } from '../redact.js';

/** Claude Code's project skills folder; each skill is `<name>/SKILL.md`. */
export const SKILLS_DIR = '.claude/skills';
export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;

/**
 * The Agent Skills naming rules: 1–64 characters, lowercase letters, digits and hyphens, no leading, trailing or
 * double hyphen (and, for Claude, not the reserved words). Returns the problem with a suggested name, or undefined.
 */
export function skillNameProblem(name: string): string | undefined {
  const suggestion = () => {
    const s = slugify(name).slice(0, SKILL_NAME_MAX).replace(/-+$/, '');
    return s && s !== name ? ` (e.g. '${s}')` : '';
  };
  if (name.length === 0) return 'is empty';
  if (name.length > SKILL_NAME_MAX) return `is ${name.length} characters; at most ${SKILL_NAME_MAX}${suggestion()}`;
  if (!/^[a-z0-9-]+$/.test(name)) return `may contain only lowercase letters, digits and hyphens${suggestion()}`;
  if (name.startsWith('-') || name.endsWith('-')) return `must not start or end with a hyphen${suggestion()}`;
  if (name.includes('--')) return `must not contain consecutive hyphens${suggestion()}`;
  if (/(^|-)(anthropic|claude)(-|$)/.test(name)) return "must not contain the reserved words 'anthropic' or 'claude'";
  return undefined;
}

/** A description says what the skill does and when to use it, in at most 1024 characters. */
export function skillDescriptionProblem(description: string): string | undefined {
  const d = description.trim();
  if (!d) return 'is empty; say what the skill does and when to use it';
  if (d.length > SKILL_DESCRIPTION_MAX) return `is ${d.length} characters; at most ${SKILL_DESCRIPTION_MAX}`;
  if (/<\/?[a-z][^>]*>/i.test(d)) return 'must not contain XML tags';
  if (!/\b(when|whenever|before|after|if|during)\b/i.test(d)) {
    return 'must also say WHEN to use the skill, e.g. "… Use when the payment sandbox rejects test cards."';
  }
  return undefined;
}

export interface ProposeSkillInput extends FixLinks {
  name: string;
  description: string;
  /** Markdown instructions: the steps an agent follows. */
  body: string;
  dryRun?: boolean;
}

/**
 * Writes `.claude/skills/<name>/SKILL.md` with the body and the evidence in a marked hindsight section. An
 * existing file keeps everything hindsight did not write — front matter, description, the human's text — and
 * gets the section merged in (replaced in place on later proposals); see mergeSkillFile. Records the fix and
 * marks the linked cluster covered. Idempotent: the same call twice changes nothing the second time.
 */
export function proposeSkill(ctx: AppContext, given: ProposeSkillInput): ProposalResult {
  // The skill lands in a file agents read and the repository keeps: no secret goes in.
  const r = new Redactor();
  const input = { ...given, description: r.text(given.description), body: r.text(given.body) };
  const root = workTreeRoot(ctx.config.repoPath);
  const nameProblem = skillNameProblem(input.name);
  if (nameProblem) throw new UserInputError(`name '${input.name}' ${nameProblem}; it is also the folder name`, 'name');
  const descriptionProblem = skillDescriptionProblem(input.description);
  if (descriptionProblem) throw new UserInputError(`description ${descriptionProblem}`, 'description');
  if (!input.body.trim()) throw new UserInputError('body is empty; give the steps an agent should follow', 'body');
  const markerProblem = sectionMarkerProblem(input.body);
  if (markerProblem) throw new UserInputError(`body ${markerProblem}`, 'body');

  const evidence = loadEvidence(ctx, input);
  const file = confinedPath(root, SKILLS_DIR, `${SKILLS_DIR}/${input.name}/SKILL.md`, 'name');
  const lines = evidenceLines(evidence);
  const proposal = {
    name: input.name,
    description: input.description,
    section: lines.length
      ? `${input.body.trim()}\n\n## Evidence\n\nProposed by hindsight from:\n\n${lines.join('\n')}`
      : input.body,
  };

  const original = existsSync(file.abs) ? readFileSync(file.abs, 'utf8') : undefined;
  const { content, action, notes } =
    original === undefined
      ? { content: renderSkillFile(proposal), action: 'created' as const, notes: [] }
      : mergeSkillFile(original, file.rel, proposal);
  const base = { path: file.rel, content, action, notes } as const;
  if (input.dryRun) return { fixId: null, written: false, ...base };
  const changes =
    action === 'unchanged'
      ? []
      : [
          {
            abs: file.abs,
            rel: file.rel,
            content,
            ...(original === undefined ? { mode: 'create' as const } : { mode: 'replace' as const, original }),
          },
        ];
  const fixId = recordFix(ctx, {
    type: 'skill',
    title: input.name,
    path: file.rel,
    changes,
    evidence,
    reuse: action === 'unchanged',
  });
  return { fixId, written: changes.length > 0, ...base };
}
