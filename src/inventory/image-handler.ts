/**
 * The Handler an image's command passes to a Lambda runtime interface client, read as that
 * client reads it (src/model/function-handler.ts). An AWS base image starts
 * `/lambda-entrypoint.sh`, which exports its one argument as `_HANDLER` for the runtime's
 * bootstrap; an image of its own starts a client with the Handler as its argument. So
 * `CMD ["/usr/share/doc/x.handler"]` makes the Node.js runtime load `/usr/share/doc/x.js`, a file
 * the inventory reads as documentation, and `CMD ["child_process.execSync"]` runs each event as
 * a shell command, as the same Handler of a zip function would.
 */
import { posix } from 'node:path';
import type { Finding } from '../model/finding.js';
import { runtimeHandlerTarget, type HandlerRuntime } from '../model/function-handler.js';
import { asWalked } from './binary/preload.js';

/** A start that hands a Handler to a runtime interface client: the Handler and who reads it. */
interface HandlerStart {
  handler: string;
  /** The runtimes that may read it (an AWS base image's is not named in its config). */
  runtimes: readonly HandlerRuntime[];
  /** The directory it resolves a module root against (absolute). */
  root: string;
  /** What sets it when not the start's words: the image config's `Env`. */
  setBy?: string;
}

/** The base images' entry point, whatever their runtime. */
const BASE_ENTRYPOINT = '/lambda-entrypoint.sh';

/** Runtime interface clients started by name, and the word after which the Handler comes. */
const CLIENTS: readonly { runtime: HandlerRuntime; word: RegExp; cwd: boolean }[] = [
  // `npx aws-lambda-ric HANDLER`, `npx aws-lambda-ric@3 HANDLER`, `node …/aws-lambda-ric
  // HANDLER`, its bin script by path: resolved from the cwd.
  {
    runtime: 'nodejs',
    word: /^(?:.*\/)?aws-lambda-ric(?:@[^/]*)?(?:\/bin\/[^/]+)?$/,
    cwd: true,
  },
  // `python3 -m awslambdaric HANDLER`, `-mawslambdaric`, its `__main__` named itself.
  { runtime: 'python', word: /^(?:-m)?awslambdaric(?:\.__main__)?$/, cwd: false },
  // The Ruby client's executable: `aws_lambda_ric HANDLER`.
  { runtime: 'ruby', word: /^(?:.*\/)?aws_lambda_ric$/, cwd: false },
  // `java -cp … com.amazonaws.services.lambda.runtime.api.client.AWSLambda HANDLER`.
  {
    runtime: 'java',
    word: /^com\.amazonaws\.services\.lambda\.runtime\.api\.client\.AWSLambda$/,
    cwd: false,
  },
];

/**
 * The Handler `run` (an entry point and command, as they start the image) passes to a runtime
 * interface client, or undefined when it starts none lamina knows. `taskRoot` is the function's
 * directory (absolute), `workingDir` the directory it starts in. Failing those, a `_HANDLER` the
 * start assigns (`env _HANDLER=… /var/runtime/bootstrap`) or the image config's `env` sets: a
 * base image's runtime reads the Handler from it, whoever starts that runtime (Lambda sets none
 * for a container image function).
 */
export function imageHandlerStart(
  run: { entrypoint?: readonly string[] | undefined; cmd?: readonly string[] | undefined },
  taskRoot: string,
  workingDir: string | undefined,
  env: readonly string[] = [],
  realPath: (path: string) => string | undefined = () => undefined
): HandlerStart | undefined {
  const args = [...(run.entrypoint ?? []), ...(run.cmd ?? [])];
  // The kernel opens `//lambda-entrypoint.sh` and `./lambda-entrypoint.sh` (from /) as the same
  // script, and a link to it (`realPath`, as the image's links lead) too; `env` or `sh` runs it
  // with the next word as its argument.
  const base = args.findIndex(
    (a) =>
      a.includes('/') &&
      asWalked(a, workingDir ?? '/').some(
        (p) => posix.normalize(p) === BASE_ENTRYPOINT || realPath(p) === BASE_ENTRYPOINT
      )
  );
  const given = base < 0 ? undefined : args[base + 1];
  if (given !== undefined)
    return { handler: given, runtimes: ['nodejs', 'python', 'ruby', 'java'], root: taskRoot };
  for (const c of CLIENTS) {
    const at = args.findIndex((a) => c.word.test(a));
    const handler = at < 0 ? undefined : args[at + 1];
    if (handler !== undefined)
      return {
        handler,
        runtimes: [c.runtime],
        root: c.cwd ? posix.resolve('/', workingDir ?? '/') : taskRoot,
      };
  }
  // An assignment in the start (env makes them in order, the last counting) wins over `Env`'s.
  const assigns = (a: string): boolean => a.startsWith(`${HANDLER_VARIABLE}=`);
  const set = args.filter(assigns).at(-1) ?? env.filter(assigns).at(-1);
  if (set !== undefined)
    return {
      handler: set.slice(HANDLER_VARIABLE.length + 1),
      runtimes: ['nodejs', 'python', 'ruby', 'java'],
      root: taskRoot,
      ...(args.some(assigns) ? {} : { setBy: `the image config's Env (${HANDLER_VARIABLE})` }),
    };
  return undefined;
}

/** The variable a base image's runtime reads its Handler from. */
const HANDLER_VARIABLE = '_HANDLER';

const NAMES: Readonly<Record<HandlerRuntime, string>> = {
  nodejs: 'Node.js',
  python: 'Python',
  ruby: 'Ruby',
  java: 'Java',
};

/**
 * An `ENV_LOADER` error when the Handler `run` passes to a runtime interface client makes it
 * load code from outside the function's directory that no package or import accounts for (see
 * runtimeHandlerTarget); for a base image, whose runtime the config does not name, when any of
 * the runtimes would. The finding's path is the Handler, so a policy allows it by value.
 */
export function imageHandlerFindings(
  run: { entrypoint?: readonly string[] | undefined; cmd?: readonly string[] | undefined },
  taskRoot: string,
  workingDir: string | undefined,
  source: string,
  env: readonly string[] = [],
  realPath?: (path: string) => string | undefined
): Finding[] {
  const start = imageHandlerStart(run, taskRoot, workingDir, env, realPath);
  if (!start) return [];
  const outside = start.runtimes
    .map((r) => ({ r, t: runtimeHandlerTarget(r, start.handler, start.root) }))
    .filter(({ t }) => t.kind === 'outside');
  if (outside.length === 0) return [];
  const loads = outside.map(({ r, t }) => `${NAMES[r]} loads ${t.loads}`).join('; ');
  return [
    {
      code: 'ENV_LOADER',
      severity: 'error',
      path: start.handler,
      message: `${start.setBy ?? source} passes the Handler ${JSON.stringify(start.handler)} to the runtime (${loads}): the runtime loads code no package accounts for`,
    },
  ];
}
