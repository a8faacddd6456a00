/** snappyjs ships no types: the two functions it exports, for Buffers (Node's input gives Node's output). */
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}
