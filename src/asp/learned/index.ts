export { SrSte, type SrSteOptions } from './sr_ste.js';
