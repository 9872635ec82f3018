/**
 * Copies a message value out of the encoder's scratch buffer (the bytes there are valid only
 * until the next encode); by default into a new Buffer. A caller that knows when its messages
 * are done with can hand out space it reuses instead (the engine's `ValueArena`).
 */
export type CopyValue = (bytes: Uint8Array) => Buffer;

export const copyToNewBuffer: CopyValue = (bytes) => Buffer.from(bytes);
