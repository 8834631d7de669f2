// A readable name for this browser ("Chrome on macOS"), proposed at pairing so the Devices view
// does not list "unnamed" rows. The user can change it in Settings; it is kept in localStorage.

const BROWSERS: [RegExp, string][] = [
  [/Edg(A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Chromium\//, 'Chromium'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPod/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Firefox on Windows", "Safari on iPhone"; "Browser" for what it cannot tell. */
export function deviceNameFromUserAgent(ua: string): string {
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1] ?? 'Browser';
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  return os ? `${browser} on ${os}` : browser;
}

const KEY = 'openclaw.controlUi.deviceName';

export function storedDeviceName(): string {
  try {
    const v = localStorage.getItem(KEY);
    if (v && v.trim()) return v.trim();
  } catch {
    // storage disabled: fall through to the guess
  }
  return deviceNameFromUserAgent(navigator.userAgent);
}

export function setStoredDeviceName(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(KEY, name.trim().slice(0, 256));
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled: the name lasts for this page
  }
}
