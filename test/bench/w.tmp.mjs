import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create('/tmp/wprobe.duckdb', { memory_limit: '512MB', preserve_insertion_order: 'false' });
const con = await db.connect();
console.log((await con.runAndReadAll('select version() v')).getRowObjectsJS());
const t = async (name, sql) => { const t0 = performance.now(); await con.run(sql); console.log(name, ((performance.now() - t0)/1000).toFixed(2)); };
await con.run(`CREATE TEMP TABLE src AS SELECT * FROM read_parquet('/tmp/p15/y.parquet')`);
for (let i = 0; i < 2; i++) for (const c of ['snappy', 'uncompressed', 'lz4_raw', 'zstd']) await t(c, `COPY (SELECT * FROM src) TO '/tmp/w-${c}.parquet' (FORMAT parquet, COMPRESSION ${c})`);
const { statSync } = await import('node:fs');
for (const c of ['snappy', 'uncompressed', 'lz4_raw', 'zstd']) console.log(c, (statSync(`/tmp/w-${c}.parquet`).size/1e6).toFixed(1), 'MB');
