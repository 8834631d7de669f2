// The one-line fixes the WhatsApp adapter, status and doctor show (no imports: the doctor and the CLI read them too).

const accountFlag = (id: string) => (id === 'default' ? '' : ` --account ${id}`);

/** No linked session yet: scan the QR. */
export const loginFix = (accountId: string) => `openclaw channels login --channel whatsapp${accountFlag(accountId)}`;
/** The phone logged this device out (401) or WhatsApp refused the session: move it aside and link again. */
export const relinkFix = (accountId: string) => `openclaw channels logout --channel whatsapp${accountFlag(accountId)} --yes, then ${loginFix(accountId)}`;
/** A send found no open socket for the account (`No active WhatsApp Web listener`). */
export const PROBE_FIX = 'openclaw channels status --probe --channel whatsapp';
/** A connection that keeps dropping: the network path to WhatsApp Web (login uses the same words). */
export const NETWORK_FIX = 'check network access to web.whatsapp.com (proxy: HTTPS_PROXY), then openclaw channels status --probe --channel whatsapp';
