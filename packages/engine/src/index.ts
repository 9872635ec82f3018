export { createEngineContext, type EngineContext } from './context';
export { createTaskQueues, createRedisConnection, QUEUE_NAMES, type PrecheckJob } from './queues';
export { createTask, getTask, listTasks } from './task-service';
export { runPrecheckJob } from './worker-jobs';
export { checkSystemHealth, type ServiceHealth } from './system-health';
export { invalidInput, type FieldProblem } from './validation';
