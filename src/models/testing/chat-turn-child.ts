// Child process for the kill -9 durability test: runs one chat.send turn against the config in
// OPENCLAW_CONFIG_PATH and prints every chat event as a JSON line, so the parent can kill it
// mid-stream at a known point.
import { createModelRuntime } from '../runtime.js';
import { makeTestServices } from './services.js';

const stateDir = process.env.OPENCLAW_STATE_DIR!;
const configPath = process.env.OPENCLAW_CONFIG_PATH!;
const services = makeTestServices({ stateDir, configPath });
services.broadcast = (event, payload) => {
  if (event === 'chat') process.stdout.write(JSON.stringify(payload) + '\n');
};
const runtime = createModelRuntime({ services, env: {} });
const ack = await runtime.chat.send({ sessionKey: process.env.SESSION_KEY!, message: process.env.MESSAGE! });
process.stdout.write(JSON.stringify({ ack }) + '\n');
await runtime.chat.wait(ack.runId);
await runtime.close();
