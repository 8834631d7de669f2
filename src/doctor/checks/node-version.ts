import { type Check, error, ok } from '../types.js';

const MIN = [20, 19] as const;

export function nodeVersionSatisfies(version: string, min: readonly [number, number] = MIN): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

export const nodeVersion: Check = {
  id: 'node-version',
  title: 'Node.js version',
  async run() {
    const v = process.versions.node;
    if (nodeVersionSatisfies(v)) return ok(`Node.js ${v} satisfies the required >= ${MIN.join('.')}.`);
    return error(`Node.js ${v} is older than the required ${MIN.join('.')}, so the gateway may not start.`, 'nvm install 22 && nvm use 22');
  },
};
