namespace NeighbourHub.TestSupport;

/// <summary>
/// Tiny but real images (3 × 2 pixels, grey), as their encoders wrote them (zlib for the PNG, cjpeg, cwebp),
/// so uploads pass the header check and a browser could show them.
/// </summary>
public static class TestImages
{
    public const int Width = 3;
    public const int Height = 2;

    public static byte[] Png => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAAAAAC4HznGAAAAEElEQVR42mNgENFg0LAJAAACiADxNMhThAAAAABJRU5ErkJggg==");

    public static byte[] Jpeg => Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/"
        + "wAALCAACAAMBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAABv/EAB0QAAEEAgMAAAAAAAAAAAAAAAECAwQFABEGEnH/2gAIAQEAAD8AE3PIburnNw6+4sIkVuJG"
        + "6Mx5K20J2ygnSQQBskn05//Z");

    /// <summary>Lossy WebP (a VP8 chunk).</summary>
    public static byte[] Webp => Convert.FromBase64String(
        "UklGRjgAAABXRUJQVlA4ICwAAACQAQCdASoDAAIAAgA0JaQAAudZtgAA/trXa+fyPLP/sff/lXoj0nzF+LAAAA==");
}
