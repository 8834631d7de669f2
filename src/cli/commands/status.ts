// Placeholder: the 'status' command group is registered here by its owner.
import type { Command } from 'commander';

export function register(_program: Command): void {}
