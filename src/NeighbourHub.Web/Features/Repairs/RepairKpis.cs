using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Repairs;

public enum KpiGrouping { Estate, Grid, Firm, Assignee }

/// <summary>
/// One row of the KPI table. Rates are 0..1 (null when there is nothing to divide by); hours are
/// averages. <see cref="Ranked"/> is false for groups with fewer than <see cref="RepairKpis.MinItemsToRank"/>
/// repairs: they are shown, but a rank on a handful of items would say more about luck than work.
/// </summary>
public sealed record KpiRow(
    string Key, string Name, int Total, int Handled, double? HandlingRate, double? OnTimeRate, double? AverageHoursToResolve,
    double? Satisfaction, int Rated, double? ReopenRate, int Overdue, bool Ranked, int? Rank);

public sealed record KpiReport(DateTimeOffset From, DateTimeOffset To, KpiGrouping By, KpiRow Overall, IReadOnlyList<KpiRow> Rows);

/// <summary>
/// Repair KPIs over repairs reported in [from, to), cancelled ones left out:
/// handling rate = resolved or closed ÷ total; on-time rate = handled by the deadline ÷ handled;
/// average time to resolve = mean hours from report to resolution; satisfaction = mean stars of rated
/// repairs; reopen rate = repairs reopened at least once ÷ handled. Ranked by handling rate, then
/// on-time rate, then satisfaction.
/// </summary>
/// <remarks>
/// Counted from <see cref="RepairDayFigures"/> (ADR 0013): the whole days of the period from the rows of the grouping's
/// dimension (estate: by estate, and by firm with each day's contract; building: by grid; assignee), the part days at
/// either end and the open repairs past their deadline live from the repairs, so a year over a million repairs reads a
/// few thousand rows. A caller narrowed to grid buildings sees less than an estate's rows: their view is counted live,
/// through the same <see cref="RepairDayFigures.Contribute"/>, so both paths do the same arithmetic.
/// </remarks>
public sealed class RepairKpis(TimeProvider clock)
{
    public const int MinItemsToRank = 10;
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    public async Task<KpiReport> ComputeAsync(NeighbourHubDbContext db, DateTimeOffset from, DateTimeOffset to, KpiGrouping by, long? estateId, CancellationToken ct)
    {
        if (to <= from || to - from > MaxPeriod)
        {
            throw new DomainValidationException("to", "统计区间的开始时间须早于结束时间，且最长 366 天。");
        }

        // The estates in view, named explicitly so every read below is an index range over them.
        var estateNames = await db.Estates.AsNoTracking().Where(e => estateId == null || e.Id == estateId).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        var estates = estateNames.Keys.ToList();
        // As UTC instants, the way the providers store them.
        var (start, end) = (from.ToUniversalTime(), to.ToUniversalTime());
        var dimension = by switch
        {
            KpiGrouping.Grid => FigureDimension.Building,
            KpiGrouping.Assignee => FigureDimension.Assignee,
            _ => FigureDimension.Estate,
        };
        var live = db.Scope.Value.GridOnlyEstateIds is { Count: > 0 } gridOnly && estates.Any(gridOnly.Contains);
        var figures = await FiguresAsync(db, estates, start, end, dimension, by == KpiGrouping.Firm, live, ct);
        // The overall row sums estate rows; by estate and by firm (per day) those are the rows just read.
        var wholeEstates = dimension == FigureDimension.Estate ? figures : await FiguresAsync(db, estates, start, end, FigureDimension.Estate, false, live, ct);

        // Open now and past the deadline: a few of the open repairs, which are a small part of all.
        var now = clock.GetUtcNow();
        var overdue = await RepairDayFigures.CountedOf(db, db.Repairs.AsNoTracking()
                .Where(r => estates.Contains(r.EstateId) && r.CreatedAt >= start && r.CreatedAt < end).Where(Repair.Open).Where(r => r.DeadlineAt < now))
            .ToListAsync(ct);

        var groupOf = by switch
        {
            KpiGrouping.Estate => (estate, _, _) => ($"estate:{estate}", estateNames.GetValueOrDefault(estate, "")),
            KpiGrouping.Firm => await FirmOfAsync(db, estates, ct),
            KpiGrouping.Grid => await GridOfAsync(db, figures.Select(f => f.MemberId).Concat(overdue.Select(o => o.BuildingId ?? 0)), ct),
            _ => await AssigneeOfAsync(db, figures.Select(f => f.MemberId).Concat(overdue.Select(o => o.AssigneeId ?? 0)), ct),
        };
        var groups = new Dictionary<(string Key, string Name), Tally>();
        Tally TallyOf(long estate, long member, DateOnly day)
        {
            var key = groupOf(estate, member, day);
            return groups.TryGetValue(key, out var tally) ? tally : groups[key] = new Tally();
        }

        foreach (var f in figures)
        {
            TallyOf(f.EstateId, f.MemberId, f.Day).Figures.Add(f);
        }

        foreach (var o in overdue)
        {
            var member = dimension switch
            {
                FigureDimension.Building => o.BuildingId ?? 0,
                FigureDimension.Assignee => o.AssigneeId ?? 0,
                _ => 0,
            };
            TallyOf(o.EstateId, member, ChinaTime.DayOf(o.CreatedAt)).Overdue++;
        }

        var rows = groups.Select(g => Row(g.Key.Key, g.Key.Name, g.Value.Figures, g.Value.Overdue)).ToList();
        var rank = 0;
        var ranked = rows.Where(r => r.Ranked)
            .OrderByDescending(r => r.HandlingRate).ThenByDescending(r => r.OnTimeRate).ThenByDescending(r => r.Satisfaction)
            .Select(r => r with { Rank = ++rank }).ToList();
        var unranked = rows.Where(r => !r.Ranked).OrderByDescending(r => r.Total).ThenBy(r => r.Name, StringComparer.Ordinal);
        var all = new RepairDayFigures();
        foreach (var f in wholeEstates)
        {
            all.Add(f);
        }

        return new KpiReport(from, to, by, Row("all", "全部", all, overdue.Count), [.. ranked, .. unranked]);
    }

