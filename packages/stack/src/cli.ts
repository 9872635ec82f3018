/**
 * `npm run stack -- up|down|status [service ...]`: the local stack without Docker.
 * Exit codes: 0 all requested services up (or stopped, for `down`), 1 a service is down or
 * failed to start, 2 usage error.
 */
import { isTidewaterError } from '@tidewater/errors';

import { isServiceName, managedServiceNames, serviceNames } from './endpoints';
import type { ServiceName } from './endpoints';
import { seedDemoSource } from './demo-source';
import { ensureStackUp, stackStatus, stopService } from './stack';
import type { ServiceStatus } from './stack';

const usage = `Usage: npm run stack -- <up|down|status> [service ...]
Services: ${serviceNames.join(', ')} (down: ${managedServiceNames.join(', ')})`;

function printStatus(statuses: ServiceStatus[]): void {
  const width = Math.max(...statuses.map((status) => status.name.length));
  for (const status of statuses) {
    const state = status.isUp ? 'up  ' : 'down';
    console.log(`${status.name.padEnd(width)}  ${state}  ${status.endpoint}  ${status.detail}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...names] = argv;
  const unknown = names.filter((name) => !isServiceName(name));
  if (command === undefined || unknown.length > 0) {
    if (unknown.length > 0) console.error(`Unknown service: ${unknown.join(', ')}`);
    console.error(usage);
    return 2;
  }
  const services = names.filter(isServiceName);
  switch (command) {
    case 'up': {
      const started = Date.now();
      const requested: readonly ServiceName[] = services.length > 0 ? services : serviceNames;
      const statuses = await ensureStackUp(requested);
      if (requested.includes('mariadb')) await seedDemoSource();
      printStatus(statuses);
      console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return statuses.every((status) => status.isUp) ? 0 : 1;
    }
    case 'down': {
      const requested = services.length > 0 ? services : managedServiceNames;
      for (const name of requested) {
        const wasRunning = await stopService(name);
        console.log(`${name}  ${wasRunning ? 'stopped' : 'was not running'}`);
      }
      return 0;
    }
    case 'status': {
      const statuses = await stackStatus(services.length > 0 ? services : serviceNames);
      printStatus(statuses);
      return statuses.every((status) => status.isUp) ? 0 : 1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isTidewaterError(error)) {
      console.error(`${error.code}: ${error.message}\nRemedy: ${error.remedy}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
