export { createDatabase, type Database } from './client';
export {
  guardDatabase,
  isDatabaseUnavailable,
  translateDatabaseError,
  withDatabaseErrors,
} from './database-errors';
export { migrateDatabase, type MigrationResult } from './migrate';
export { createSecretBox, isSealedSecret, loadSecretKey, type SecretBox } from './secrets';
export {
  createTaskRepository,
  isUuid,
  type PublicTaskConfig,
  type TaskEventLevel,
  type TaskEventView,
  type TaskRepository,
  type TaskView,
} from './tasks';
export {
  listHeartbeats,
  recordHeartbeat,
  removeHeartbeat,
  type WorkerHeartbeatView,
} from './heartbeats';
export {
  createRunRepository,
  leaseLost,
  type AlertView,
  type CheckpointState,
  type MetricSampleView,
  type PrecheckItemView,
  type RunRepository,
  type TableProgressView,
} from './task-runs';
/** Declared once in @tidewater/config; the precheck item views carry it. */
export type { PrecheckStatus } from '@tidewater/config';
export {
  ADMIN_USERNAME,
  API_TOKEN_DAYS,
  createOperatorRepository,
  ensureAdminOperator,
  hashPassword,
  isOutdatedPasswordHash,
  MIN_PASSWORD_LENGTH,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  verifyPassword,
  type AdminOperatorResult,
  type ApiTokenCheck,
  type ApiTokenView,
  type OperatorRepository,
  type OperatorView,
  type SignedInSession,
} from './operators';
export {
  clientAddressKey,
  createSignInThrottle,
  lockDurationMs,
  SIGN_IN_POLICY,
  signInThrottleKeys,
  type SignInReservation,
  type SignInThrottle,
  type SignInThrottleKeys,
} from './sign-in-throttle';
