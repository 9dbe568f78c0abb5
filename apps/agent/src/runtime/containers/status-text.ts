import { type ContainerState, humanDuration } from '@stevedore/shared';
import { healthSuffix } from '../health/health-state.js';

/** The STATUS column of `docker ps`. */
export function statusText(state: ContainerState, now = Date.now()): string {
  const since = (time: string) => humanDuration(Math.max(0, now - Date.parse(time)));
  switch (state.Status) {
    case 'running':
      return `Up ${since(state.StartedAt)}${healthSuffix(state.Health)}`;
    case 'paused':
      return `Up ${since(state.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${state.ExitCode}) ${since(state.FinishedAt)} ago`;
    case 'exited':
      return `Exited (${state.ExitCode}) ${since(state.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}
