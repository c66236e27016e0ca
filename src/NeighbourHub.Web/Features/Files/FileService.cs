using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Files;

/// <summary>The image types we accept, recognised by their first bytes (never by the file name or the declared type).</summary>
public static class ImageSniffer
{
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>Not an image, but sniffed the same way: staff's PDF vouchers.</summary>
    public const string Pdf = "application/pdf";

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

public sealed record UploadedFile(string Id, string Url, string ContentType, long SizeBytes, int Width, int Height);

public sealed class FileUploadOptions
{
    public const string SectionName = "Files";

    /// <summary>Neither width nor height may exceed this many pixels.</summary>
    public int MaxImageSidePixels { get; set; } = 12000;

    /// <summary>Width × height may not exceed this many million pixels.</summary>
    public int MaxImageMegapixels { get; set; } = 100;

    /// <summary>Uploads one person may have made in the last hour that nothing uses yet; zero turns the limit off.</summary>
    public int MaxUnattachedPerHour { get; set; } = 20;

    /// <summary>Uploads still unused after this many hours are deleted by <see cref="UnattachedFileCleanupJob"/>.</summary>
    public double UnattachedRetentionHours { get; set; } = 24;
}

/// <summary>Too many unused uploads in the last hour (429); nothing of this upload was kept.</summary>
public sealed class UploadLimitExceededException(int limit, TimeSpan retryAfter)
    : Exception($"上传太频繁：一小时内最多上传 {limit} 张未使用的图片，请先提交已上传的图片。")
{
    public const string Title = "上传太频繁";

    /// <summary>When the oldest counted upload leaves the hour, so one more would be accepted.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Uploads and reads images. An upload is checked (size, type and dimensions from the bytes, the uploader's
/// hourly allowance of unused uploads) before anything is stored; a read is allowed to the uploader and to
/// whoever can see the repair the photo is attached to (the query filter on <see cref="StoredFile"/> expresses both).
/// </summary>
public sealed class FileService(IFileStorage storage, TimeProvider clock, IOptions<FileUploadOptions> options)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

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
                throw new BadHttpRequestException("图片不能超过 5 MB。", StatusCodes.Status413PayloadTooLarge);
            }
        }

        if (buffer.Length == 0)
        {
            throw new DomainValidationException("file", "文件是空的，请重新选择图片。");
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        // Staff also attach PDFs (quotes, invoices, vouchers of the owners' fund); residents upload photos only.
        var staff = db.Scope.Value is { ResidentId: null, AdminUserId: not null };
        var contentType = ImageSniffer.ContentTypeOf(bytes[..(int)Math.Min(16, buffer.Length)])
            ?? (staff && bytes.StartsWith("%PDF-"u8) ? ImageSniffer.Pdf : null)
            ?? throw new DomainValidationException("file", staff
                ? "只接受 JPEG、PNG、WebP 图片或 PDF 文件（按文件内容判断，而不是文件名）。"
                : "只接受 JPEG、PNG 或 WebP 图片（按文件内容判断，而不是文件名）。");
        var size = contentType == ImageSniffer.Pdf ? new ImageSize(0, 0) : ImageHeader.Check(contentType, bytes, options.Value);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var scope = db.Scope.Value;
        var now = clock.StorableNow();
        var limit = options.Value.MaxUnattachedPerHour;
        var limited = limit > 0 && (scope.ResidentId ?? scope.AdminUserId) is not null;
        if (limited && await CountUnattachedAsync(db, scope.ResidentId, scope.AdminUserId, now, ct) >= limit)
        {
            throw await LimitExceededAsync(db, scope.ResidentId, scope.AdminUserId, now, limit, ct);
        }

        var file = new StoredFile
        {
            Id = Guid.NewGuid().ToString("N"),
            ContentType = contentType,
            SizeBytes = buffer.Length,
            Sha256 = sha256,
            Width = (int)size.Width,
            Height = (int)size.Height,
            UploadedByResidentId = scope.ResidentId,
            UploadedByAdminId = scope.ResidentId is null ? scope.AdminUserId : null,
            CreatedAt = now,
        };

        // Never a row without its bytes: the store writes them before the row (disk) or with it (database).
        buffer.Position = 0;
        await storage.SaveWithRowAsync(db, file, buffer, ct);

        // The count above and the insert are not atomic: uploads sent at the same moment (a script firing 100
        // at once) could all pass it. So, now that this row is committed, count again and withdraw this upload
        // if the hour holds more than the limit. Of uploads racing each other, the one that counts last sees
        // all their rows, so the hour never keeps more than the limit; at worst several withdraw (the person
        // was at the limit anyway). A crash before the withdrawal leaves an unused row the cleanup job deletes.
        if (limited && await CountUnattachedAsync(db, scope.ResidentId, scope.AdminUserId, now, ct) > limit)
        {
            await DeleteIfUnattachedAsync(db, storage, file.Id, ct);
            throw await LimitExceededAsync(db, scope.ResidentId, scope.AdminUserId, now, limit, ct);
        }

        return new UploadedFile(file.Id, $"{urlPrefix}/{file.Id}", contentType, file.SizeBytes, file.Width, file.Height);
    }

    /// <summary>
    /// Uploads by this person (resident, or staff member when no resident) in the hour up to
    /// <paramref name="now"/> that no repair uses: the index (uploader, CreatedAt) finds them, the unique
    /// index on RepairPhotos.FileId answers "attached?".
    /// </summary>
    private static Task<int> CountUnattachedAsync(NeighbourHubDbContext db, long? residentId, long? adminId, DateTimeOffset now, CancellationToken ct) =>
        UnattachedBy(db, residentId, adminId, now - Window).CountAsync(ct);

    private static async Task<UploadLimitExceededException> LimitExceededAsync(
        NeighbourHubDbContext db, long? residentId, long? adminId, DateTimeOffset now, int limit, CancellationToken ct)
    {
        var oldest = await UnattachedBy(db, residentId, adminId, now - Window).OrderBy(f => f.CreatedAt).Select(f => (DateTimeOffset?)f.CreatedAt).FirstOrDefaultAsync(ct);
        var wait = (oldest ?? now) + Window - now;
        return new UploadLimitExceededException(limit, wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
    }

    private static IQueryable<StoredFile> UnattachedBy(NeighbourHubDbContext db, long? residentId, long? adminId, DateTimeOffset since)
    {
        // Attachments of any repair count, visible to the uploader or not: hence no query filters.
        var files = Unattached(db, db.StoredFiles.Unscoped(Because.FileAttachmentIsGlobal)).Where(f => f.CreatedAt > since);
        return residentId is { } r
            ? files.Where(f => f.UploadedByResidentId == r)
            : files.Where(f => f.UploadedByAdminId == adminId);
    }

    /// <summary>
    /// Uploads nothing uses yet: no repair photo, fund voucher, notice attachment or paper-ballot scan refers to them.
    /// The one definition of "attached".
    /// </summary>
    public static IQueryable<StoredFile> Unattached(NeighbourHubDbContext db, IQueryable<StoredFile> files) =>
        files.Where(f => !db.RepairPhotos.Any(p => p.FileId == f.Id) && !db.FundAttachments.Any(a => a.FileId == f.Id)
            && !db.NoticeAttachments.Any(a => a.FileId == f.Id) && !db.Ballots.Any(b => b.ScanFileId == f.Id));

    /// <summary>
    /// Deletes an upload unless a repair uses it, in one conditional statement (so a photo attached a moment
    /// ago is never lost); then its bytes. Row first: a crash in between leaves unreferenced bytes, never a
    /// row pointing at missing ones. Returns false when the row was attached or already gone (another
    /// instance deleted it: then that instance deletes the bytes).
    /// </summary>
    public static async Task<bool> DeleteIfUnattachedAsync(NeighbourHubDbContext db, IFileStorage storage, string id, CancellationToken ct)
    {
        var deleted = await Unattached(db, db.StoredFiles.Unscoped(Because.FileAttachmentIsGlobal))
            .Where(f => f.Id == id)
            .ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            return false;
        }

        await storage.DeleteAsync(id, ct);
        return true;
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
        var used = await db.RepairPhotos.Unscoped(Because.FileAttachmentIsGlobal).Where(p => distinct.Contains(p.FileId)).Select(p => p.FileId).ToListAsync(ct);
        var bad = distinct.Where(id => !own.Contains(id) || used.Contains(id)).ToList();
        if (bad.Count > 0)
        {
            throw new DomainValidationException("photoIds", $"这些照片不存在、不是您上传的或已被使用：{string.Join("、", bad)}。请先上传照片。");
        }

        return distinct;
    }
}
