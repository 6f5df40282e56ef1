// PostgreSQL twin of migrations/0019-impact-shown-marks.ts: 0016's link function, acting only on links shown in
// my_deploy_impact (score ≥ 0.3, not rejected).
import { carrying, strongLinkRows } from '../../impact-sql.js';

const shown = (r: string): string => `${r}.status <> 'rejected' AND (${r}.status = 'confirmed' OR ${r}.score >= 0.3)`;

export const sql = `CREATE OR REPLACE FUNCTION impact_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'commit' AND ${shown('OLD')} THEN
    ${carrying('OLD.target')}
    DELETE FROM impact_links WHERE sha = OLD.target AND incident_id = OLD.incident_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.kind = 'commit' AND ${shown('NEW')} THEN
    ${carrying('NEW.target')}
    ${strongLinkRows('NEW')}
  END IF;
  RETURN NULL;
END $$;`;
