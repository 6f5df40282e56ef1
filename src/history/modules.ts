// Moved to src/modules.ts (below the domain: context.ts, ingest, triage and attribution all map paths to modules).
// Kept only for src/attribution/paths.ts, which another branch edits this round: the integrator points that import
// at ../modules.js and deletes this file.
export * from '../modules.js';
