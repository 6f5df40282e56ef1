// module_incident_history's co-changed modules (history/coupling.ts) find where a module's last 2,000 ordinary
// commits begin from a running sum of its own days in module_pair_days (the rows with other = module). The primary
// key (module, day, other) puts those among every pair row of the module (17k rows for the busiest module at 100k
// commits, ~4 ms a call); this partial index holds only them (~1,100 for that module).
export const sql = `
CREATE INDEX IF NOT EXISTS module_pair_days_own ON module_pair_days(module, day, commits) WHERE other = module;
`;
