"""Reads a PNG with the standard library only (zlib) and says whether it is blank.

Prints "<colours> colours, <percent>% differ from the background" and exits 0 when the image has more than one colour
and at least 1% of its pixels differ from the most common one (the background); exits 1 otherwise, 2 when unreadable.
"""
import struct
import sys
import zlib
from collections import Counter

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def read_pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace != 0 or colour not in CHANNELS:
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = CHANNELS[colour]
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return [row[x:x + bpp] for row in rows for x in range(0, stride, bpp)]


def main():
    try:
        pixels = read_pixels(sys.argv[1])
    except Exception as error:  # noqa: BLE001 - any failure to read means "not a usable screenshot"
        print(f"unreadable: {error}")
        return 2
    counts = Counter(pixels)
    background, most = counts.most_common(1)[0]
    drawn = 100.0 * (len(pixels) - most) / len(pixels)
    print(f"{len(counts)} colours, {drawn:.1f}% differ from the background")
    return 0 if len(counts) > 1 and drawn >= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
