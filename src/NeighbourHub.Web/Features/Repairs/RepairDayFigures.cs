using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>
/// One estate's repair figures for one Beijing day (ADR 0013), so the home page reads a few hundred rows for a year
/// instead of a million repairs (the KPI page does not read them yet: it still loads the period's repairs, ADR 0013).
/// Written only by <see cref="RepairService"/>, in the transaction of the step
/// that changes a repair, as atomic increments (two instances never lose an update). The counts follow each repair's
/// CURRENT state, filed under the day it was reported (as the live queries count "reported in the period"); only
/// <see cref="Closed"/> is filed under the day it was resolved. Cancelled repairs count nowhere.
/// </summary>
public sealed class RepairDayFigures : IEstateStaffOwned
{
    public long EstateId { get; set; }
    public DateOnly Day { get; set; }
    /// <summary>Reported that day, not cancelled.</summary>
    public int Reported { get; set; }
    /// <summary>Of those: resolved or closed (with a resolution time).</summary>
    public int Handled { get; set; }
    /// <summary>Of the handled: resolved by the deadline.</summary>
    public int OnTime { get; set; }
    /// <summary>Of the handled: the whole seconds from report to resolution, summed (average time to resolve).</summary>
    public long ResolveSeconds { get; set; }
    /// <summary>Of the handled: reopened at least once.</summary>
    public int Reopened { get; set; }
    /// <summary>Reported that day and rated, and the stars summed.</summary>
    public int Rated { get; set; }
    public long Stars { get; set; }
    /// <summary>Resolved (or since closed) that day, whenever reported.</summary>
    public int Closed { get; set; }

    /// <summary>What a repair in its state adds to the figures: its report day's row and, once handled, its resolution day's.</summary>
    internal static void Contribute(Dictionary<(long EstateId, DateOnly Day), RepairDayFigures> into, long estateId, DateTimeOffset createdAt, RepairStatus status,
        DateTimeOffset deadlineAt, DateTimeOffset? resolvedAt, int? stars, int reopenCount, int sign)
    {
        if (status == RepairStatus.Cancelled)
        {
            return;
        }

        var reported = Row(into, estateId, ChinaTime.DayOf(createdAt));
        reported.Reported += sign;
        if (stars is { } s)
        {
            reported.Rated += sign;
            reported.Stars += sign * s;
        }

        if (status is RepairStatus.Resolved or RepairStatus.Closed && resolvedAt is { } resolved)
        {
            reported.Handled += sign;
            reported.OnTime += resolved <= deadlineAt ? sign : 0;
            reported.ResolveSeconds += sign * SecondsBetween(createdAt, resolved);
            reported.Reopened += reopenCount > 0 ? sign : 0;
            Row(into, estateId, ChinaTime.DayOf(resolved)).Closed += sign;
        }
    }

    /// <summary>Whole seconds, so the sum is exact in the database and equals a recount from the repairs.</summary>
    public static long SecondsBetween(DateTimeOffset from, DateTimeOffset to) => (long)Math.Floor((to - from).TotalSeconds);

    private static RepairDayFigures Row(Dictionary<(long, DateOnly), RepairDayFigures> into, long estateId, DateOnly day)
    {
        if (!into.TryGetValue((estateId, day), out var row))
        {
            into[(estateId, day)] = row = new RepairDayFigures { EstateId = estateId, Day = day };
        }

        return row;
    }

    private bool IsZero => Reported == 0 && Handled == 0 && OnTime == 0 && ResolveSeconds == 0 && Reopened == 0 && Rated == 0 && Stars == 0 && Closed == 0;

    /// <summary>
    /// The change the pending repair rows make to the figures (added: their state; modified: new minus original; deleted:
    /// minus original). Read before SaveChanges, while the original values are still the ones the update is conditioned on
    /// (Status is a concurrency token, and every change that moves a figure changes the status).
    /// </summary>
    internal static List<RepairDayFigures> PendingChanges(NeighbourHubDbContext db)
    {
        var deltas = new Dictionary<(long, DateOnly), RepairDayFigures>();
        foreach (var e in db.ChangeTracker.Entries<Repair>())
        {
            if (e.State is EntityState.Modified or EntityState.Deleted)
            {
                Contribute(deltas, e.OriginalValues.GetValue<long>(nameof(Repair.EstateId)), e.OriginalValues.GetValue<DateTimeOffset>(nameof(Repair.CreatedAt)),
                    e.OriginalValues.GetValue<RepairStatus>(nameof(Repair.Status)), e.OriginalValues.GetValue<DateTimeOffset>(nameof(Repair.DeadlineAt)),
                    e.OriginalValues.GetValue<DateTimeOffset?>(nameof(Repair.ResolvedAt)), e.OriginalValues.GetValue<int?>(nameof(Repair.Stars)),
                    e.OriginalValues.GetValue<int>(nameof(Repair.ReopenCount)), -1);
            }

            if (e.State is EntityState.Added or EntityState.Modified)
            {
                var r = e.Entity;
                Contribute(deltas, r.EstateId, r.CreatedAt, r.Status, r.DeadlineAt, r.ResolvedAt, r.Stars, r.ReopenCount, +1);
            }
        }

        // Sorted, so concurrent steps lock the rows they share in the same order (no deadlock between them).
        return deltas.Values.Where(d => !d.IsZero).OrderBy(d => d.EstateId).ThenBy(d => d.Day).ToList();
    }

