export { createWhatsAppAdapter } from './adapter.js';
