// The one-line fixes the iMessage adapter, status and doctor show (no imports: the CLI reads them too).

/** imsg never answered: almost always macOS privacy permissions of the process that launches it. */
export const PERMISSIONS_FIX =
  'grant Full Disk Access to the app that runs the gateway (System Settings → Privacy & Security → Full Disk Access) and allow it to control Messages (Automation), then: openclaw gateway restart';
/** imsg ran and then exited. */
export const RESTART_FIX = 'the gateway restarts imsg with backoff; if it keeps exiting run `imsg rpc --help` and `imsg chats --limit 1` in the same user context as the gateway (Full Disk Access, Automation → Messages), then: openclaw gateway restart';
/** No imsg at cliPath (ENOENT / EACCES). */
export const INSTALL_FIX = 'install imsg on the Messages Mac (brew install steipete/tap/imsg) or set channels.imessage.cliPath to its absolute path, then: openclaw gateway restart';
