// PostgreSQL twin of migrations/0015-interrupts-module.ts.
export const sql = `
CREATE INDEX IF NOT EXISTS interrupts_module ON interrupts(module, id);
`;
