// Browser-safe: the console imports these. The process environment is in
// `@tidewater/config/environment` (server only).
export * from './task-config';
export * from './task-status';
export * from './precheck-status';
export * from './stored-secrets';
