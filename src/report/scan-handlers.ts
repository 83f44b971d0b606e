/** The zip functions of a scan whose Handler the reports show (shared by text, Markdown, HTML). */
import { handlerTarget, needsAllowance } from '../model/function-handler.js';
import type { ScanFunction } from '../scan/result.js';
import { handlerText } from './words.js';

/** A function whose Handler `function:handler` fails unless the policy lists it. */
export interface ReviewedHandler {
  function: ScanFunction;
  /** The Handler as reports show it (JSON-quoted, or `(none returned)`). */
  handler: string;
  /** What the runtime loads for it, in words. */
  loads: string;
}

/**
 * The functions whose recorded Handler makes the runtime load code outside the function's own,
 * or whose runtime lamina cannot read a Handler for: those `function:handler` fails unless
 * `handler.allow` lists the Handler. Every other Handler (`index.handler`) is in scan.json only:
 * listing thousands of them would hide these.
 */
export function handlersToReview(functions: readonly ScanFunction[]): ReviewedHandler[] {
  return functions.flatMap((f) => {
    // Absent: an image function, or a scan that did not record Handlers.
    if (f.handler === undefined || f.packageType === 'Image') return [];
    const target = handlerTarget({
      packageType: f.packageType,
      runtime: f.runtime ?? undefined,
      handler: f.handler ?? undefined,
    });
    if (!needsAllowance(target.kind)) return [];
    return [{ function: f, handler: handlerText(f.handler), loads: target.loads }];
  });
}
