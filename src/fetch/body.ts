/**
 * Response bodies read into memory, never more than a bound: a server (or whatever a redirect
 * leads to) decides how much it sends.
 */

/** Read a response body, refusing more than `max` bytes. */
export async function boundedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max)
    throw new Error(`body of ${declared} bytes exceeds ${max}`);
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let total = 0;
  // Node's web ReadableStream is async-iterable; stop as soon as the bound is passed.
  for await (const value of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += value.byteLength;
    if (total > max) throw new Error(`body exceeds ${max} bytes`);
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The first `max` bytes of a response body as text, the rest not read (the stream is cancelled):
 * enough of an error response to say what went wrong. Never throws: a body that fails to read
 * gives what was read.
 */
export async function textPrefix(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      total += value.byteLength;
    }
  } catch {
    // What was read is what there is.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
