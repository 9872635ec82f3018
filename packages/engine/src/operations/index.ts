/**
 * Operations: health probes, Prometheus metrics, for the web app and the worker. A separate
 * entry (`@tidewater/engine/operations`) so the console's pages and routes never load
 * prom-client; only the processes' HTTP edges do.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export {
  answerOperations,
  OPERATIONS_PATHS,
  startOperationsServer,
  type OperationsEndpoints,
} from './http';
export { checkReadiness, type DependencyCheck, type Readiness } from './readiness';
export { createTaskMetrics } from './task-metrics';
export { registerQueueMetrics } from './queue-metrics';
export { registerFleetMetrics } from './fleet-metrics';

/** A registry with the process's own figures (CPU, memory, event loop lag, GC, handles). */
export function createMetricsRegistry(service: 'web' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
