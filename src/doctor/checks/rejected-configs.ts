// Edits the gateway refused are kept as <config>.rejected.*: the user's change silently did not apply.
import { ConfigStore } from '../../config/store.js';
import { type Check, ok, warn } from '../types.js';

export const rejectedConfigs: Check = {
  id: 'rejected-configs',
  title: 'No rejected config edits waiting',
  async run(ctx) {
    const files = new ConfigStore(ctx.config.path).listRejected();
    if (files.length === 0) return ok('No rejected config edits.');
    const newest = files[files.length - 1];
    return warn(
      `${files.length} config edit${files.length === 1 ? ' was' : 's were'} rejected and not applied (newest: ${newest}).`,
      `diff ${ctx.config.path} ${newest}  # re-apply what you meant with openclaw config set <key> <value>, then: rm ${ctx.config.path}.rejected.*`,
    );
  },
};
