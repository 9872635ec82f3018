import { TidewaterError } from '@tidewater/errors';
import {
  pauseTask,
  releaseTask,
  restartTask,
  resumeTask,
  startTask,
  stopTask,
} from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';
import { signedIn } from '@/lib/auth';

export const dynamic = 'force-dynamic';

/**
 * POST /api/tasks/:id/{start|pause|resume|stop|restart|release}.
 * start takes { instanceClass, acceptTerms: true } (the caller is recorded as accepting the
 * terms); restart takes { fromScratch?: boolean }.
 */
export const POST = apiRoute(async ({ engine, params, principal, optionalJson }) => {
  const id = params.id ?? '';
  const body = await optionalJson();
  switch (params.action) {
    case 'start':
      return { task: await startTask(engine, id, body, signedIn(principal).operator) };
    case 'pause':
      return { task: await pauseTask(engine, id) };
    case 'resume':
      return { task: await resumeTask(engine, id) };
    case 'stop':
      return { task: await stopTask(engine, id) };
    case 'restart':
      return { task: await restartTask(engine, id, body) };
    case 'release':
      return { task: await releaseTask(engine, id) };
    default:
      throw new TidewaterError('NOT_FOUND', `There is no task action "${params.action}".`, {
        category: 'not_found',
        remedy: 'Use one of start, pause, resume, stop, restart, release.',
      });
  }
});
