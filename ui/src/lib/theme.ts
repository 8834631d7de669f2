// Light/dark theme: follows prefers-color-scheme unless the user picked one (kept in localStorage).
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'openclaw.controlUi.theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark') return v;
  } catch {
    // storage disabled
  }
  return 'system';
}

/** Sets data-theme on <html> (absent = follow the system) and remembers the choice. */
export function applyTheme(choice: ThemeChoice, persist = true): void {
  if (choice === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', choice);
  if (!persist) return;
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage disabled: the choice lasts for this page
  }
}

/** The theme actually shown (resolves 'system'). */
export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
