/** Our own property namespace; `cdx:` is reserved for the official taxonomy. */
export const NS = 'lamina';
