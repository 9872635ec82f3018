export { createEngineContext, type EngineContext } from './context';
export {
  createTaskQueues,
  createRedisConnection,
  enqueuePrecheck,
  enqueueRun,
  isLiveJobState,
  LEASE,
  QUEUE_NAMES,
  type PrecheckJob,
  runJobId,
  type RunJob,
  watchRedis,
} from './queues';
export {
  createTask,
  getPrecheck,
  getTask,
  getTaskDetails,
  ignorePrecheckItem,
  listTasks,
  pauseTask,
  precheckReport,
  releaseTask,
  restartTask,
  resumeTask,
  runPrecheck,
  startTask,
  stopTask,
  updateTask,
  type Actor,
  type PrecheckReport,
  type TaskDetails,
  type TaskSummary,
} from './task-service';
export { operatorActions, nextStatus, type TaskAction } from './task-state';
export {
  probeDestination,
  probeSource,
  testDestinationConnectivity,
  testSourceConnectivity,
  testStoredDestinationConnectivity,
  testStoredSourceConnectivity,
  type DestinationConnectivity,
  type SourceConnectivity,
} from './connectivity';
export {
  listSourceObjects,
  validateFilter,
  type FilterCheck,
  type SourceObjectTree,
} from './source-objects';
export { subscribeControl, type ControlMessage } from './control';
export { DEFAULT_PRECHECK_TUNING, runPrecheckJob, type PrecheckTuning } from './precheck-job';
export { isRunWantedAgain, queueRunIfRunning, runTaskJob, type RunJobOptions } from './run-job';
export type { AlertDeliveryTuning } from './alert-delivery';
export { reconcileRuns, type ReconcileOptions } from './reconciler';
export { checkSystemHealth, type ServiceHealth } from './system-health';
export { invalidInput, type FieldProblem } from './validation';
export { createLogger, LOG_LEVELS, maskUrlPasswords, type Logger, type LogLevel } from './log';
export { ignoreTelemetry, type TaskTelemetry } from './task-telemetry';
