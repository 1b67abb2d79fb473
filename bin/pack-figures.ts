/**
 * `npm run bench:packs`: build time and peak memory (max RSS of the builder's process) of the
 * pack builder for a pack of 100 files of 1 MiB and for one file of 1 GiB, as a table. Not part
 * of CI (it writes 2 GiB to the temp folder); `-- --small` runs the 100-file pack only.
 */
import '../bench/env.js';
import { measurePackBuild, type PackBuildFigures } from '../bench/packs.js';

const MIB = 1024 ** 2;
const runs: [string, number, number][] = [['100 files x 1 MiB', 100, MIB]];
if (!process.argv.includes('--small')) runs.push(['1 file x 1 GiB', 1, 1024 * MIB]);

const rows: PackBuildFigures[] = [];
for (const [name, files, size] of runs) {
  process.stderr.write(`[bench:packs] ${name}...\n`);
  rows.push(await measurePackBuild(name.replace(/\W+/g, '-'), files, size));
}
console.log('| pack | files | bytes in | ZIP bytes | build time | peak RSS | throughput |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.files} | ${(r.bytesIn / MIB).toFixed(0)} MiB | ${(r.zipBytes / MIB).toFixed(1)} MiB | ${(r.ms / 1000).toFixed(2)} s | ${r.maxRssMiB.toFixed(0)} MiB | ${(r.bytesIn / MIB / (r.ms / 1000)).toFixed(0)} MiB/s |`);
}
