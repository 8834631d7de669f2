// Entry: take credentials out of the address bar first, then render and connect.
import { render } from 'preact';
import { App } from './app.js';
import { createSession } from './gateway/session.js';
import { applyTheme, storedTheme } from './lib/theme.js';

applyTheme(storedTheme(), false);
const session = createSession();
render(<App session={session} />, document.getElementById('app')!);
session.client.start();
