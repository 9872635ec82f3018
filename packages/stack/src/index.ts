export {
  describeEndpoint,
  isServiceName,
  managedServiceNames,
  readStackEndpoints,
  serviceNames,
  stackEndpoints,
} from './endpoints';
export type { ServiceName, StackEndpoints } from './endpoints';
export { seedDemoSource } from './demo-source';
export { kafkaClasspath, ensureKafkaJars } from './kafka';
export { stackDir } from './paths';
export { probeService } from './probes';
export type { ProbeResult } from './wait';
export { ensureStackUp, stackStatus, startService, stopService } from './stack';
export type { ServiceStatus } from './stack';
export { freePort } from './free-port';
