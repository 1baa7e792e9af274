/**
 * The table of contents of a tar file on disk, read by seeking from header to header: a `docker save` archive
 * of several gigabytes is mostly layer data that does not need to be read to find `manifest.json` and the
 * config. Headers are decoded by node-tar (ustar, GNU long names, PAX).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Header, Pax } from 'tar';
import { BerthError } from '../../../shared/errors';

export interface ArchiveMember {
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
}

const BLOCK = 512;
/** A `docker save` of many images still has a few thousand members; past this it is not an image archive. */
const MAX_MEMBERS = 100_000;
/** PAX and GNU long-name records hold a path or a few attributes. */
const MAX_META_BYTES = 1024 * 1024;

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
}

/** Regular files of the archive by normalised name (no `./` prefix). */
export async function readArchiveToc(path: string, label: string): Promise<Map<string, ArchiveMember>> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BerthError('not_found', `${label}: no such file.`);
    if (code === 'EISDIR')
      throw new BerthError(
        'invalid_input',
        `${label} is a directory; docker-archive: wants a file made by \`docker save\`.`,
      );
    throw new BerthError('not_found', `${label} cannot be read (${code ?? 'error'}).`);
  }
  try {
    const fileSize = (await handle.stat()).size;
    const members = new Map<string, ArchiveMember>();
    let position = 0;
    let extended: Pax | undefined;
    let global: Pax | undefined;
    let longPath: string | undefined;
    for (let count = 0; count < MAX_MEMBERS * 4; count++) {
      if (position + BLOCK > fileSize) break;
      const block = await readExactly(handle, position, BLOCK);
      const header = new Header(block, 0, extended, global);
      if (header.nullBlock) break;
      if (!header.cksumValid) {
        if (position === 0 && block[0] === 0x1f && block[1] === 0x8b) {
          throw new BerthError(
            'unsupported',
            `${label} is compressed; decompress it first (gunzip), as \`docker load\` accepts both but Berth reads archives in place.`,
          );
        }
        throw new BerthError('bad_response', `${label} is not a tar archive (bad header at byte ${position}).`);
      }
      const size = header.size ?? 0;
      const dataOffset = position + BLOCK;
      if (dataOffset + size > fileSize)
        throw new BerthError('bad_response', `${label} is truncated: a member ends past the end of the file.`);
      const readMeta = async (): Promise<string> => {
        if (size > MAX_META_BYTES)
          throw new BerthError('bad_response', `${label} has a tar metadata record of ${size} bytes; refusing it.`);
        return (await readExactly(handle, dataOffset, size)).toString('utf8');
      };
      switch (header.type) {
        case 'ExtendedHeader':
          extended = Pax.parse(await readMeta(), extended, false);
          break;
        case 'GlobalExtendedHeader':
          global = Pax.parse(await readMeta(), global, true);
          break;
        case 'NextFileHasLongPath':
          longPath = (await readMeta()).replace(/\0+$/, '');
          break;
        case 'NextFileHasLongLinkpath':
          // Applies to the next member; link targets do not matter here.
          break;
        default: {
          const name = (longPath ?? header.path ?? '').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
          if (
            (header.type === 'File' || header.type === 'OldFile' || header.type === 'ContiguousFile') &&
            name !== ''
          ) {
            members.set(name, { offset: dataOffset, size });
            if (members.size > MAX_MEMBERS)
              throw new BerthError(
                'too_large',
                `${label} has more than ${MAX_MEMBERS} files; it is not an image archive.`,
              );
          }
          extended = undefined;
          longPath = undefined;
        }
      }
      position = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    }
    return members;
  } finally {
    await handle.close();
  }
}

export async function readMember(path: string, member: ArchiveMember, maxBytes: number, what: string): Promise<Buffer> {
  if (member.size > maxBytes)
    throw new BerthError('too_large', `${what} is ${member.size} bytes, over the ${maxBytes}-byte limit.`);
  const handle = await open(path, 'r');
  try {
    return await readExactly(handle, member.offset, member.size);
  } finally {
    await handle.close();
  }
}
