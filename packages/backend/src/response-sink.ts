/**
 * Where a relayed response goes (the client's socket, possibly through compression). `write`
 * returning false asks the backend side to stop reading until `onDrain` calls back: that is how a
 * slow client slows its backend connection and keeps memory bounded.
 */
export interface ResponseSink {
  write(bytes: Buffer): boolean;
  /** True while bytes given to `write` may still be read from (queued, not yet with the kernel): the caller must not reuse their memory. */
  holdsWrittenBytes(): boolean;
  onDrain(resume: () => void): void;
  /** The backend asked for a LOCAL INFILE file; the sink's owner sends the client's file with `sendLocalInfileData`. */
  onLocalInfileRequest?(): void;
}
