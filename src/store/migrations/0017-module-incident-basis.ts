// module_incident_history and change_risk count a module's incidents by basis (named / cause / suspect). Deriving
// it per call cost ~4 index seeks per incident of the module (~5 ms for a hot module's 1,600 incidents at 100k
// commits); kept on each module_incidents row, the counts are one covering range. The 0006 triggers are replaced by
// ones that write the basis too: the strongest tie of the incident to the module (1 it names the module, 2 its
// confirmed cause changed it, 3 an unconfirmed strong link did; a 3 is 'elsewhere' when a cause is confirmed in any
// module, else 'suspect'). These are store/incidents.ts moduleIncidentRows and the commit writer's statement as they
// were when this migration shipped, written out (a migration must not change when live code does).
const confirmedAnywhere = (id: string): string => `EXISTS (SELECT 1 FROM incident_links k
  WHERE k.incident_id = ${id} AND k.kind = 'commit' AND k.status = 'confirmed')`;
const basisOfRank = (rank: string, id: string): string =>
  `CASE ${rank} WHEN 1 THEN 'named' WHEN 2 THEN 'cause' ELSE CASE WHEN ${confirmedAnywhere(id)} THEN 'elsewhere' ELSE 'suspect' END END`;
const STRONG = `l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)`;
const KEEP_STRONGER = `basis = CASE WHEN module_incidents.basis IN ('named', 'cause') THEN module_incidents.basis ELSE excluded.basis END`;
/** Every module_incidents row of the incident `id` (an SQL expression), with its basis. Shared with the twin. */
export const recompute = (id: string): string => `DELETE FROM module_incidents WHERE incident_id = ${id};
  INSERT INTO module_incidents(module, started_at, incident_id, basis)
    SELECT t.module, i.started_at, i.id, ${basisOfRank('MIN(t.rank)', 'i.id')}
    FROM (SELECT i.id, i.module, 1 AS rank FROM incidents i WHERE i.module IS NOT NULL AND i.id = ${id}
      UNION ALL SELECT f.incident_id, f.module, 1 FROM incident_files f WHERE f.incident_id = ${id}
      UNION ALL SELECT l.incident_id, cf.module, CASE WHEN l.status = 'confirmed' THEN 2 ELSE 3 END
        FROM incident_links l JOIN commit_files cf ON cf.sha = l.target WHERE ${STRONG} AND l.incident_id = ${id}) t
    JOIN incidents i ON i.id = t.id
    GROUP BY t.module, i.started_at, i.id;`;
const strongNew = (row: 'new' | 'old'): string => STRONG.replaceAll('l.', `${row}.`);

/** A new incident with a module field, or a file or frame it names (row `new`): 'named', the strongest basis. */
export const incidentInserted = `INSERT INTO module_incidents(module, started_at, incident_id, basis)
    VALUES (new.module, new.started_at, new.id, 'named')
    ON CONFLICT(module, started_at, incident_id) DO UPDATE SET basis = 'named';`;
export const fileInserted = `INSERT INTO module_incidents(module, started_at, incident_id, basis)
    SELECT new.module, started_at, id, 'named' FROM incidents WHERE id = new.incident_id
    ON CONFLICT(module, started_at, incident_id) DO UPDATE SET basis = 'named';`;
/**
 * A new strong link (row `new`): its commit's modules at the link's rank; a confirmed one also makes the incident's
 * suspect-only modules 'elsewhere'.
 */
export const linkInserted = `INSERT INTO module_incidents(module, started_at, incident_id, basis)
    SELECT DISTINCT cf.module, i.started_at, i.id,
      ${basisOfRank("CASE WHEN new.status = 'confirmed' THEN 2 ELSE 3 END", 'i.id')}
    FROM incidents i JOIN commit_files cf ON cf.sha = new.target
    WHERE i.id = new.incident_id
    ON CONFLICT(module, started_at, incident_id) DO UPDATE SET ${KEEP_STRONGER};
  UPDATE module_incidents SET basis = 'elsewhere'
    WHERE new.status = 'confirmed' AND incident_id = new.incident_id AND basis = 'suspect';`;

/** From the rows as they are; the PostgreSQL twin (engine/postgres-migrations/0017) runs it too. */
export const backfill = `UPDATE module_incidents SET basis = CASE
  WHEN EXISTS (SELECT 1 FROM incidents i WHERE i.id = module_incidents.incident_id AND i.module = module_incidents.module)
    OR EXISTS (SELECT 1 FROM incident_files f WHERE f.incident_id = module_incidents.incident_id AND f.module = module_incidents.module)
    THEN 'named'
  WHEN EXISTS (SELECT 1 FROM incident_links l JOIN commit_files cf ON cf.sha = l.target
    WHERE l.incident_id = module_incidents.incident_id AND l.kind = 'commit' AND l.status = 'confirmed' AND cf.module = module_incidents.module)
    THEN 'cause'
  WHEN ${confirmedAnywhere('module_incidents.incident_id')} THEN 'elsewhere'
  ELSE 'suspect' END;`;

export const sql = `
ALTER TABLE module_incidents ADD COLUMN basis TEXT NOT NULL DEFAULT '';
${backfill}
DROP TRIGGER module_incidents_incident_ai;
DROP TRIGGER module_incidents_incident_au;
DROP TRIGGER module_incidents_file_ai;
DROP TRIGGER module_incidents_file_au;
DROP TRIGGER module_incidents_file_ad;
DROP TRIGGER module_incidents_link_ai;
DROP TRIGGER module_incidents_link_au;
DROP TRIGGER module_incidents_link_ad;
CREATE TRIGGER module_incidents_incident_ai AFTER INSERT ON incidents WHEN new.module IS NOT NULL BEGIN
  ${incidentInserted}
END;
CREATE TRIGGER module_incidents_incident_au AFTER UPDATE OF module, started_at ON incidents BEGIN
  ${recompute('new.id')}
END;
CREATE TRIGGER module_incidents_file_ai AFTER INSERT ON incident_files BEGIN
  ${fileInserted}
END;
CREATE TRIGGER module_incidents_file_au AFTER UPDATE ON incident_files BEGIN
  ${recompute('old.incident_id')}
  ${recompute('new.incident_id')}
END;
CREATE TRIGGER module_incidents_file_ad AFTER DELETE ON incident_files BEGIN
  ${recompute('old.incident_id')}
END;
CREATE TRIGGER module_incidents_link_ai AFTER INSERT ON incident_links WHEN ${strongNew('new')} BEGIN
  ${linkInserted}
END;
CREATE TRIGGER module_incidents_link_au AFTER UPDATE ON incident_links WHEN ${strongNew('old')} OR ${strongNew('new')} BEGIN
  ${recompute('old.incident_id')}
  ${recompute('new.incident_id')}
END;
CREATE TRIGGER module_incidents_link_ad AFTER DELETE ON incident_links WHEN ${strongNew('old')} BEGIN
  ${recompute('old.incident_id')}
END;
`;
