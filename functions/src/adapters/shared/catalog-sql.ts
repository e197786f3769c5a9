/**
 * Generated fragments of the catalog templates (`06_zones`, `07_trips`, `08_descriptions`), for any
 * dialect: the zone table's typed select, the `trips` union and the description slots, all read from
 * the domain's definitions (zones.ts, trips.ts, descriptions.ts).
 */
import type { ColumnKind, Dataset } from '../../domain/datasets.js';
import type { DescribedObject } from '../../domain/descriptions.js';
import { mainTable } from '../../domain/naming.js';
import { PAYMENT_TYPES, TRIP_COLUMNS, TRIP_DATASETS } from '../../domain/trips.js';
import { ZONES } from '../../domain/zones.js';

/** What the generator needs of a dialect. */
export interface CatalogDialect {
  ident(name: string): string;
  literal(value: string): string;
  types: Record<ColumnKind, string>;
  /** A table or view of the warehouse by name, as the templates refer to it. */
  table(name: string): string;
  /** The column descriptions of `object` (already a reference), in the dialect's statement form. */
  columnDescriptions(object: string, columns: readonly { name: string; description: string }[]): string;
}

/** The zone table's columns, typed, from the external table's text. */
export function zoneSelect(d: CatalogDialect): string {
  return ZONES.columns.map((c) => `CAST(${d.ident(c.name)} AS ${d.types[c.kind]}) AS ${d.ident(c.name)}`).join(', ');
}

/** The dataset's expression for one column of the view (inner select). */
function tripExpression(d: CatalogDialect, ds: Dataset, c: (typeof TRIP_COLUMNS)[number]): string | null {
  const nullOf = `CAST(NULL AS ${d.types[c.kind]})`;
  switch (c.source.from) {
    case 'taxi':
      return d.literal(ds.taxi);
    case 'column': {
      const col = c.source.column(ds);
      return col ? `CAST(${d.ident(col)} AS ${d.types[c.kind]})` : nullOf;
    }
    case 'payment_name': {
      const col = c.source.column(ds);
      if (!col) return nullOf;
      return `CASE ${d.ident(col)} ${Object.entries(PAYMENT_TYPES).map(([code, name]) => `WHEN ${code} THEN ${d.literal(name)}`).join(' ')} END`;
    }
    case 'zone':
      return null; // joined in the outer select
  }
}

/** The `trips` view's SELECT: the four main tables unioned in one column set, zones joined. */
export function tripsSelect(d: CatalogDialect): string {
  const inner = TRIP_DATASETS.map((ds) => {
    const cols = TRIP_COLUMNS.map((c) => [c, tripExpression(d, ds, c)] as const).filter(([, e]) => e !== null);
    return `  SELECT ${cols.map(([c, e]) => `${e} AS ${d.ident(c.name)}`).join(', ')}\n  FROM ${d.table(mainTable(ds.taxi))}`;
  }).join('\n  UNION ALL\n');
  const zoneAlias = { pickup: 'pz', dropoff: 'dz' } as const;
  const outer = TRIP_COLUMNS.map((c) => (c.source.from === 'zone' ? `${zoneAlias[c.source.side]}.${d.ident(c.source.field)} AS ${d.ident(c.name)}` : `t.${d.ident(c.name)}`));
  const zones = d.table(ZONES.table);
  const id = d.ident('LocationID');
  return [
    `SELECT ${outer.join(', ')}`,
    `FROM (\n${inner}\n) AS t`,
    `LEFT JOIN ${zones} AS pz ON pz.${id} = t.${d.ident('pickup_location_id')}`,
    `LEFT JOIN ${zones} AS dz ON dz.${id} = t.${d.ident('dropoff_location_id')}`,
  ].join('\n');
}

/** The slots of `08_descriptions` for one object. */
export function descriptionSlots(d: CatalogDialect, o: DescribedObject, kind: 'TABLE' | 'VIEW', columns = o.columns): Record<string, string> {
  const object = d.table(o.name);
  return {
    object,
    object_kind: kind,
    object_description: d.literal(o.description),
    column_descriptions: d.columnDescriptions(object, columns),
  };
}
