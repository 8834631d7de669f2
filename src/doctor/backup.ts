// Copies a file aside before doctor changes it (config edits go through ConfigStore's own backups).
import fs from 'node:fs';

/** Copies `file` to `<file>.bak.<timestamp>` (0600); undefined when there is no file. */
export function backupFile(file: string, now = new Date()): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let backupPath = `${file}.bak.${stamp}`;
  for (let i = 1; fs.existsSync(backupPath); i++) backupPath = `${file}.bak.${stamp}-${i}`;
  fs.copyFileSync(file, backupPath, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(backupPath, 0o600);
  return backupPath;
}
