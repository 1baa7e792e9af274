import type { Services } from '../../services';
import type { Handlers } from '../types';

export function dockerHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'docker.engine'
  | 'docker.setEngine'
  | 'docker.images'
  | 'docker.inspect'
  | 'docker.pull'
  | 'docker.tag'
  | 'docker.push'
  | 'docker.remove'
> {
  const { docker } = services;
  return {
    'docker.engine': (_input, ctx) => docker.engine(ctx.signal),
    'docker.setEngine': (input, ctx) =>
      docker.setEngine(input.host, { allowInsecureRemote: input.allowInsecureRemote === true }, ctx.signal),
    'docker.images': (_input, ctx) => docker.images(ctx.signal),
    'docker.inspect': (input, ctx) => docker.inspect(input.reference, ctx.signal),
    'docker.pull': (input, ctx) => docker.pull(input.reference, { signal: ctx.signal, onProgress: ctx.report }),
    'docker.push': (input, ctx) => docker.push(input.reference, { signal: ctx.signal, onProgress: ctx.report }),
    'docker.tag': (input, ctx) => docker.tag(input.source, input.target, ctx.signal),
    'docker.remove': (input, ctx) => docker.remove(input.reference, input.force, ctx.signal),
  };
}
