export { createIMessageAdapter } from './adapter.js';