    /// <summary>Adds the changes to the rows, creating missing ones: one atomic upsert per row, inside the caller's transaction.</summary>
    internal static async Task ApplyAsync(NeighbourHubDbContext db, List<RepairDayFigures> changes, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Repair figures change only inside the transaction that changes the repair.");
        }

        var sql = db.Database.IsSqliteProvider() ? SqliteUpsert : MariaDbUpsert;
        foreach (var d in changes)
        {
            await db.Database.ExecuteSqlRawAsync(sql, [d.EstateId, d.Day, d.Reported, d.Handled, d.OnTime, d.ResolveSeconds, d.Reopened, d.Rated, d.Stars, d.Closed], ct);
        }
    }

    private const string Columns = "(EstateId, Day, Reported, Handled, OnTime, ResolveSeconds, Reopened, Rated, Stars, Closed) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9})";

    private const string MariaDbUpsert = "INSERT INTO RepairDayFigures " + Columns + """
         ON DUPLICATE KEY UPDATE Reported = Reported + VALUES(Reported), Handled = Handled + VALUES(Handled), OnTime = OnTime + VALUES(OnTime),
         ResolveSeconds = ResolveSeconds + VALUES(ResolveSeconds), Reopened = Reopened + VALUES(Reopened), Rated = Rated + VALUES(Rated),
         Stars = Stars + VALUES(Stars), Closed = Closed + VALUES(Closed)
        """;

    private const string SqliteUpsert = "INSERT INTO RepairDayFigures " + Columns + """
         ON CONFLICT (EstateId, Day) DO UPDATE SET Reported = Reported + excluded.Reported, Handled = Handled + excluded.Handled,
         OnTime = OnTime + excluded.OnTime, ResolveSeconds = ResolveSeconds + excluded.ResolveSeconds, Reopened = Reopened + excluded.Reopened,
         Rated = Rated + excluded.Rated, Stars = Stars + excluded.Stars, Closed = Closed + excluded.Closed
        """;

    /// <summary>
    /// Recounts every row from the repairs (the backfill after the migration, and after seeding repairs directly in tests
    /// and benchmarks): one streamed pass over the repairs through the same <see cref="Contribute"/> as the live steps.
    /// Runs as System; in one transaction, so readers see the old rows or the new ones.
    /// </summary>
    public static async Task<int> RebuildAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        if (!db.Scope.Value.Unrestricted)
        {
            throw new InvalidOperationException("The repair figures are rebuilt as System only.");
        }

        var rows = new Dictionary<(long, DateOnly), RepairDayFigures>();
        await foreach (var r in db.Repairs.AsNoTracking().Where(r => r.Status != RepairStatus.Cancelled)
                           .Select(r => new { r.EstateId, r.CreatedAt, r.Status, r.DeadlineAt, r.ResolvedAt, r.Stars, r.ReopenCount }).AsAsyncEnumerable().WithCancellation(ct))
        {
            Contribute(rows, r.EstateId, r.CreatedAt, r.Status, r.DeadlineAt, r.ResolvedAt, r.Stars, r.ReopenCount, +1);
        }

        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.RepairDayFigures.ExecuteDeleteAsync(ct);
        foreach (var chunk in rows.Values.OrderBy(r => r.EstateId).ThenBy(r => r.Day).Chunk(1000))
        {
            db.RepairDayFigures.AddRange(chunk);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return rows.Count;
    }

    /// <summary>After the migration that adds the table: recounts once, when there are repairs but no figures yet.</summary>
    public static async Task BackfillAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        if (!await db.RepairDayFigures.AnyAsync(ct) && await db.Repairs.AnyAsync(ct))
        {
            await RebuildAsync(db, ct);
        }
    }
}

internal sealed class RepairDayFiguresConfiguration : IEntityTypeConfiguration<RepairDayFigures>
{
    public void Configure(EntityTypeBuilder<RepairDayFigures> b)
    {
        b.ToTable("RepairDayFigures");
        // The key is the range every reader scans: an estate's days.
        b.HasKey(x => new { x.EstateId, x.Day });
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}