    /// <summary>One group's figures summed, and its open repairs past their deadline.</summary>
    private sealed class Tally
    {
        public RepairDayFigures Figures { get; } = new();
        public int Overdue;
    }

    private static KpiRow Row(string key, string name, RepairDayFigures f, int overdue) => new(
        key, name, f.Reported, f.Handled,
        Ratio(f.Handled, f.Reported),
        Ratio(f.OnTime, f.Handled),
        f.Handled == 0 ? null : Math.Round(f.ResolveSeconds / 3600.0 / f.Handled, 1),
        f.Rated == 0 ? null : Math.Round((double)f.Stars / f.Rated, 2),
        f.Rated,
        Ratio(f.Reopened, f.Handled),
        overdue,
        f.Reported >= MinItemsToRank,
        null);

    private static double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    /// <summary>
    /// The figures of the repairs reported in the period, in one dimension: per estate and member, summed by the database
    /// over the period's days; per day too when <paramref name="perDay"/> (the firm of an estate changes on a contract's
    /// day). Rows that count no report (a day on which only resolutions fell) are left out.
    /// </summary>
    private static async Task<List<RepairDayFigures>> FiguresAsync(NeighbourHubDbContext db, List<long> estates, DateTimeOffset from, DateTimeOffset to,
        FigureDimension dimension, bool perDay, bool live, CancellationToken ct)
    {
        // A live view counts the whole period as one part.
        var period = live ? new RepairDayFigures.PeriodSplit(DateOnly.MinValue, DateOnly.MinValue, [(from, to)]) : RepairDayFigures.PeriodSplit.Of(from, to);
        var days = db.RepairDayFigures.AsNoTracking()
            .Where(d => estates.Contains(d.EstateId) && d.Dimension == dimension && d.Day >= period.FirstWholeDay && d.Day < period.EndDay);
        var rows = live ? [] : perDay ? await days.Where(d => d.Reported != 0).ToListAsync(ct) : await days.GroupBy(d => new { d.EstateId, d.MemberId })
            .Select(g => new RepairDayFigures
            {
                EstateId = g.Key.EstateId,
                Dimension = dimension,
                MemberId = g.Key.MemberId,
                Reported = g.Sum(d => d.Reported),
                Handled = g.Sum(d => d.Handled),
                OnTime = g.Sum(d => d.OnTime),
                ResolveSeconds = g.Sum(d => d.ResolveSeconds),
                Reopened = g.Sum(d => d.Reopened),
                Rated = g.Sum(d => d.Rated),
                Stars = g.Sum(d => d.Stars),
            }).ToListAsync(ct);
        var partDays = new Dictionary<RepairDayFigures.Key, RepairDayFigures>();
        foreach (var (partFrom, partTo) in period.PartDays)
        {
            var (sliceFrom, sliceTo) = (partFrom.ToUniversalTime(), partTo.ToUniversalTime());
            var slice = db.Repairs.AsNoTracking().Where(r => estates.Contains(r.EstateId) && r.CreatedAt >= sliceFrom && r.CreatedAt < sliceTo);
            foreach (var r in await RepairDayFigures.CountedOf(db, slice).ToListAsync(ct))
            {
                RepairDayFigures.Contribute(partDays, r, +1);
            }
        }

        rows.AddRange(partDays.Values.Where(d => d.Dimension == dimension));
        return rows.Where(d => d.Reported != 0).ToList();
    }

