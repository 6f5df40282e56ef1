import { createHash } from 'node:crypto';
import type { AppContext } from '../../src/context.js';

/** A commit row plus its files; modules come from the context's mapper unless given. */
export interface SeedCommit {
  sha?: string;
  /** ISO date or unix ms; used for both authored_at and committed_at. */
  at: string | number;
  author?: string;
  email?: string;
  kind?: 'human' | 'agent' | 'pair';
  agent?: string;
  subject?: string;
  files: (string | { path: string; module?: string })[];
  isMerge?: boolean;
  revertsSha?: string;
}

export interface SeedIncident {
  externalId: string;
  title?: string;
  severity?: string;
  startedAt: string | number;
  resolvedAt?: string | number;
  module?: string;
  status?: string;
  url?: string;
  postmortemPath?: string;
  /** Paths named by the incident (kind 'file'); modules from the mapper. */
  files?: string[];
  frames?: string[];
  source?: string;
}

export interface SeedLink {
  incidentId: number;
  sha: string;
  score: number;
  status?: 'suspect' | 'confirmed' | 'rejected';
  method?: string;
  reasons?: string[];
}

export interface Seeder {
  repoId: number;
  commit(spec: SeedCommit): string;
  incident(spec: SeedIncident): number;
  link(spec: SeedLink): void;
}

// Shared by every seeder, so two repositories in one store never mint the same sha.
let counter = 0;

const ms = (t: string | number): number => (typeof t === 'number' ? t : Date.parse(t));

/**
 * Writes fixture rows straight into the schema with prepared statements, so history tests do not
 * depend on the git ingest or incident import being finished.
 */
export function seeder(ctx: AppContext, repoPath = ctx.config.repoPath): Seeder {
  const db = ctx.store;
  db.prepare('INSERT INTO repos(path, name) VALUES (?, ?) ON CONFLICT DO NOTHING').run(repoPath, 'fixture');
  const repoId = (db.prepare('SELECT id FROM repos WHERE path = ?').get(repoPath) as { id: number }).id;

  const insCommit = db.prepare(
    `INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at, subject, parents,
       is_merge, author_kind, agent, reverts_sha, files_changed)
     VALUES (@sha, @repoId, @author, @email, @at, @at, @subject, '', @isMerge, @kind, @agent, @revertsSha, @filesChanged)`,
  );
  const insFile = db.prepare('INSERT INTO commit_files(sha, path, module, added, deleted) VALUES (?, ?, ?, 1, 0)');
  const insIncident = db.prepare(
    `INSERT INTO incidents(source, external_id, title, severity, started_at, resolved_at, module, status, url,
       postmortem_path, updated_at)
     VALUES (@source, @externalId, @title, @severity, @startedAt, @resolvedAt, @module, @status, @url, @postmortemPath,
       @startedAt)`,
  );
  const insIncidentFile = db.prepare('INSERT INTO incident_files(incident_id, path, kind, module) VALUES (?, ?, ?, ?)');
  const insLink = db.prepare(
    `INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
     VALUES (?, 'commit', ?, ?, ?, ?, ?, 0)`,
  );
  return {
    repoId,
    commit: db.transaction((spec: SeedCommit): string => {
      const sha =
        spec.sha ??
        createHash('sha1')
          .update(`seed-${counter++}-${spec.subject ?? ''}`)
          .digest('hex');
      const kind = spec.kind ?? (spec.agent ? 'agent' : 'human');
      insCommit.run({
        sha,
        repoId,
        author: spec.author ?? (kind === 'human' ? 'Ada Lovelace' : (spec.agent ?? 'bot')),
        email: spec.email ?? (kind === 'human' ? 'ada@example.com' : `${spec.agent ?? 'bot'}@agents.example`),
        at: ms(spec.at),
        subject: spec.subject ?? `change ${counter}`,
        isMerge: spec.isMerge ? 1 : 0,
        kind,
        agent: spec.agent ?? null,
        revertsSha: spec.revertsSha ?? null,
        filesChanged: spec.files.length,
      });
      for (const f of spec.files) {
        const path = typeof f === 'string' ? f : f.path;
        const module = (typeof f === 'string' ? undefined : f.module) ?? ctx.modules.moduleOf(path);
        insFile.run(sha, path, module);
      }
      return sha;
    }),
    incident: db.transaction((spec: SeedIncident): number => {
      const res = insIncident.run({
        source: spec.source ?? 'file',
        externalId: spec.externalId,
        title: spec.title ?? spec.externalId,
        severity: spec.severity ?? null,
        startedAt: ms(spec.startedAt),
        resolvedAt: spec.resolvedAt === undefined ? null : ms(spec.resolvedAt),
        module: spec.module ?? null,
        status: spec.status ?? (spec.resolvedAt === undefined ? 'open' : 'resolved'),
        url: spec.url ?? null,
        postmortemPath: spec.postmortemPath ?? null,
      });
      const id = Number(res.lastInsertRowid);
      for (const p of spec.files ?? []) insIncidentFile.run(id, p, 'file', ctx.modules.moduleOf(p));
      for (const p of spec.frames ?? []) insIncidentFile.run(id, p, 'frame', ctx.modules.moduleOf(p));
      return id;
    }),
    link(spec) {
      insLink.run(
        spec.incidentId,
        spec.sha,
        spec.score,
        spec.status ?? 'suspect',
        spec.method ?? 'heuristic',
        JSON.stringify({ reasons: spec.reasons ?? [], factors: {} }),
      );
    },
  };
}
