using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Files;

public sealed class FileCleanupOptions
{
    public const string SectionName = "Files:Cleanup";

    /// <summary>How often each instance deletes old unused uploads. Zero disables the loop (tests call <see cref="UnattachedFileCleanupJob.RunOnceAsync"/>).</summary>
    public double PollSeconds { get; set; } = 3600;

    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Deletes uploads that nothing has used <see cref="FileUploadOptions.UnattachedRetentionHours"/> after they
/// were made: the row, then the bytes. Each row goes in one conditional delete ("and no repair uses it"),
/// so a photo attached meanwhile stays, and instances running the job at once never both delete the bytes:
/// only the one whose delete removed the row goes on to them.
/// </summary>
public sealed class UnattachedFileCleanupJob(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    IFileStorage storage,
    IOptions<FileCleanupOptions> options,
    IOptions<FileUploadOptions> uploads,
    TimeProvider clock,
    ILogger<UnattachedFileCleanupJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.PollSeconds;

    protected override Task RunTickAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Deletes every upload unused past the retention; returns how many this instance deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var cutoff = Clock.GetUtcNow() - TimeSpan.FromHours(uploads.Value.UnattachedRetentionHours);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        var total = 0;
        while (true)
        {
            var batch = await FileService.Unattached(db, db.StoredFiles.Unscoped(Because.FileAttachmentIsGlobal))
                .Where(f => f.CreatedAt < cutoff)
                .OrderBy(f => f.CreatedAt).Select(f => f.Id).Take(options.Value.BatchSize).ToListAsync(ct);
            var deleted = 0;
            foreach (var id in batch)
            {
                if (await FileService.DeleteIfUnattachedAsync(db, storage, id, ct))
                {
                    deleted++;
                }
            }

            total += deleted;
            // A short batch was the last; one where nothing could be deleted would only come back again.
            if (batch.Count < options.Value.BatchSize || deleted == 0)
            {
                break;
            }
        }

        if (total > 0)
        {
            log.LogInformation("Deleted {Count} upload(s) unused for {Hours} h", total, uploads.Value.UnattachedRetentionHours);
        }

        return total;
    }
}
