// log_interrupt's writers take turns per module (store/interrupts.ts: interruptWriteLock): each reads the newest id
// of its module before its snapshot and, under the lock, the entries of its module added since. This index answers
// both without reading other modules' entries.
export const sql = `
CREATE INDEX IF NOT EXISTS interrupts_module ON interrupts(module, id);
`;
