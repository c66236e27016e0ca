using System.Buffers.Binary;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

/// <summary>Real dimensions from image headers: what encoders write, what a cut-off file leaves, what a liar declares.</summary>
public sealed class FileHeaderTests
{
    // 3 × 2 grey images as real encoders wrote them (zlib + CRC for the PNG, cjpeg, cwebp), base64.
    private const string RealPng = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAAAAAC4HznGAAAAEElEQVR42mNgENFg0LAJAAACiADxNMhThAAAAABJRU5ErkJggg==";
    private const string RealJpeg = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/"
        + "wAALCAACAAMBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAABv/EAB0QAAEEAgMAAAAAAAAAAAAAAAECAwQFABEGEnH/2gAIAQEAAD8AE3PIburnNw6+4sIkVuJG6Mx5K20J2ygnSQQBskn05//Z";
    private const string RealWebpLossy = "UklGRjgAAABXRUJQVlA4ICwAAACQAQCdASoDAAIAAgA0JaQAAudZtgAA/trXa+fyPLP/sff/lXoj0nzF+LAAAA==";
    private const string RealWebpLossless = "UklGRkgAAABXRUJQVlA4TDwAAAAvAkAAAC+gEAACRCGaBAML54jIAkx0Jj2GaILpikiApMMAk9dd4rj5j/9jcaHKARgQCFDGigNOieh/LC8=";
    private const string RealWebpExtended = "UklGRmoAAABXRUJQVlA4WAoAAAAQAAAAAgAAAQAAQUxQSAcAAAAAkV5mwtPTAFZQOCA8AAAA0AEAnQEqAwACAAIANCWoAnQBDv4DjgAA9rEZh6mH9kSLcCG/Oc0X5/0P4Ffh6B/8/6FbhKizAfnGfAAA";

    private static readonly FileUploadOptions Defaults = new();

    /// <summary>Every real image reads as 3 × 2, and every prefix shorter than its header reads as nothing.</summary>
    [Theory]
    [InlineData(RealPng, "image/png", 33)] // signature + IHDR chunk with its CRC
    [InlineData(RealJpeg, "image/jpeg", 102)] // SOI, APP0, DQT, then the end of SOF0
    [InlineData(RealWebpLossy, "image/webp", 30)] // RIFF header + VP8 chunk header + 10 bytes
    [InlineData(RealWebpLossless, "image/webp", 25)] // + VP8L signature and 4 bytes
    [InlineData(RealWebpExtended, "image/webp", 30)] // + VP8X flags and canvas size
    public void Encoders_output_reads_and_any_cut_before_the_header_end_does_not(string base64, string type, int headerEnd)
    {
        var image = Convert.FromBase64String(base64);
        Assert.Equal(type, ImageSniffer.ContentTypeOf(image));
        Assert.Equal(new ImageSize(3, 2), ImageHeader.Read(type, image));
        Assert.Equal(new ImageSize(3, 2), ImageHeader.Check(type, image, Defaults));
        for (var n = 0; n < image.Length; n++)
        {
            Assert.True((ImageHeader.Read(type, image.AsSpan(0, n)) is null) == (n < headerEnd), $"prefix of {n} bytes");
        }
    }

    [Fact]
    public void A_png_signature_alone_or_a_cut_ihdr_is_refused_as_damaged_in_chinese()
    {
        byte[] twelve = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        Assert.Equal("image/png", ImageSniffer.ContentTypeOf(twelve));
        var refused = Assert.Throws<DomainValidationException>(() => ImageHeader.Check("image/png", twelve, Defaults));
        Assert.Equal("图片已损坏或不完整，请重新拍摄后上传。", Assert.Single(refused.Errors["file"]));
        Assert.Throws<DomainValidationException>(() => ImageHeader.Check("image/png", Png(640, 480).AsSpan(0, 30), Defaults));
    }

