/**
 * An image config's environment, as the inventory sees it: Lambda starts the runtime with the
 * image's `Env`, so a variable there that makes the runtime load code (`NODE_OPTIONS=--require
 * /usr/share/doc/x.js`, `JAVA_TOOL_OPTIONS=-javaagent:…`, `AWS_LAMBDA_EXEC_WRAPPER`, another
 * module search path) runs files no cataloger attributes to a package.
 */
import type { Finding } from '../model/finding.js';
import { loaderReason } from '../model/function-environment.js';
import { LOADED_BY_LOADER } from './binary/preload.js';

/**
 * Loader variables whose effect the catalogers already cover: every executable and every file
 * named like a library is read wherever it is (so `PATH` and `LD_LIBRARY_PATH` find nothing
 * unread), and the objects `LD_PRELOAD` and `LD_AUDIT` name are read whatever their name or mode.
 */
const COVERED: ReadonlySet<string> = new Set(['PATH', 'LD_LIBRARY_PATH', ...LOADED_BY_LOADER]);

/**
 * One `ENV_LOADER` error per variable of `env` (`NAME=value` strings, as the image config lists
 * them) that makes the runtime load code the inventory does not attribute. The finding's path is
 * the variable's name, so a policy allows a variable by name (`paths: [JAVA_TOOL_OPTIONS]`).
 */
export function configEnvFindings(env: readonly string[] | undefined): Finding[] {
  const out: Finding[] = [];
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    // Docker writes `NAME=value`; a bare name sets nothing.
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    const why = loaderReason(name);
    if (why === undefined || COVERED.has(name)) continue;
    out.push({
      code: 'ENV_LOADER',
      severity: 'error',
      path: name,
      message: `the image config sets ${name}=${JSON.stringify(entry.slice(eq + 1))} (${why}): the runtime loads code no package accounts for`,
    });
  }
  return out;
}
