declare module 'snappyjs' {
  /** Snappy block format (not the framed/stream format). */
  const SnappyJS: {
    compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
    /** Throws on a corrupt stream, or when the declared length exceeds `maxLength`. */
    uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  };
  export default SnappyJS;
}
