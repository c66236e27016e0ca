using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Files;

/// <summary>
/// Choosing the store, and moving an installation's uploads from local disk into the database when it grows from
/// one instance to several: <c>dotnet NeighbourHub.Web.dll import-local-files</c> (with <c>Files:Store=Database</c>).
/// </summary>
public static class LocalFileImport
{
    public const string Command = "import-local-files";

    public static IFileStorage CreateStorage(IServiceProvider services, string contentRoot)
    {
        var options = services.GetRequiredService<IOptions<FileStorageOptions>>().Value;
        return options.Store == FileStoreKind.Database
            ? new DatabaseFileStorage(services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(),
                options.ChunkBytes is >= 4096 and <= 4 * 1024 * 1024 ? options.ChunkBytes : DatabaseFileStorage.DefaultChunkBytes)
            : Disk(options, contentRoot);
    }

    private static LocalDiskFileStorage Disk(FileStorageOptions options, string contentRoot) =>
        new(Path.Combine(contentRoot, options.Directory));

    public sealed record Result(int Imported, int AlreadyThere, int Missing, int Corrupt);

    /// <summary>
    /// Copies the bytes of every <see cref="StoredFile"/> row that has none in the database from
    /// <c>Files:Directory</c>, checking each against the row's SHA-256. Safe to run again (what is there is skipped)
    /// and while instances serve: a row's chunks are written in one transaction. Disk files are left in place.
    /// </summary>
    public static async Task<Result> RunAsync(IServiceProvider services, string contentRoot, ILogger log, CancellationToken ct)
    {
        if (services.GetRequiredService<IFileStorage>() is not DatabaseFileStorage database)
        {
            throw new InvalidOperationException("import-local-files copies uploads into the database: set Files:Store=Database first.");
        }

        var disk = Disk(services.GetRequiredService<IOptions<FileStorageOptions>>().Value, contentRoot);
        var contexts = services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>();
        List<(string Id, string Sha256)> files;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.Scope = CurrentScope.For(AccessScope.System);
            files = (await db.StoredFiles.Unscoped(Because.FileAttachmentIsGlobal).OrderBy(f => f.CreatedAt)
                .Select(f => new { f.Id, f.Sha256 }).ToListAsync(ct)).Select(f => (f.Id, f.Sha256)).ToList();
        }

        int imported = 0, there = 0, missing = 0, corrupt = 0;
        foreach (var (id, sha256) in files)
        {
            if (await database.HasAsync(id, ct))
            {
                there++;
                continue;
            }

            await using var content = await disk.OpenReadAsync(id, ct);
            if (content is null)
            {
                missing++;
                log.LogWarning("File {Id} has a row but no bytes on disk; left as it is", id);
                continue;
            }

            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, ct);
            if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(copy.GetBuffer().AsSpan(0, (int)copy.Length))), sha256, StringComparison.Ordinal))
            {
                corrupt++;
                log.LogWarning("File {Id} on disk does not match its SHA-256; not imported", id);
                continue;
            }

            copy.Position = 0;
            await database.SaveAsync(id, copy, ct);
            imported++;
        }

        log.LogInformation("Imported {Imported} file(s) into the database; {There} already there, {Missing} missing on disk, {Corrupt} not matching their hash",
            imported, there, missing, corrupt);
        return new Result(imported, there, missing, corrupt);
    }
}
