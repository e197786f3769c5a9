/**
 * What every table and column an analyst sees means, gathered from the definitions that hold it
 * (datasets.ts for the trip tables, zones.ts, trips.ts, ledger.ts): both warehouses write these as
 * descriptions (BigQuery `OPTIONS(description=...)`, DuckDB `COMMENT ON`), so a meaning is written once.
 */
import { columnDescription, dataset, TAXIS } from './datasets.js';
import { LEDGER_COLUMNS, LEDGER_DESCRIPTION, LEDGER_TABLE } from './ledger.js';
import { mainTable, quarantineTable } from './naming.js';
import { QUARANTINE_REASONS } from './quarantine.js';
import { TRIP_COLUMNS, TRIPS_DESCRIPTION, TRIPS_VIEW } from './trips.js';
import { ZONES } from './zones.js';

/** A described table or view. */
export interface DescribedObject {
  readonly name: string;
  /** Which kind of object it is in the warehouse: the main and quarantine tables are views in DuckDB. */
  readonly role: 'main' | 'quarantine' | 'zones' | 'trips' | 'ledger';
  readonly description: string;
  readonly columns: readonly { readonly name: string; readonly description: string }[];
}

/** Descriptions of the columns every main table has after its dataset's own. */
const ROW_COLUMNS = [
  { name: 'unique_row_id', description: 'md5 (hex) of the row\'s typed values in canonical form: the same trip gets the same id from a CSV or a Parquet file' },
  { name: 'filename', description: 'The TLC release file the row was loaded from' },
];

const QUARANTINE_COLUMNS = [
  { name: 'filename', description: 'The TLC release file the row came from' },
  { name: 'reason', description: `Why the row is not in the main table, the first that applies: ${QUARANTINE_REASONS.join(', ')}` },
  { name: 'detail', description: 'What exactly: the column and value that failed, the field count, the pickup outside the month, the line the row repeats' },
  { name: 'raw_line', description: 'The row as the file holds it (a CSV line; a Parquet row as JSON)' },
  { name: 'quarantined_at', description: 'When the row was quarantined (UTC)' },
];

/** Every described object, in the order they are written. */
export function describedObjects(): DescribedObject[] {
  const out: DescribedObject[] = [];
  for (const taxi of TAXIS) {
    const ds = dataset(taxi);
    out.push({ name: mainTable(taxi), role: 'main', description: ds.description, columns: [...ds.columns.map((c) => ({ name: c.name, description: columnDescription(ds, c.name) })), ...ROW_COLUMNS] });
    out.push({ name: quarantineTable(taxi), role: 'quarantine', description: `Rows of the ${taxi} release files that are not in ${mainTable(taxi)}, each with its one reason; rows of a file plus its quarantined rows are the file's rows`, columns: QUARANTINE_COLUMNS });
  }
  out.push({ name: ZONES.table, role: 'zones', description: ZONES.description, columns: ZONES.columns });
  out.push({ name: TRIPS_VIEW, role: 'trips', description: TRIPS_DESCRIPTION, columns: TRIP_COLUMNS });
  out.push({ name: LEDGER_TABLE, role: 'ledger', description: LEDGER_DESCRIPTION, columns: LEDGER_COLUMNS });
  return out;
}

/** The described objects of one dataset's main and quarantine tables. */
export function datasetObjects(taxi: string): DescribedObject[] {
  return describedObjects().filter((o) => (o.role === 'main' || o.role === 'quarantine') && (o.name === `${taxi}_tripdata` || o.name === `${taxi}_tripdata_quarantine`));
}
