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
  const fd = openSync(tmp, "w");
  try {
    writeChunks(fd, chunks);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function writeChunks(fd: number, chunks: readonly Uint8Array[]): void {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const stage = Buffer.allocUnsafe(Math.min(1 << 20, total));
  let used = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    if (used + c.byteLength > stage.length) {
      writeAll(fd, stage.subarray(0, used));
      used = 0;
    }
    if (c.byteLength >= stage.length) writeAll(fd, c);
    else {
      stage.set(c, used);
      used += c.byteLength;
    }
  }
  writeAll(fd, stage.subarray(0, used));
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
}
