import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/**
 * Writes bytes to `path` atomically: to `path.tmp`, fsync, then rename, so an interrupted run
 * never leaves a half-written file under the real name.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  writeChunksAtomic(path, [typeof bytes === "string" ? Buffer.from(bytes) : bytes]);
}

/**
 * Writes chunks to `path` atomically, like {@link writeFileAtomic}, through the temporary file
 * `tmp`. The chunks (views of the column buffers) go to the file as they are, small ones gathered
 * into 1 MiB writes: a 240 MB nodes.arrow needs no second copy of itself in memory.
 */
export function writeChunksAtomic(path: string, chunks: readonly Uint8Array[], tmp = `${path}.tmp`): void {
  writeStreamAtomic(
    path,
    (write) => {
      for (const c of chunks) write(c);
    },
    tmp,
  );
}

/**
 * Writes to `path` atomically, like {@link writeFileAtomic}, the chunks `produce` passes to
 * `write`, in order. Contract: `write` is done with a chunk when it returns (it copies small
 * ones into its 1 MiB staging buffer and writes larger ones out), so a producer may let each
 * chunk go, or reuse its memory, right after.
 */
export function writeStreamAtomic(
  path: string,
  produce: (write: (chunk: Uint8Array) => void) => void,
  tmp = `${path}.tmp`,
): void {
  const fd = openSync(tmp, "w");
  try {
    const stage = Buffer.allocUnsafe(1 << 20);
    let used = 0;
    produce((c) => {
      if (used + c.byteLength > stage.length) {
        writeAll(fd, stage.subarray(0, used));
        used = 0;
      }
      if (c.byteLength >= stage.length) writeAll(fd, c);
      else {
        stage.set(c, used);
        used += c.byteLength;
      }
    });
    writeAll(fd, stage.subarray(0, used));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
}
