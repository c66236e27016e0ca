using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>What a row of <see cref="RepairDayFigures"/> is about within its estate.</summary>
public enum FigureDimension : byte
{
    /// <summary>The whole estate (<see cref="RepairDayFigures.MemberId"/> 0): the home page, the KPIs by estate and by firm.</summary>
    Estate = 0,

    /// <summary>One building, by the flat reported for; 0 for public areas: the KPIs by grid.</summary>
    Building = 1,

    /// <summary>One staff member, by whom the repair is assigned to now; 0 for none yet: the KPIs by assignee.</summary>
    Assignee = 2,
}

/// <summary>
/// One estate's repair figures for one Beijing day (ADR 0013), so the home page and the KPI page read a few hundred rows
/// for a year instead of a million repairs. Each repair counts three times a day: in its estate's row, in its building's
/// and in its assignee's (<see cref="FigureDimension"/>); a reader sums the rows of one dimension only.
/// Written only by <see cref="RepairService"/>, in the transaction of the step
/// that changes a repair, as atomic increments (two instances never lose an update). The counts follow each repair's
/// CURRENT state, filed under the day it was reported (as the live queries count "reported in the period"); only
/// <see cref="Closed"/> is filed under the day it was resolved. Cancelled repairs count nowhere.
/// </summary>
public sealed class RepairDayFigures : IEstateStaffOwned
{
    public long EstateId { get; set; }
    public FigureDimension Dimension { get; set; }
    /// <summary>The building or staff member (<see cref="Dimension"/>); 0 for the whole estate, public areas, not assigned.</summary>
    public long MemberId { get; set; }
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

    /// <summary>The rows of the whole estate (the home page's); the key's prefix, so a reader ranges over its days.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<RepairDayFigures, bool>> WholeEstate =
        d => d.Dimension == FigureDimension.Estate && d.MemberId == 0;

    /// <summary>What one repair is, for the figures: its estate, building (of the flat; null for public areas), assignee and state.</summary>
    internal readonly record struct Counted(long EstateId, long? BuildingId, long? AssigneeId, DateTimeOffset CreatedAt, RepairStatus Status,
        DateTimeOffset DeadlineAt, DateTimeOffset? ResolvedAt, int? Stars, int ReopenCount);

    /// <summary>
    /// What a repair in its state adds to the figures (sign +1) or takes away (-1): its report day's rows and, once handled,
    /// its resolution day's, each in the three dimensions.
    /// </summary>
    internal static void Contribute(Dictionary<Key, RepairDayFigures> into, Counted r, int sign)
    {
        if (r.Status == RepairStatus.Cancelled)
        {
            return;
        }

        foreach (var (dimension, member) in MembersOf(r))
        {
            var reported = Row(into, new Key(r.EstateId, dimension, ChinaTime.DayOf(r.CreatedAt), member));
            reported.Reported += sign;
            if (r.Stars is { } s)
            {
                reported.Rated += sign;
                reported.Stars += sign * s;
            }

            if (r.Status is RepairStatus.Resolved or RepairStatus.Closed && r.ResolvedAt is { } resolved)
            {
                reported.Handled += sign;
                reported.OnTime += resolved <= r.DeadlineAt ? sign : 0;
                reported.ResolveSeconds += sign * SecondsBetween(r.CreatedAt, resolved);
                reported.Reopened += r.ReopenCount > 0 ? sign : 0;
                Row(into, new Key(r.EstateId, dimension, ChinaTime.DayOf(resolved), member)).Closed += sign;
            }
        }
    }

    private static (FigureDimension, long)[] MembersOf(Counted r) =>
        [(FigureDimension.Estate, 0), (FigureDimension.Building, r.BuildingId ?? 0), (FigureDimension.Assignee, r.AssigneeId ?? 0)];

    /// <summary>A row's key, ordered as the table's primary key.</summary>
    internal readonly record struct Key(long EstateId, FigureDimension Dimension, DateOnly Day, long MemberId) : IComparable<Key>
    {
        public int CompareTo(Key other) => (EstateId, Dimension, Day, MemberId).CompareTo((other.EstateId, other.Dimension, other.Day, other.MemberId));
    }

    /// <summary>Whole seconds, so the sum is exact in the database and equals a recount from the repairs.</summary>
    public static long SecondsBetween(DateTimeOffset from, DateTimeOffset to) => (long)Math.Floor((to - from).TotalSeconds);