    [Fact]
    public void A_png_whose_first_chunk_is_not_a_sound_ihdr_has_no_size()
    {
        Assert.Equal(new ImageSize(640, 480), ImageHeader.Read("image/png", Png(640, 480)));

        var wrongLength = Png(640, 480);
        wrongLength[11] = 12;
        Assert.Null(ImageHeader.Read("image/png", wrongLength));

        var wrongType = Png(640, 480);
        wrongType[12] = (byte)'i';
        Assert.Null(ImageHeader.Read("image/png", wrongType));

        var flipped = Png(640, 480); // one bit of the width damaged: the CRC no longer matches
        flipped[17] ^= 0x40;
        Assert.Null(ImageHeader.Read("image/png", flipped));
    }

    [Fact]
    public void The_jpeg_frame_header_is_found_past_other_segments_fill_bytes_and_markers_without_length()
    {
        Assert.Equal(new ImageSize(4032, 3024), ImageHeader.Read("image/jpeg", Jpeg(4032, 3024)));
        Assert.Equal(new ImageSize(800, 600), ImageHeader.Read("image/jpeg", Jpeg(800, 600, sof: 0xC2))); // progressive

        // DHT (C4) looks like a frame marker but is not; 0xFF fill bytes and TEM (no length) are skipped.
        byte[] tricky = [0xFF, 0xD8, 0xFF, 0xC4, 0, 4, 0xAA, 0xBB, 0xFF, 0xFF, 0xFF, 0x01, .. Sof(0xC1, 10, 20)];
        Assert.Equal(new ImageSize(20, 10), ImageHeader.Read("image/jpeg", tricky));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0, 2 })] // scan data before any frame header
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })] // end of image
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0xFF, 0xC0 })] // a length shorter than itself
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0, 1, 2, 3 })] // EXIF cut short
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 2, 0x12, 0xFF, 0xC0 })] // garbage where a marker belongs
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0, 8, 8, 0, 2, 0, 3, 0 })] // a frame without components
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11 })] // the frame header cut short
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xFF, 0xFF })] // only fill bytes
    public void A_jpeg_without_a_complete_frame_header_has_no_size(byte[] jpeg) =>
        Assert.Null(ImageHeader.Read("image/jpeg", jpeg));

    [Fact]
    public void Webp_sizes_come_from_each_kind_of_header()
    {
        Assert.Equal(new ImageSize(1920, 1080), ImageHeader.Read("image/webp", Vp8(1920, 1080)));
        Assert.Equal(new ImageSize(16384, 1), ImageHeader.Read("image/webp", Vp8L(16384, 1)));
        Assert.Equal(new ImageSize(16777216, 16777216), ImageHeader.Read("image/webp", Vp8X(16777216, 16777216)));

        var interFrame = Vp8(10, 10);
        interFrame[20] |= 1;
        Assert.Null(ImageHeader.Read("image/webp", interFrame));
        var noStartCode = Vp8(10, 10);
        noStartCode[23] = 0;
        Assert.Null(ImageHeader.Read("image/webp", noStartCode));
        var badSignature = Vp8L(10, 10);
        badSignature[20] = 0x2E;
        Assert.Null(ImageHeader.Read("image/webp", badSignature));
        var futureVersion = Vp8L(10, 10);
        futureVersion[24] |= 0x20;
        Assert.Null(ImageHeader.Read("image/webp", futureVersion));
        var shortChunk = Vp8X(10, 10);
        shortChunk[16] = 9; // declares fewer bytes than the header needs
        Assert.Null(ImageHeader.Read("image/webp", shortChunk));
        byte[] otherChunk = [.. "RIFF"u8, 30, 0, 0, 0, .. "WEBPALPH"u8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Null(ImageHeader.Read("image/webp", otherChunk));
    }

    [Fact]
    public void Huge_declared_dimensions_are_refused_in_chinese_before_anyone_decodes_them()
    {
        foreach (var (type, image) in new[]
                 {
                     ("image/png", Png(100_000, 100_000)), ("image/png", Png(uint.MaxValue, 1)), ("image/png", Png(1, 12_001)),
                     ("image/jpeg", Jpeg(65535, 65535)), ("image/webp", Vp8X(16777216, 16777216)), ("image/webp", Vp8(16383, 100)),
                 })
        {
            var refused = Assert.Throws<DomainValidationException>(() => ImageHeader.Check(type, image, Defaults));
            Assert.Contains("宽和高都不能超过 12000 像素", Assert.Single(refused.Errors["file"]), StringComparison.Ordinal);
        }

        // Each side allowed, the product not: 11000 × 11000 is 121 megapixels.
        var tooMany = Assert.Throws<DomainValidationException>(() => ImageHeader.Check("image/png", Png(11_000, 11_000), Defaults));
        Assert.Contains("最多 100 百万像素", tooMany.Message, StringComparison.Ordinal);
        Assert.Equal(new ImageSize(12_000, 8_333), ImageHeader.Check("image/png", Png(12_000, 8_333), Defaults));

        // The limits are configuration.
        var small = new FileUploadOptions { MaxImageSidePixels = 100, MaxImageMegapixels = 1 };
        Assert.Equal(new ImageSize(100, 100), ImageHeader.Check("image/jpeg", Jpeg(100, 100), small));
        Assert.Throws<DomainValidationException>(() => ImageHeader.Check("image/jpeg", Jpeg(101, 100), small));
    }

    [Fact]
    public void A_side_of_zero_is_refused()
    {
        foreach (var (type, image) in new[] { ("image/png", Png(0, 5)), ("image/jpeg", Jpeg(5, 0)), ("image/webp", Vp8(0, 5)) })
        {
            var refused = Assert.Throws<DomainValidationException>(() => ImageHeader.Check(type, image, Defaults));
            Assert.Contains("图片尺寸无效", refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Signature and a sound IHDR (its CRC computed by the framework's CRC-32, not the parser's own).</summary>
    private static byte[] Png(uint width, uint height)
    {
        var chunk = new byte[4 + 4 + 13 + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, 13);
        "IHDR"u8.CopyTo(chunk.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8), width);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(12), height);
        chunk[16] = 8; // bit depth; colour type, compression, filter, interlace 0
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(21), System.IO.Hashing.Crc32.HashToUInt32(chunk.AsSpan(4, 17)));
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. chunk];
    }

    /// <summary>SOI, a JFIF APP0, a DQT-sized filler, then the frame header and the start of a scan.</summary>
    private static byte[] Jpeg(int width, int height, byte sof = 0xC0) =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0, 16, .. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xDB, 0, 6, 0, 1, 2, 3,
        .. Sof(sof, height, width),
        0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0,
    ];

    /// <summary>A frame header with three components.</summary>
    private static byte[] Sof(byte marker, int height, int width) =>
        [0xFF, marker, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];

    private static byte[] Riff(string fourCc, byte[] payload)
    {
        var chunk = new byte[8 + payload.Length];
        System.Text.Encoding.ASCII.GetBytes(fourCc).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(chunk, 8);
        var riff = new byte[12];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)(4 + chunk.Length));
        "WEBP"u8.CopyTo(riff.AsSpan(8));
        return [.. riff, .. chunk];
    }

    private static byte[] Vp8(int width, int height) =>
        Riff("VP8 ", [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 0]);

    private static byte[] Vp8L(int width, int height)
    {
        var bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        return Riff("VP8L", [0x2F, (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24), 0]);
    }

    private static byte[] Vp8X(int width, int height)
    {
        int w = width - 1, h = height - 1;
        return Riff("VP8X", [0x10, 0, 0, 0, (byte)w, (byte)(w >> 8), (byte)(w >> 16), (byte)h, (byte)(h >> 8), (byte)(h >> 16)]);
    }
}
