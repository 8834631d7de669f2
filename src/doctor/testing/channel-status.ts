// Test helper for the channel-* checks: an in-process control plane named by the state dir's pid
// file (as a real gateway is) whose `channels.status` answers what the test says, so a check sees
// exactly the live facts a running gateway would report.
import fs from 'node:fs';
import JSON5 from 'json5';
import type { ChannelAccountSnapshot, ChannelId, ChannelsStatusPayload, ChannelStatusIssue } from '../../channels/types.js';
import { statePaths } from '../../config/paths.js';
import type { OpenClawConfig } from '../../config/schema.js';
import { startTestGateway, type TestGateway } from '../../gateway/control-plane/test-support.js';
import { pidRecordFor, writePidFile } from '../../gateway/pidfile.js';
import type { StateDir } from '../../testing/harness.js';

export interface ChannelAnswer {
  accounts: ChannelAccountSnapshot[];
  issues?: ChannelStatusIssue[];
}

/** A stub gateway whose channels.status reports `answer()` for `channel` (asked anew on every call). */
export async function stubChannelGateway(s: StateDir, channel: ChannelId, answer: () => ChannelAccountSnapshot[] | ChannelAnswer): Promise<TestGateway> {
  const gw = await startTestGateway({
    state: s,
    config: JSON5.parse(fs.readFileSync(s.configPath, 'utf8')) as OpenClawConfig,
    extraMethods: [{
      name: 'channels.status',
      scope: 'operator.read',
      handler: (): ChannelsStatusPayload => {
        const a = answer();
        const { accounts, issues = [] } = Array.isArray(a) ? { accounts: a } : a;
        return { ts: Date.now(), channelOrder: [channel], channelLabels: { [channel]: channel }, channels: {}, channelAccounts: { [channel]: accounts }, channelDefaultAccountId: { [channel]: 'default' }, statusIssues: issues };
      },
    }],
  });
  writePidFile(statePaths(s.env).pidFile, pidRecordFor({ host: '127.0.0.1', port: gw.port, configPath: s.configPath, version: 'test', startedAt: Date.now() }));
  return gw;
}