    private static RepairDayFigures Row(Dictionary<Key, RepairDayFigures> into, Key key)
    {
        if (!into.TryGetValue(key, out var row))
        {
            into[key] = row = new RepairDayFigures { EstateId = key.EstateId, Dimension = key.Dimension, MemberId = key.MemberId, Day = key.Day };
        }

        return row;
    }

    /// <summary>Adds another row's counts (the KPI page sums rows of a group).</summary>
    internal void Add(RepairDayFigures o)
    {
        Reported += o.Reported;
        Handled += o.Handled;
        OnTime += o.OnTime;
        ResolveSeconds += o.ResolveSeconds;
        Reopened += o.Reopened;
        Rated += o.Rated;
        Stars += o.Stars;
        Closed += o.Closed;
    }

    private bool IsZero => Reported == 0 && Handled == 0 && OnTime == 0 && ResolveSeconds == 0 && Reopened == 0 && Rated == 0 && Stars == 0 && Closed == 0;

    /// <summary>
    /// The change the pending repair rows make to the figures (added: their state; modified: new minus original; deleted:
    /// minus original). Read before SaveChanges, while the original values are still the ones the update is conditioned on
    /// (Status and AssigneeId are concurrency tokens, and every change that moves a figure changes one of them: a
    /// reassignment keeps the status). The buildings of the flats reported for are read here; a flat never moves.
    /// </summary>
    internal static async Task<List<RepairDayFigures>> PendingChangesAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        var entries = db.ChangeTracker.Entries<Repair>().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        var households = entries.SelectMany(e => new[] { e.OriginalValues.GetValue<long?>(nameof(Repair.HouseholdId)), e.Entity.HouseholdId })
            .OfType<long>().Distinct().ToList();
        var buildingOf = households.Count == 0 ? [] : await db.Households.AsNoTracking().Unscoped(Because.DetailsOfARowInScope)
            .Where(h => households.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.BuildingId, ct);
        long? BuildingOf(long? household) => household is { } h ? buildingOf[h] : null;

        var deltas = new Dictionary<Key, RepairDayFigures>();
        foreach (var e in entries)
        {
            if (e.State is EntityState.Modified or EntityState.Deleted)
            {
                var o = e.OriginalValues;
                Contribute(deltas, new Counted(o.GetValue<long>(nameof(Repair.EstateId)), BuildingOf(o.GetValue<long?>(nameof(Repair.HouseholdId))),
                    o.GetValue<long?>(nameof(Repair.AssigneeId)), o.GetValue<DateTimeOffset>(nameof(Repair.CreatedAt)), o.GetValue<RepairStatus>(nameof(Repair.Status)),
                    o.GetValue<DateTimeOffset>(nameof(Repair.DeadlineAt)), o.GetValue<DateTimeOffset?>(nameof(Repair.ResolvedAt)), o.GetValue<int?>(nameof(Repair.Stars)),
                    o.GetValue<int>(nameof(Repair.ReopenCount))), -1);
            }

            if (e.State is EntityState.Added or EntityState.Modified)
            {
                var r = e.Entity;
                Contribute(deltas, new Counted(r.EstateId, BuildingOf(r.HouseholdId), r.AssigneeId, r.CreatedAt, r.Status, r.DeadlineAt, r.ResolvedAt, r.Stars,
                    r.ReopenCount), +1);
            }
        }

