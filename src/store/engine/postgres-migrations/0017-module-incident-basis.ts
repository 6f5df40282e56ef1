// PostgreSQL twin of migrations/0017-module-incident-basis.ts: the basis column, its backfill, and the 0006
// functions that keep module_incidents rewritten to write it (the triggers that call them stay). The statements are
// SQLite's (plain SQL both engines run; NEW/OLD are the same rows in PL/pgSQL).
import {
  backfill,
  fileInserted,
  incidentInserted,
  linkInserted,
  recompute,
} from '../../migrations/0017-module-incident-basis.js';

/** A trigger function: `onInsert` for a new row; an update or delete recomputes the incidents of the old and new row. */
const keeper = (name: string, onInsert: string, incident: 'incident_id' | 'id'): string =>
  `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${onInsert}
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM module_incidents_recompute(OLD.${incident});
    PERFORM module_incidents_recompute(NEW.${incident});
  ELSE
    ${incident === 'id' ? 'DELETE FROM module_incidents WHERE incident_id = OLD.id;' : `PERFORM module_incidents_recompute(OLD.${incident});`}
  END IF;
  RETURN NULL;
END $$;`;

export const sql = `
ALTER TABLE module_incidents ADD COLUMN basis TEXT NOT NULL DEFAULT '';
${backfill}

CREATE OR REPLACE FUNCTION module_incidents_recompute(iid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ${recompute('iid')}
END $$;
${keeper('module_incidents_incident', incidentInserted, 'id')}
${keeper('module_incidents_file', fileInserted, 'incident_id')}
${keeper('module_incidents_link', linkInserted, 'incident_id')}
`;
