// Shell completion scripts for bash, zsh and fish, generated from the CLI's own command tree, so
// every command, subcommand and flag completes as `--help` lists it. Static: completing a word
// never starts node. Each script finds the command path typed so far (the words that name known
// commands, skipping flags and their values) and offers that command's subcommands and flags.
import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionNode {
  /** '' for the root, else the space-joined command path ("gateway run"). */
  path: string;
  items: { word: string; description: string }[];
}

/** Every command path with the words that may follow it (subcommands first, then flags). */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const items = subs.map((c) => ({ word: c.name(), description: c.description() }));
    for (const o of cmd.options) {
      if (o.hidden) continue;
      if (o.long) items.push({ word: o.long, description: o.description });
    }
    items.push({ word: '--help', description: 'show help' });
    nodes.push({ path, items });
    for (const c of subs) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(program, '');
  return nodes;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(shell: Shell, program: Command): string {
  const nodes = completionTree(program);
  const paths = nodes.map((n) => n.path).filter(Boolean);
  switch (shell) {
    case 'bash':
      return bash(nodes, paths);
    case 'zsh':
      return zsh(nodes, paths);
    case 'fish':
      return fish(nodes, paths);
  }
}

function bash(nodes: CompletionNode[], paths: string[]): string {
  return `# openclaw completion for bash. Load it with: source <(openclaw completion bash)
# or save it: openclaw completion bash > ~/.local/share/bash-completion/completions/openclaw
_openclaw_path() {
  local path="" w cand i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    cand=\${path:+$path }$w
    case "$cand" in
      ${paths.map(sq).join('|')}) path=$cand ;;
    esac
  done
  printf '%s' "$path"
}
_openclaw_words() {
  case "$1" in
${nodes.map((n) => `    ${sq(n.path)}) printf '%s' ${sq(n.items.map((i) => i.word).join(' '))} ;;`).join('\n')}
  esac
}
_openclaw() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=($(compgen -W "$(_openclaw_words "$(_openclaw_path)")" -- "$cur"))
}
complete -o default -F _openclaw openclaw
`;
}

function zsh(nodes: CompletionNode[], paths: string[]): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `#compdef openclaw
# openclaw completion for zsh. Load it with: source <(openclaw completion zsh)  (after compinit)
# or save it as _openclaw in a directory of $fpath.
_openclaw_path() {
  local p="" w cand
  for w in "$@"; do
    [[ $w == -* ]] && continue
    cand=\${p:+$p }$w
    case "$cand" in
      (${paths.map(sq).join('|')}) p=$cand ;;
    esac
  done
  print -r -- "$p"
}
_openclaw_items() {
  case "$1" in
${nodes.map((n) => `    (${sq(n.path)}) reply=(${n.items.map((i) => sq(`${esc(i.word)}:${esc(oneLine(i.description))}`)).join(' ')}) ;;`).join('\n')}
    (*) reply=() ;;
  esac
}
_openclaw() {
  local -a reply
  _openclaw_items "$(_openclaw_path "\${(@)words[2,CURRENT-1]}")"
  _describe -t commands 'openclaw' reply
}
if (( $+functions[compdef] )); then compdef _openclaw openclaw; fi
`;
}

function fish(nodes: CompletionNode[], paths: string[]): string {
  const lines = [
    '# openclaw completion for fish. Load it with: openclaw completion fish | source',
    '# or save it: openclaw completion fish > ~/.config/fish/completions/openclaw.fish',
    'function __openclaw_path',
    '    set -l p ""',
    '    for w in (commandline -opc)[2..-1]',
    "        string match -q -- '-*' $w; and continue",
    '        set -l cand (string trim -- "$p $w")',
    `        if contains -- $cand ${paths.map(sq).join(' ')}`,
    '            set p $cand',
    '        end',
    '    end',
    '    echo $p',
    'end',
    'complete -c openclaw -f',
  ];
  for (const n of nodes) {
    const cond = sq(`test (__openclaw_path) = "${n.path}"`);
    for (const i of n.items) {
      const d = sq(oneLine(i.description));
      lines.push(i.word.startsWith('--') ? `complete -c openclaw -n ${cond} -l ${i.word.slice(2)} -d ${d}` : `complete -c openclaw -n ${cond} -a ${sq(i.word)} -d ${d}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
