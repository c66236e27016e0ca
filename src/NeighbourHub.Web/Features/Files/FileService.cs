using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Files;

/// <summary>The image types we accept, recognised by their first bytes (never by the file name or the declared type).</summary>
public static class ImageSniffer
{
    public const long MaxBytes = 5 * 1024 * 1024;

    public static string? ContentTypeOf(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return "image/jpeg";
        }

        if (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        // RIFF <size> WEBP
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }
}

public sealed record UploadedFile(string Id, string Url, string ContentType, long SizeBytes);

/// <summary>
/// Uploads and reads images. An upload is checked (size, type from the bytes) before anything is stored;
/// a read is allowed to the uploader and to whoever can see the repair the photo is attached to (the
/// query filter on <see cref="StoredFile"/> expresses both).
/// </summary>
public sealed class FileService(IFileStorage storage, TimeProvider clock)
{
    public async Task<UploadedFile> UploadAsync(NeighbourHubDbContext db, Stream content, string urlPrefix, CancellationToken ct)
    {
        // Read at most one byte past the limit: enough to know it is too big without buffering a huge body.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > ImageSniffer.MaxBytes)
            {
                throw new BadHttpRequestException("Images are limited to 5 MB.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        if (buffer.Length == 0)
        {
            throw new DomainValidationException("file", "The file is empty.");
        }

        var contentType = ImageSniffer.ContentTypeOf(buffer.GetBuffer().AsSpan(0, (int)Math.Min(16, buffer.Length)))
            ?? throw new DomainValidationException("file", "Only JPEG, PNG and WebP images are accepted (checked from the file's content, not its name).");

        var scope = db.Scope.Value;
        var file = new StoredFile
        {
            Id = Guid.NewGuid().ToString("N"),
            ContentType = contentType,
            SizeBytes = buffer.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))),
            UploadedByResidentId = scope.ResidentId,
            UploadedByAdminId = scope.ResidentId is null ? scope.AdminUserId : null,
            CreatedAt = clock.StorableNow(),
        };

        // Bytes first, row second: a row never points at missing bytes; an orphaned blob is harmless.
        buffer.Position = 0;
        await storage.SaveAsync(file.Id, buffer, ct);
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync(ct);
        return new UploadedFile(file.Id, $"{urlPrefix}/{file.Id}", contentType, file.SizeBytes);
    }

    /// <summary>The file and its bytes, if the caller may see it; otherwise null (callers answer 404, never 403).</summary>
    public async Task<(StoredFile File, Stream Content)?> OpenAsync(NeighbourHubDbContext db, string id, CancellationToken ct)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var file = await db.StoredFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
        if (file is null)
        {
            return null;
        }

        var content = await storage.OpenReadAsync(file.Id, ct);
        return content is null ? null : (file, content);
    }

    /// <summary>
    /// Checks that every id is a photo the caller uploaded and that no repair has taken yet. Call before
    /// changing anything, so a bad id refuses the whole request.
    /// </summary>
    public static async Task<List<string>> RequireOwnUnusedAsync(NeighbourHubDbContext db, IReadOnlyList<string>? ids, CancellationToken ct)
    {
        if (ids is null or { Count: 0 })
        {
            return [];
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var scope = db.Scope.Value;
        var own = await db.StoredFiles.Where(f => distinct.Contains(f.Id)
                && (scope.ResidentId != null ? f.UploadedByResidentId == scope.ResidentId : f.UploadedByAdminId == scope.AdminUserId))
            .Select(f => f.Id).ToListAsync(ct);
        var used = await db.RepairPhotos.IgnoreQueryFilters().Where(p => distinct.Contains(p.FileId)).Select(p => p.FileId).ToListAsync(ct);
        var bad = distinct.Where(id => !own.Contains(id) || used.Contains(id)).ToList();
        if (bad.Count > 0)
        {
            throw new DomainValidationException("photoIds", $"Upload these photos yourself first (POST files); unknown or already used: {string.Join(", ", bad)}.");
        }

        return distinct;
    }
}
