// PostgreSQL twin of migrations/0020-module-pair-own.ts.
export const sql = `
CREATE INDEX IF NOT EXISTS module_pair_days_own ON module_pair_days(module, day, commits) WHERE other = module;
`;
