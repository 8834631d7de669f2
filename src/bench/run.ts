// `npm run bench`: runs every bench module and prints one table with absolute values, ratios to
// the baseline measured in the same run, and the targets. `--check` exits 1 when a target fails.
// New benches (handshake, broadcast, proxy latency) are added to MODULES.
import { startupBench } from './startup.js';
import { formatTable, type TableRow } from './table.js';
import type { BenchModule } from './types.js';

const MODULES: BenchModule[] = [startupBench];

async function main(argv: string[]): Promise<void> {
  const runsArg = argv.find((a) => a.startsWith('--runs='));
  const runs = Math.max(5, Number(runsArg?.slice('--runs='.length) ?? 7) || 7);
  const rows: TableRow[] = [];
  for (const mod of MODULES) {
    process.stderr.write(`running ${mod.name} (${runs} runs)…\n`);
    for (const row of await mod.run({ runs })) rows.push({ ...row, bench: mod.name });
  }
  process.stdout.write(formatTable(rows) + '\n');
  const failed = rows.filter((r) => !r.pass);
  process.stdout.write(failed.length ? `${failed.length} target(s) missed\n` : 'all targets met\n');
  if (failed.length && argv.includes('--check')) process.exitCode = 1;
}

await main(process.argv.slice(2));
