// `npm run bench`: runs every bench module and prints one table with absolute values, the baseline
// measured in the same run, their ratio and the target.
//   --runs=N     repetitions for medians (default 7, minimum 5)
//   --full       full-size control-plane loads (10 000 idle connections, …) instead of the quick ones
//   --only=a,b   run only the named benches (startup, handshake, pairing, openai-proxy, agent-turns, channels, abuse, control-ui)
//   --check      exit 1 when a target is missed
import { abuseBench } from './abuse.js';
import { agentTurnBench } from './agent-turns.js';
import { channelsBench } from './channels.js';
import { openAiProxyBench } from './openai-proxy.js';
import { pairingBench } from './pairing.js';
import { startupBench } from './startup.js';
import { handshakeBench, uiBench } from './suites.js';
import { formatTable, type TableRow } from './table.js';
import type { BenchModule } from './types.js';

const MODULES: BenchModule[] = [startupBench, handshakeBench, pairingBench, openAiProxyBench, agentTurnBench, channelsBench, abuseBench, uiBench];

function option(argv: string[], name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(argv: string[]): Promise<void> {
  const runs = Math.max(5, Number(option(argv, 'runs') ?? 7) || 7);
  const full = argv.includes('--full');
  const only = option(argv, 'only')?.split(',');
  const unknown = only?.filter((n) => !MODULES.some((m) => m.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`unknown bench ${unknown.join(', ')}; choose from: ${MODULES.map((m) => m.name).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const rows: TableRow[] = [];
  let broken = 0;
  for (const mod of MODULES.filter((m) => !only || only.includes(m.name))) {
    process.stderr.write(`running ${mod.name} (${runs} runs${full ? ', full size' : ''})…\n`);
    try {
      for (const row of await mod.run({ runs, full })) rows.push({ ...row, bench: mod.name });
    } catch (err) {
      broken++;
      process.stderr.write(`  ${mod.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  process.stdout.write(formatTable(rows) + '\n');
  const missed = rows.filter((r) => r.pass === false).length + broken;
  process.stdout.write(missed ? `${missed} target(s) missed or bench(es) failed\n` : 'all targets met\n');
  if (missed && argv.includes('--check')) process.exitCode = 1;
}

await main(process.argv.slice(2));