        // Sorted by the primary key, so concurrent steps lock the rows they share in the same order (no deadlock between them).
        return deltas.Where(d => !d.Value.IsZero).OrderBy(d => d.Key).Select(d => d.Value).ToList();
    }

    /// <summary>
    /// Adds the changes to the rows, creating missing ones: one atomic multi-row upsert (its rows in key order), inside the
    /// caller's transaction.
    /// </summary>
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

        var values = new List<object>(changes.Count * 12);
        var rows = new List<string>(changes.Count);
        foreach (var d in changes)
        {
            var at = values.Count;
            rows.Add("(" + string.Join(", ", Enumerable.Range(at, 12).Select(i => $"{{{i}}}")) + ")");
            values.AddRange([d.EstateId, (byte)d.Dimension, d.Day, d.MemberId, d.Reported, d.Handled, d.OnTime, d.ResolveSeconds, d.Reopened, d.Rated, d.Stars, d.Closed]);
        }

        var upsert = db.Database.IsSqliteProvider() ? SqliteOnConflict : MariaDbOnDuplicate;
        await db.Database.ExecuteSqlRawAsync(Insert + string.Join(", ", rows) + upsert, values, ct);
    }

    private const string Insert = "INSERT INTO RepairDayFigures (EstateId, Dimension, Day, MemberId, Reported, Handled, OnTime, ResolveSeconds, Reopened, Rated, Stars, Closed) VALUES ";

    private const string MariaDbOnDuplicate = """
         ON DUPLICATE KEY UPDATE Reported = Reported + VALUES(Reported), Handled = Handled + VALUES(Handled), OnTime = OnTime + VALUES(OnTime),
         ResolveSeconds = ResolveSeconds + VALUES(ResolveSeconds), Reopened = Reopened + VALUES(Reopened), Rated = Rated + VALUES(Rated),
         Stars = Stars + VALUES(Stars), Closed = Closed + VALUES(Closed)
        """;

    private const string SqliteOnConflict = """
         ON CONFLICT (EstateId, Dimension, Day, MemberId) DO UPDATE SET Reported = Reported + excluded.Reported, Handled = Handled + excluded.Handled,
         OnTime = OnTime + excluded.OnTime, ResolveSeconds = ResolveSeconds + excluded.ResolveSeconds, Reopened = Reopened + excluded.Reopened,
         Rated = Rated + excluded.Rated, Stars = Stars + excluded.Stars, Closed = Closed + excluded.Closed
        """;

    /// <summary>
    /// The repairs reported in [from, to) as the figures count them, with the building of each one's flat: the rebuild's
    /// stream, and the KPI page's part days and views the rows do not cover.
    /// </summary>
    internal static IQueryable<Counted> CountedOf(NeighbourHubDbContext db, IQueryable<Repair> repairs) =>
        from r in repairs
        where r.Status != RepairStatus.Cancelled
        join h in db.Households.Unscoped(Because.DetailsOfARowInScope) on r.HouseholdId equals h.Id into flat
        from h in flat.DefaultIfEmpty()
        select new Counted(r.EstateId, h == null ? null : (long?)h.BuildingId, r.AssigneeId, r.CreatedAt, r.Status, r.DeadlineAt, r.ResolvedAt, r.Stars, r.ReopenCount);

    /// <summary>
    /// How a reader splits a period [from, to): the whole Beijing days [<see cref="PeriodSplit.FirstWholeDay"/>,
    /// <see cref="PeriodSplit.EndDay"/>) from the rows; the part days at either end (a period starting at an hour other
    /// than midnight, and the last day so far) live from the repairs, each a small index range.
    /// </summary>
    internal sealed record PeriodSplit(DateOnly FirstWholeDay, DateOnly EndDay, IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> PartDays)
    {
        public static PeriodSplit Of(DateTimeOffset from, DateTimeOffset to)
        {
            var fromDay = ChinaTime.DayOf(from);
            var firstWhole = ChinaTime.StartOf(fromDay) == from ? fromDay : fromDay.AddDays(1);
            var toDay = ChinaTime.DayOf(to);
            var parts = new List<(DateTimeOffset, DateTimeOffset)>();
            if (firstWhole > fromDay)
            {
                var end = ChinaTime.StartOf(firstWhole);
                parts.Add((from, end < to ? end : to));
            }

            if (toDay >= firstWhole && ChinaTime.StartOf(toDay) < to)
            {
                parts.Add((ChinaTime.StartOf(toDay), to));
            }

            return new PeriodSplit(firstWhole, toDay, parts);
        }
    }

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

        var rows = new Dictionary<Key, RepairDayFigures>();
        await foreach (var r in CountedOf(db, db.Repairs.AsNoTracking()).AsAsyncEnumerable().WithCancellation(ct))
        {
            Contribute(rows, r, +1);
        }

        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.RepairDayFigures.ExecuteDeleteAsync(ct);
        foreach (var chunk in rows.OrderBy(r => r.Key).Select(r => r.Value).Chunk(1000))
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
        // The key is the range every reader scans: an estate's days in one dimension (of all its members).
        b.HasKey(x => new { x.EstateId, x.Dimension, x.Day, x.MemberId });
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}