    private delegate (string Key, string Name) GroupOfRow(long estateId, long memberId, DateOnly day);

    /// <summary>By the firm that served the estate on the day the repair was reported (接管 dates matter); none is "业主自管".</summary>
    private static async Task<GroupOfRow> FirmOfAsync(NeighbourHubDbContext db, List<long> estates, CancellationToken ct)
    {
        var contracts = await (from c in db.EstateFirmContracts.Unscoped(Because.DetailsOfARowInScope)
                               where estates.Contains(c.EstateId)
                               join f in db.PropertyFirms on c.PropertyFirmId equals f.Id
                               select new { Contract = c, f.Id, f.Name }).AsNoTracking().ToListAsync(ct);
        return (estate, _, day) => contracts.FirstOrDefault(c => c.Contract.EstateId == estate && c.Contract.IsActiveOn(day)) is { } c
            ? ($"firm:{c.Id}", c.Name)
            : ("firm:0", "业主自管");
    }

    /// <summary>By the grid covering the building of the flat reported for; public-area reports and buildings outside every grid are "未分网格".</summary>
    private static async Task<GroupOfRow> GridOfAsync(NeighbourHubDbContext db, IEnumerable<long> buildingIds, CancellationToken ct)
    {
        var buildings = buildingIds.Where(b => b != 0).Distinct().ToList();
        var grids = await (from gb in db.GridBuildings
                           where buildings.Contains(gb.BuildingId)
                           join g in db.Grids.Unscoped(Because.DetailsOfARowInScope) on gb.GridId equals g.Id
                           select new { gb.BuildingId, g.Id, g.Name }).ToListAsync(ct);
        // A building in two grids counts for the first made.
        var gridOf = grids.GroupBy(x => x.BuildingId).ToDictionary(g => g.Key, g => g.MinBy(x => x.Id)!);
        return (_, building, _) => gridOf.TryGetValue(building, out var grid) ? ($"grid:{grid.Id}", grid.Name) : ("grid:0", "未分网格");
    }

    private static async Task<GroupOfRow> AssigneeOfAsync(NeighbourHubDbContext db, IEnumerable<long> assigneeIds, CancellationToken ct)
    {
        var ids = assigneeIds.Where(a => a != 0).Distinct().ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).Select(AdminUser.Named).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        return (_, assignee, _) => assignee == 0 ? ("assignee:0", "未派单") : ($"assignee:{assignee}", names.GetValueOrDefault(assignee, "（未知人员）"));
    }
}
