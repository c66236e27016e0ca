using System.Buffers.Binary;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Files;

/// <summary>Width and height as the image's header declares them (wide enough for any declared value).</summary>
public readonly record struct ImageSize(long Width, long Height);

/// <summary>
/// Reads the real dimensions from an image's header without decoding a pixel: PNG's IHDR chunk, JPEG's
/// frame header (SOFn, found by walking the markers before it), WebP's VP8 / VP8L / VP8X header. A header
/// cut short or malformed reads as null. Only the header is read: a file truncated after it still passes.
/// </summary>
public static class ImageHeader
{
    public const string Damaged = "图片已损坏或不完整，请重新拍摄后上传。";

    /// <summary>The declared size, or null when the header of <paramref name="contentType"/> cannot be read in full.</summary>
    public static ImageSize? Read(string contentType, ReadOnlySpan<byte> data) => contentType switch
    {
        "image/png" => Png(data),
        "image/jpeg" => Jpeg(data),
        "image/webp" => WebP(data),
        _ => null,
    };

    /// <summary>
    /// The size of an image we accept, or a validation error on <c>file</c> in Chinese (residents read it):
    /// unreadable header, a side of 0, a side above <see cref="FileUploadOptions.MaxImageSidePixels"/>, or more
    /// pixels than <see cref="FileUploadOptions.MaxImageMegapixels"/> (what decoding it would cost whoever shows it).
    /// </summary>
    public static ImageSize Check(string contentType, ReadOnlySpan<byte> data, FileUploadOptions limits)
    {
        var size = Read(contentType, data) ?? throw new DomainValidationException("file", Damaged);
        var (w, h) = (size.Width, size.Height);
        if (w == 0 || h == 0)
        {
            throw new DomainValidationException("file", $"图片尺寸无效（{w}×{h} 像素），请重新拍摄后上传。");
        }

        if (w > limits.MaxImageSidePixels || h > limits.MaxImageSidePixels)
        {
            throw new DomainValidationException("file", $"图片太大（{w}×{h} 像素）：宽和高都不能超过 {limits.MaxImageSidePixels} 像素，请缩小后再上传。");
        }

        if (w * h > limits.MaxImageMegapixels * 1_000_000L)
        {
            throw new DomainValidationException("file", $"图片像素太多（{w}×{h} 像素）：最多 {limits.MaxImageMegapixels} 百万像素，请缩小后再上传。");
        }

        return size;
    }

    private static ImageSize? Png(ReadOnlySpan<byte> d)
    {
        // Signature (8 bytes), then the first chunk must be IHDR: length 13, type, width, height, five more
        // bytes, CRC over type and data. A wrong CRC means the dimensions themselves may be damaged.
        const int ihdrEnd = 8 + 4 + 4 + 13 + 4;
        if (d.Length < ihdrEnd || BinaryPrimitives.ReadUInt32BigEndian(d[8..]) != 13 || !d[12..16].SequenceEqual("IHDR"u8)
            || Crc32(d[12..29]) != BinaryPrimitives.ReadUInt32BigEndian(d[29..]))
        {
            return null;
        }

        return new ImageSize(BinaryPrimitives.ReadUInt32BigEndian(d[16..]), BinaryPrimitives.ReadUInt32BigEndian(d[20..]));
    }

    private static ImageSize? Jpeg(ReadOnlySpan<byte> d)
    {
        // After SOI: segments, each 0xFF (fill 0xFFs allowed), a marker and (for most) a big-endian length that
        // counts itself. The frame header (SOF0–SOF15 except DHT C4, JPG C8, DAC CC) comes before any scan.
        var i = 2;
        while (true)
        {
            if (i >= d.Length || d[i] != 0xFF)
            {
                return null;
            }

            while (i < d.Length && d[i] == 0xFF)
            {
                i++;
            }

            if (i >= d.Length)
            {
                return null;
            }

            var marker = d[i++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // TEM, RSTn: no length
            }

            if (marker is 0x00 or 0xD8 or 0xD9 or 0xDA)
            {
                return null; // stuffed byte, another SOI, EOI or scan data before any frame header
            }

            if (i + 2 > d.Length)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(d[i..]);
            if (length < 2 || i + length > d.Length)
            {
                return null;
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                // Length, precision, height, width, component count, then three bytes per component.
                if (length < 8 || d[i + 7] == 0 || length < 8 + (3 * d[i + 7]))
                {
                    return null;
                }

                return new ImageSize(BinaryPrimitives.ReadUInt16BigEndian(d[(i + 5)..]), BinaryPrimitives.ReadUInt16BigEndian(d[(i + 3)..]));
            }

            i += length;
        }
    }

    private static ImageSize? WebP(ReadOnlySpan<byte> d)
    {
        // RIFF <size> WEBP, then the first chunk: FourCC, little-endian payload size, payload.
        if (d.Length < 20)
        {
            return null;
        }

        var fourCc = d[12..16];
        var declared = BinaryPrimitives.ReadUInt32LittleEndian(d[16..]);
        var p = d[20..];
        if (fourCc.SequenceEqual("VP8 "u8))
        {
            // Lossy: 3-byte frame tag (bit 0 clear on a key frame), start code 9D 01 2A, 14-bit width and height.
            if (declared < 10 || p.Length < 10 || (p[0] & 1) != 0 || p[3] != 0x9D || p[4] != 0x01 || p[5] != 0x2A)
            {
                return null;
            }

            return new ImageSize(BinaryPrimitives.ReadUInt16LittleEndian(p[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(p[8..]) & 0x3FFF);
        }

        if (fourCc.SequenceEqual("VP8L"u8))
        {
            // Lossless: signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha, 3 bits version (0).
            if (declared < 5 || p.Length < 5 || p[0] != 0x2F)
            {
                return null;
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(p[1..]);
            return bits >> 29 != 0 ? null : new ImageSize((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }

        if (fourCc.SequenceEqual("VP8X"u8))
        {
            // Extended: flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits each.
            if (declared < 10 || p.Length < 10)
            {
                return null;
            }

            return new ImageSize(UInt24(p[4..]) + 1L, UInt24(p[7..]) + 1L);
        }

        return null;
    }

    private static int UInt24(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8) | (b[2] << 16);

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected, polynomial 0xEDB88320); a few bytes, so bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
