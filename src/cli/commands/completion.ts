// `openclaw completion bash|zsh|fish`: prints the shell's completion script (src/cli/completion.ts).
import { Argument, type Command } from 'commander';
import { SHELLS, type Shell } from '../completion.js';

export function register(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: source <(openclaw completion bash), or zsh, or: openclaw completion fish | source')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action(async (shell: Shell) => {
      const { buildProgram } = await import('../program.js');
      const { completionScript } = await import('../completion.js');
      process.stdout.write(completionScript(shell, await buildProgram()));
    });
}
