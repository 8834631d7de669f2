// `openclaw logs`: reads <state>/logs/gateway.log directly, so it works with the gateway up or down.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { println } from '../output.js';

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a number of lines');
  return n;
}

interface LogsOptions {
  follow?: boolean;
  tail: number;
  json?: boolean;
  level?: 'debug' | 'info' | 'warn' | 'error';
}

export function register(program: Command): void {
  program
    .command('logs')
    .description('Show the gateway log (<state>/logs/gateway.log): `<time> <level> [subsystem] msg`.')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('-n, --tail <n>', 'how many recent lines to show', parseCount, 200)
    .option('--json', 'print the raw JSON records, one per line')
    .addOption(new Option('--level <level>', 'only lines at this level or above').choices(['debug', 'info', 'warn', 'error']))
    .action(async (opts: LogsOptions) => {
      const { statePaths } = await import('../../config/paths.js');
      const { readLogTail } = await import('../../logging/tail.js');
      const { atLeast, formatLogRecord, parseLogLine } = await import('../../logging/format.js');
      const file = statePaths(process.env).gatewayLog;
      const show = (lines: string[], limit?: number) => {
        let records = lines.map((line) => ({ line, record: parseLogLine(line) }));
        if (opts.level) records = records.filter((r) => atLeast(r.record, opts.level!));
        if (limit !== undefined) records = limit === 0 ? [] : records.slice(-limit);
        for (const r of records) println(opts.json ? r.line : formatLogRecord(r.record));
      };
      // Read generously so a --level filter still finds N matching lines.
      const first = readLogTail(file, { limit: opts.level ? 100_000 : Math.max(opts.tail, 1), maxBytes: 8 * 1024 * 1024 });
      show(first.lines, opts.tail);
      if (!opts.follow) {
        if (first.size === 0 && !opts.json) process.stderr.write(`no log lines yet in ${file} (start the gateway: openclaw gateway start)\n`);
        return;
      }
      let cursor = first.cursor;
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const next = readLogTail(file, { cursor, limit: 100_000, maxBytes: 8 * 1024 * 1024 });
        show(next.lines);
        cursor = next.cursor;
      }
    });
}
