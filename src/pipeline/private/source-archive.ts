import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Packs the regular files directly in `directory` (sorted, no timestamps, owner 0, mode 0644) into a
 * gzip-compressed ustar archive, without Docker or a `tar` binary. The bytes depend only on the file
 * names and contents, so the asset hash is stable across machines and runs.
 *
 * @returns the path of `sourcedir.tar.gz` in a cache directory keyed by the content hash
 */
export function packSourceDirectory(directory: string, include: (name: string) => boolean): string {
  const names = fs.readdirSync(directory)
    .filter((name) => include(name) && fs.statSync(path.join(directory, name)).isFile())
    .sort();
  if (names.length === 0) {
    throw new Error(`no files to pack in ${directory}`);
  }
  const blocks: Buffer[] = [];
  for (const name of names) {
    const content = fs.readFileSync(path.join(directory, name));
    blocks.push(header(name, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const archive = zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
  // The gzip header's OS byte differs between platforms; fix it to 255 ("unknown") for identical bytes everywhere.
  archive[9] = 255;
  const hash = crypto.createHash('sha256').update(archive).digest('hex').slice(0, 16);
  const out = path.join(os.tmpdir(), `trainyard-sourcedir-${hash}`);
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'sourcedir.tar.gz');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, archive);
  }
  return file;
}

function header(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) {
    throw new Error(`file name too long for the archive: ${name}`);
  }
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 8, 'ascii');
  block.write('0000000\0', 108, 8, 'ascii');
  block.write('0000000\0', 116, 8, 'ascii');
  block.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  block.write('00000000000\0', 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii');
  block.write('0', 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of block) {
    sum += byte;
  }
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return block;
}
