/**
 * ELF note records (ELF-64 spec "Note Section"; Linux fs/binfmt_elf.c `writenote`; Go debug/elf and
 * cmd/link/internal/ld/elf.go for the "Go" build-id note): u32 namesz, u32 descsz, u32 type, then the
 * name (NUL included) and the desc, each padded to the note alignment (4, or 8 for p_align 8).
 */
import { FormatError } from '../../base/errors.ts';
import { u32, utf8 } from '../../base/bytes.ts';

export interface ElfNote {
  /** Owner name without the trailing NUL: "CORE", "LINUX", "GNU", "Go", "GDB". */
  readonly name: string;
  readonly type: number;
  /** A view into the note data, not a copy. */
  readonly desc: Uint8Array;
  /** File offset of the note header (for messages). */
  readonly offset: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Decode the notes in `data` (the bytes of one PT_NOTE segment or SHT_NOTE section). Complete notes
 * are yielded; a header that claims more bytes than remain throws a FormatError naming the offset.
 * A tail shorter than a note header (12 bytes) is padding and ends the list.
 */
export function* parseNotes(data: Uint8Array, fileOffset: number, align = 4): Generator<ElfNote> {
  const a = align === 8 ? 8 : 4;
  let off = 0;
  while (off + 12 <= data.length) {
    const namesz = u32(data, off);
    const descsz = u32(data, off + 4);
    const type = u32(data, off + 8);
    const nameStart = off + 12;
    const descStart = alignUp(nameStart + namesz, a);
    const descEnd = descStart + descsz;
    if (descEnd > data.length) {
      throw new FormatError(
        'elf note',
        `note claims namesz ${namesz} descsz ${descsz} but only ${data.length - off} bytes remain`,
        fileOffset + off,
      );
    }
    let nameEnd = nameStart + namesz;
    while (nameEnd > nameStart && data[nameEnd - 1] === 0) nameEnd--;
    yield {
      name: utf8(data.subarray(nameStart, nameEnd)),
      type,
      desc: data.subarray(descStart, descEnd),
      offset: fileOffset + off,
    };
    const next = alignUp(descEnd, a);
    if (next <= off) break; // cannot happen (header is 12 bytes), but never loop in place
    off = next;
  }
}
