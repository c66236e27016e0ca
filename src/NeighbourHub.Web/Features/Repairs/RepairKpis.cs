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
public sealed class RepairKpis(TimeProvider clock)
{
    public const int MinItemsToRank = 10;
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    private sealed record Item(long Id, long EstateId, long? HouseholdId, long? AssigneeId, RepairStatus Status, DateTimeOffset CreatedAt,
        DateTimeOffset DeadlineAt, DateTimeOffset? ResolvedAt, int? Stars, int ReopenCount);

    public async Task<KpiReport> ComputeAsync(NeighbourHubDbContext db, DateTimeOffset from, DateTimeOffset to, KpiGrouping by, long? estateId, CancellationToken ct)
    {
        if (to <= from || to - from > MaxPeriod)
        {
            throw new DomainValidationException("to", "统计区间的开始时间须早于结束时间，且最长 366 天。");
        }

        // Scoped by the query filter: staff see KPIs of the estates they may see. One pass in memory keeps the
        // arithmetic identical on SQLite and MariaDB; a year of a large street is tens of thousands of rows.
        var items = await db.Repairs.AsNoTracking()
            .Where(r => r.CreatedAt >= from && r.CreatedAt < to && r.Status != RepairStatus.Cancelled && (estateId == null || r.EstateId == estateId))
            .Select(r => new Item(r.Id, r.EstateId, r.HouseholdId, r.AssigneeId, r.Status, r.CreatedAt, r.DeadlineAt, r.ResolvedAt, r.Stars, r.ReopenCount))
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var groups = by switch
        {
            KpiGrouping.Estate => await ByEstateAsync(db, items, ct),
            KpiGrouping.Grid => await ByGridAsync(db, items, ct),
            KpiGrouping.Firm => await ByFirmAsync(db, items, ct),
            _ => await ByAssigneeAsync(db, items, ct),
        };
        var rows = groups.Select(g => Row(g.Key, g.Name, g.Items, now)).ToList();
        var rank = 0;
        var ranked = rows.Where(r => r.Ranked)
            .OrderByDescending(r => r.HandlingRate).ThenByDescending(r => r.OnTimeRate).ThenByDescending(r => r.Satisfaction)
            .Select(r => r with { Rank = ++rank }).ToList();
        var unranked = rows.Where(r => !r.Ranked).OrderByDescending(r => r.Total).ThenBy(r => r.Name, StringComparer.Ordinal);
        return new KpiReport(from, to, by, Row("all", "全部", items, now), [.. ranked, .. unranked]);
    }

    private static KpiRow Row(string key, string name, IReadOnlyCollection<Item> items, DateTimeOffset now)
    {
        var handled = items.Where(i => i.Status is RepairStatus.Resolved or RepairStatus.Closed && i.ResolvedAt is not null).ToList();
        var rated = items.Where(i => i.Stars is not null).ToList();
        return new KpiRow(
            key, name, items.Count, handled.Count,
            Ratio(handled.Count, items.Count),
            Ratio(handled.Count(i => i.ResolvedAt <= i.DeadlineAt), handled.Count),
            handled.Count == 0 ? null : Math.Round(handled.Average(i => (i.ResolvedAt!.Value - i.CreatedAt).TotalHours), 1),
            rated.Count == 0 ? null : Math.Round(rated.Average(i => i.Stars!.Value), 2),
            rated.Count,
            Ratio(handled.Count(i => i.ReopenCount > 0), handled.Count),
            items.Count(i => Repair.IsOpenStatus(i.Status) && now > i.DeadlineAt),
            items.Count >= MinItemsToRank,
            null);
    }

    private static double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private sealed record Group(string Key, string Name, List<Item> Items);

    private static async Task<List<Group>> ByEstateAsync(NeighbourHubDbContext db, List<Item> items, CancellationToken ct)
    {
        var ids = items.Select(i => i.EstateId).Distinct().ToList();
        var names = await db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        return items.GroupBy(i => i.EstateId).Select(g => new Group($"estate:{g.Key}", names.GetValueOrDefault(g.Key, $"#{g.Key}"), g.ToList())).ToList();
    }

    /// <summary>By the grid covering the household's building; public-area reports without a household count as "未分网格".</summary>
    private static async Task<List<Group>> ByGridAsync(NeighbourHubDbContext db, List<Item> items, CancellationToken ct)
    {
        var households = items.Where(i => i.HouseholdId is not null).Select(i => i.HouseholdId!.Value).Distinct().ToList();
        var gridOf = await (from h in db.Households.Unscoped(Because.DetailsOfARowInScope)
                            where households.Contains(h.Id)
                            join gb in db.GridBuildings on h.BuildingId equals gb.BuildingId
                            join g in db.Grids.Unscoped(Because.DetailsOfARowInScope) on gb.GridId equals g.Id
                            select new { HouseholdId = h.Id, g.Id, g.Name }).ToListAsync(ct);
        var byHousehold = gridOf.GroupBy(x => x.HouseholdId).ToDictionary(g => g.Key, g => g.First());
        return items.GroupBy(i => i.HouseholdId is { } h && byHousehold.TryGetValue(h, out var grid) ? (grid.Id, grid.Name) : (0L, "未分网格"))
            .Select(g => new Group($"grid:{g.Key.Item1}", g.Key.Item2, g.ToList())).ToList();
    }

    /// <summary>By the firm that served the estate on the day the repair was reported (接管 dates matter); none is "业主自管".</summary>
    private static async Task<List<Group>> ByFirmAsync(NeighbourHubDbContext db, List<Item> items, CancellationToken ct)
    {
        var estates = items.Select(i => i.EstateId).Distinct().ToList();
        var contracts = await (from c in db.EstateFirmContracts.Unscoped(Because.DetailsOfARowInScope)
                               where estates.Contains(c.EstateId)
                               join f in db.PropertyFirms on c.PropertyFirmId equals f.Id
                               select new { Contract = c, f.Id, f.Name }).AsNoTracking().ToListAsync(ct);
        return items.GroupBy(i =>
            {
                var day = ChinaTime.DayOf(i.CreatedAt);
                var c = contracts.FirstOrDefault(c => c.Contract.EstateId == i.EstateId && c.Contract.IsActiveOn(day));
                return c is null ? (0L, "业主自管") : (c.Id, c.Name);
            })
            .Select(g => new Group($"firm:{g.Key.Item1}", g.Key.Item2, g.ToList())).ToList();
    }

    private static async Task<List<Group>> ByAssigneeAsync(NeighbourHubDbContext db, List<Item> items, CancellationToken ct)
    {
        var ids = items.Where(i => i.AssigneeId is not null).Select(i => i.AssigneeId!.Value).Distinct().ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).Select(AdminUser.Named).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        return items.GroupBy(i => i.AssigneeId ?? 0)
            .Select(g => new Group($"assignee:{g.Key}", g.Key == 0 ? "未派单" : names.GetValueOrDefault(g.Key, $"#{g.Key}"), g.ToList())).ToList();
    }
}
