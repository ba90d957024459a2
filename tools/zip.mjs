// A small, deterministic zip writer (deflate, fixed timestamps), so packaging needs no system `zip` and the
// same inputs always give the same archive.
import { deflateRawSync, crc32 } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (2026 - 1980) << 9 | 1 << 5 | 1; // 2026-01-01

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Zips every file below `dir` into `zipPath`, with paths relative to `dir`. Returns the archive's size. */
export function zipDirectory(dir, zipPath) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const file of listFiles(dir)) {
    const name = Buffer.from(relative(dir, file).split(sep).join('/'));
    const data = readFileSync(file);
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data) >>> 0;
    const header = (signature, extra) => {
      const fixed = Buffer.alloc(signature === 0x04034b50 ? 30 : 46);
      let at = 0;
      const u32 = (v) => { fixed.writeUInt32LE(v >>> 0, at); at += 4; };
      const u16 = (v) => { fixed.writeUInt16LE(v, at); at += 2; };
      u32(signature);
      if (signature === 0x02014b50) u16(20); // version made by
      u16(20); u16(0); u16(8); u16(DOS_TIME); u16(DOS_DATE);
      u32(crc); u32(packed.length); u32(data.length); u16(name.length); u16(0);
      if (signature === 0x02014b50) { u16(0); u16(0); u16(0); u32(0o644 << 16); u32(extra); }
      return fixed;
    };
    const local = Buffer.concat([header(0x04034b50), name, packed]);
    centrals.push(Buffer.concat([header(0x02014b50, offset), name]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(zipPath, Buffer.concat([...locals, central, end]));
  return statSync(zipPath).size;
}
