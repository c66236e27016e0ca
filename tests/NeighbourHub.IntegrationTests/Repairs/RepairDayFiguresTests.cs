using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The repair day figures (ADR 0013) against a recount from the repairs themselves, in all three dimensions (estate,
/// building, assignee): after many transitions replayed through <see cref="RepairService"/> (report for a flat or a
/// public area, assign, reassign, start, resolve, reopen, rate, cancel) over six weeks and two estates; after staff
/// racing each other on the same repairs over separate connections; the home page's figures for a period starting
/// mid-day (day figures plus live part days) equal to the same recount; and the KPI page, in every grouping, equal to
/// the same KPIs counted live from the repairs.
/// </summary>
public sealed class RepairDayFiguresTests(AppFixture fixture) : AppTest(fixture)
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <param name="StaffOf">Who may be assigned in each estate: the community admin, and the firm (A1) or the grid worker (A2).</param>
    /// <param name="FlatsOf">The resident's approved flats in each estate; <paramref name="FlatCategoryOf"/> the in-flat category to report them under.</param>
    private sealed record Setup(long AdminId, long ResidentId, Dictionary<long, long> CategoryOf, Dictionary<long, long> FlatCategoryOf,
        Dictionary<long, long[]> StaffOf, Dictionary<long, long[]> FlatsOf);

    private async Task<Setup> SetupAsync(string openId = "day-figures")
    {
        await using var db = App.SystemDb();
        var staff = await db.Users.Where(u => u.UserName == "adminA" || u.UserName == "firmF" || u.UserName == "gridA2").ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var resident = new Resident { OpenId = openId, Nickname = "报修人" };
        db.Residents.Add(resident);
        await db.SaveChangesAsync();
        var flats = new Dictionary<long, long[]> { [Org.EstateA1] = [Org.HouseholdsA1[0], Org.HouseholdsA1[1]], [Org.EstateA2] = [Org.HouseholdsA2[0]] };
        foreach (var (estate, households) in flats)
        {
            foreach (var household in households)
            {
                var residence = Residence.Apply(resident.Id, household, estate, ResidenceRelation.Owner, "李四", DateTimeOffset.UtcNow);
                residence.Approve(null, DateTimeOffset.UtcNow);
                db.Residences.Add(residence);
            }
        }

        await db.SaveChangesAsync();
        var estates = new[] { Org.EstateA1, Org.EstateA2 };
        var categories = await db.RepairCategories.Where(c => c.IsPublicArea && c.Name == "公共照明" && estates.Contains(c.EstateId)).ToDictionaryAsync(c => c.EstateId, c => c.Id);
        var flatCategories = await db.RepairCategories.Where(c => !c.IsPublicArea && c.Name == "水电" && estates.Contains(c.EstateId)).ToDictionaryAsync(c => c.EstateId, c => c.Id);
        var staffOf = new Dictionary<long, long[]> { [Org.EstateA1] = [staff["adminA"], staff["firmF"]], [Org.EstateA2] = [staff["adminA"], staff["gridA2"]] };
        return new Setup(staff["adminA"], resident.Id, categories, flatCategories, staffOf, flats);
    }

    /// <summary>A report for one of the resident's flats or (one in three) a public area.</summary>
    private static async Task<Repair> ReportAsync(RepairService service, NeighbourHubDbContext db, Setup s, long estate, Random random, string description)
    {
        var flats = s.FlatsOf[estate];
        return random.Next(3) == 0
            ? await service.SubmitAsync(db, s.ResidentId, estate, null, s.CategoryOf[estate], description, "东门", null, default)
            : await service.SubmitAsync(db, s.ResidentId, estate, flats[random.Next(flats.Length)], s.FlatCategoryOf[estate], description, "", null, default);
    }

    /// <summary>A context acting as the staff member (the community admin unless named): only the assignee may start a repair.</summary>
    private NeighbourHubDbContext StaffDb(Setup s, long? staffId = null)
    {
        var db = App.SystemDb();
        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [Org.EstateA1, Org.EstateA2], [Org.CommunityA], AdminUserId: staffId ?? s.AdminId,
            ActorName: "adminA", Roles: [AdminRole.CommunityAdmin]));
        return db;
    }

    /// <summary>One random step that the repair's state allows; false when it has none left (closed, cancelled).</summary>
    private async Task<bool> StepAsync(RepairService service, NeighbourHubDbContext db, Setup s, long id, Random random)
    {
        var repair = await db.Repairs.AsNoTracking().SingleAsync(r => r.Id == id);
        db.ChangeTracker.Clear();
        long AnyStaff() => s.StaffOf[repair.EstateId][random.Next(s.StaffOf[repair.EstateId].Length)];
        async Task<Repair> StartAsAssigneeAsync()
        {
            await using var assignee = StaffDb(s, repair.AssigneeId);
            return await service.StartAsync(assignee, id, default);
        }

        try
        {
            switch (repair.Status)
            {
                case RepairStatus.Submitted:
                    await (random.Next(6) == 0 ? service.CancelAsync(db, id, s.ResidentId, default) : service.AssignAsync(db, id, AnyStaff(), default));
                    return true;
                case RepairStatus.Assigned:
                    // Cancelled, reassigned (status unchanged: only the assignee's figures move) or started by the assignee.
                    await (random.Next(8) switch
                    {
                        0 => service.CancelAsync(db, id, s.ResidentId, default),
                        1 or 2 => service.AssignAsync(db, id, AnyStaff(), default),
                        _ => StartAsAssigneeAsync(),
                    });
                    return true;
                case RepairStatus.InProgress:
                    await service.ResolveAsync(db, id, "已修好", null, default);
                    return true;
                case RepairStatus.Resolved:
                    await (random.Next(3) == 0 ? service.ReopenAsync(db, id, s.ResidentId, "又坏了", default)
                        : service.RateAsync(db, id, s.ResidentId, 1 + random.Next(5), null, default));
                    return true;
                default:
                    return false;
            }
        }
        catch (ConflictException)
        {
            // Reopen past its window, or (racing) another step got there first: the repair keeps its state.
            db.ChangeTracker.Clear();
            return true;
        }
    }

    /// <summary>The figures recounted from the repairs, written out plainly (not through the code under test).</summary>
    private static async Task<Dictionary<(long, FigureDimension, long, DateOnly), long[]>> RecountAsync(NeighbourHubDbContext db)
    {
        var repairs = await db.Repairs.AsNoTracking().Where(r => r.Status != RepairStatus.Cancelled).ToListAsync();
        var buildingOf = await db.Households.AsNoTracking().ToDictionaryAsync(h => h.Id, h => h.BuildingId);
        var rows = new Dictionary<(long, FigureDimension, long, DateOnly), long[]>();
        foreach (var r in repairs)
        {
            var members = new[]
            {
                (FigureDimension.Estate, 0L),
                (FigureDimension.Building, r.HouseholdId is { } h ? buildingOf[h] : 0L),
                (FigureDimension.Assignee, r.AssigneeId ?? 0L),
            };
            foreach (var (dimension, member) in members)
            {
                long[] Row(DateTimeOffset at) =>
                    rows.TryGetValue((r.EstateId, dimension, member, ChinaTime.DayOf(at)), out var row) ? row : rows[(r.EstateId, dimension, member, ChinaTime.DayOf(at))] = new long[8];
                var row = Row(r.CreatedAt);
                row[0]++;
                if ((r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt is not null)
                {
                    row[1]++;
                    row[2] += r.ResolvedAt <= r.DeadlineAt ? 1 : 0;
                    row[3] += (long)Math.Floor((r.ResolvedAt!.Value - r.CreatedAt).TotalSeconds);
                    row[4] += r.ReopenCount > 0 ? 1 : 0;
                    Row(r.ResolvedAt.Value)[7]++;
                }

                if (r.Stars is { } stars)
                {
                    row[5]++;
                    row[6] += stars;
                }
            }
        }

        return rows;
    }

    private static async Task AssertFiguresMatchRecountAsync(NeighbourHubDbContext db)
    {
        var expected = await RecountAsync(db);
        var stored = (await db.RepairDayFigures.AsNoTracking().ToListAsync())
            .Where(f => f.Reported != 0 || f.Closed != 0 || f.Handled != 0 || f.Rated != 0)
            .ToDictionary(f => (f.EstateId, f.Dimension, f.MemberId, f.Day),
                f => new long[] { f.Reported, f.Handled, f.OnTime, f.ResolveSeconds, f.Reopened, f.Rated, f.Stars, f.Closed });
        Assert.True(expected.Count > 3, "the steps should spread over several days");
        foreach (var dimension in new[] { FigureDimension.Building, FigureDimension.Assignee })
        {
            Assert.True(expected.Keys.Where(k => k.Item2 == dimension).Select(k => k.Item3).Distinct().Count() >= 3, $"the steps should spread over several members of {dimension}");
        }

        Assert.Equal(expected.Keys.Order().ToList(), stored.Keys.Order().ToList());
        foreach (var (key, row) in expected)
        {
            Assert.True(row.SequenceEqual(stored[key]), $"{key}: expected [{string.Join(", ", row)}], stored [{string.Join(", ", stored[key])}]");
        }
    }

    [Fact]
    public async Task Figures_kept_by_every_step_equal_a_recount_and_a_rebuild_and_the_home_page_reads_them()
    {
        var s = await SetupAsync();
        var random = new Random(15);
        var start = DateTimeOffset.UtcNow.AddDays(-45);
        var clock = new ManualClock(start);
        var service = new RepairService(clock);
        var ids = new List<long>();
        await using (var db = StaffDb(s))
        {
            for (var i = 0; i < 160; i++)
            {
                clock.Now = start.AddMinutes(random.Next(0, 42 * 24 * 60));
                var estate = i % 3 == 0 ? Org.EstateA2 : Org.EstateA1;
                var repair = await ReportAsync(service, db, s, estate, random, $"路灯不亮 #{i}");
                ids.Add(repair.Id);
                db.ChangeTracker.Clear();
                // Steps hours to days apart (so some finish late, some reopen in time, some cannot), the last ones possibly after "now".
                for (var step = 0; step < 7; step++)
                {
                    clock.Now = clock.Now.AddMinutes(random.Next(10, 60 * 60));
                    if (!await StepAsync(service, db, s, repair.Id, random))
                    {
                        break;
                    }
                }
            }

            var statuses = await db.Repairs.Where(r => ids.Contains(r.Id)).GroupBy(r => r.Status).Select(g => g.Key).ToListAsync();
            Assert.Contains(RepairStatus.Closed, statuses);
            Assert.Contains(RepairStatus.Cancelled, statuses);
            Assert.True(await db.Repairs.AnyAsync(r => r.ReopenCount > 0 && r.Status == RepairStatus.Closed), "some repairs should have been reopened and closed");
            await AssertFiguresMatchRecountAsync(db);
        }

        // The backfill's recount gives the same rows as the steps kept.
        await using (var system = App.SystemDb())
        {
            IQueryable<RepairDayFigures> Ordered() =>
                system.RepairDayFigures.AsNoTracking().OrderBy(f => f.EstateId).ThenBy(f => f.Dimension).ThenBy(f => f.Day).ThenBy(f => f.MemberId);
            var before = await Ordered().Where(f => f.Reported != 0 || f.Closed != 0).ToListAsync();
            await RepairDayFigures.RebuildAsync(system, default);
            var after = await Ordered().ToListAsync();
            Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(after.Where(f => f.Reported != 0 || f.Closed != 0)));
        }

        // The home page over a period starting mid-day: whole days from the figures, the part days live; equal to a recount.
        var from = ChinaTime.StartOf(ChinaTime.DayOf(start.AddDays(3))).AddHours(13.5);
        var to = DateTimeOffset.UtcNow;
        var admin = await App.AdminClientAsync("adminA");
        var response = await admin.GetAsync($"/api/v1/admin/dashboard?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var figures = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("repairs");
        await using var check = App.SystemDb();
        var all = await check.Repairs.AsNoTracking().Where(r => r.Status != RepairStatus.Cancelled).ToListAsync();
        var inPeriod = all.Where(r => r.CreatedAt >= from && r.CreatedAt < to).ToList();
        var handled = inPeriod.Where(r => r.Status is RepairStatus.Resolved or RepairStatus.Closed && r.ResolvedAt is not null).ToList();
        Assert.Equal(inPeriod.Count, figures.GetProperty("reported").GetInt32());
        Assert.Equal(handled.Count, figures.GetProperty("handled").GetInt32());
        Assert.Equal(Math.Round((double)handled.Count(r => r.ResolvedAt <= r.DeadlineAt) / handled.Count, 4), figures.GetProperty("onTimeRate").GetDouble());
        var rated = inPeriod.Where(r => r.Stars is not null).ToList();
        Assert.Equal(rated.Count, figures.GetProperty("rated").GetInt32());
        Assert.Equal(Math.Round(rated.Average(r => r.Stars!.Value), 2), figures.GetProperty("satisfaction").GetDouble());
        var fromDay = ChinaTime.DayOf(from);
        int WeekOf(DateTimeOffset at) => (ChinaTime.DayOf(at).DayNumber - fromDay.DayNumber) / 7;
        var weeks = figures.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal(fromDay, DateOnly.Parse(weeks[0].GetProperty("weekStart").GetString()!, CultureInfo.InvariantCulture));
        var closedInPeriod = all.Where(r => r.Status is RepairStatus.Resolved or RepairStatus.Closed && r.ResolvedAt >= from && r.ResolvedAt < to).ToList();
        for (var w = 0; w < weeks.Count; w++)
        {
            Assert.Equal(inPeriod.Count(r => WeekOf(r.CreatedAt) == w), weeks[w].GetProperty("opened").GetInt32());
            Assert.Equal(closedInPeriod.Count(r => WeekOf(r.ResolvedAt!.Value) == w), weeks[w].GetProperty("closed").GetInt32());
        }

        Assert.Equal(inPeriod.Count, weeks.Sum(w => w.GetProperty("opened").GetInt32()));

        // The KPI page over the same period, in every grouping: from the day rows (the community admin) and counted live
        // (the grid worker, narrowed to his grid's buildings), each equal to the KPIs computed plainly from the repairs the
        // caller sees.
        var query = $"from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}";
        var gridWorker = await App.AdminClientAsync("gridA2");
        foreach (var (userName, client) in new[] { ("adminA", admin), ("gridA2", gridWorker) })
        {
            await using var seen = App.SystemDb();
            var id = await seen.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
            seen.Scope = CurrentScope.For(await App.Services.GetRequiredService<AccessScopeResolver>().ForAdminAsync(seen, id, default));
            var visible = await seen.Repairs.AsNoTracking().Where(r => r.Status != RepairStatus.Cancelled).ToListAsync();
            Assert.True(visible.Count > (userName == "adminA" ? 60 : 5), $"{userName} should see repairs, sees {visible.Count}");
            foreach (var by in new[] { "estate", "grid", "firm", "assignee" })
            {
                var kpis = await Json(await client.GetAsync($"/api/v1/admin/repairs/kpis?{query}&by={by}"));
                var expectedRows = await KpiOracle.RowsAsync(check, visible.Where(r => r.CreatedAt >= from && r.CreatedAt < to).ToList(), by, to);
                var actualRows = kpis.GetProperty("rows").EnumerateArray().Select(KpiOracle.Line).Order().ToList();
                Assert.Equal(expectedRows.Rows, actualRows);
                Assert.Equal(expectedRows.Overall, KpiOracle.Line(kpis.GetProperty("overall")));
            }
        }
    }

    [Fact]
    public async Task Staff_racing_on_the_same_repairs_over_separate_connections_keep_the_figures_exact()
    {
        var s = await SetupAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddDays(-3));
        var service = new RepairService(clock);
        var ids = new List<long>();
        await using (var db = StaffDb(s))
        {
            for (var i = 0; i < 40; i++)
            {
                clock.Now = clock.Now.AddMinutes(97);
                ids.Add((await ReportAsync(service, db, s, i % 2 == 0 ? Org.EstateA1 : Org.EstateA2, new Random(i), $"电梯异响 #{i}")).Id);
                db.ChangeTracker.Clear();
            }
        }

        clock.Now = DateTimeOffset.UtcNow;
        // Eight workers, each on its own connection, walking the same repairs in different orders: the same step on one
        // repair races (one wins, the other hears 409), and steps on repairs reported the same day hit the same figures row.
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            await using var db = StaffDb(s);
            for (var round = 0; round < 5; round++)
            {
                foreach (var id in ids.OrderBy(_ => random.Next()))
                {
                    await StepAsync(service, db, s, id, random);
                }
            }
        })).ToList();
        await Task.WhenAll(workers);

        await using var check = App.SystemDb();
        Assert.True(await check.Repairs.CountAsync(r => ids.Contains(r.Id) && r.Status == RepairStatus.Closed) > 5, "the race should have closed repairs");
        await AssertFiguresMatchRecountAsync(check);
    }
}

/// <summary>The KPI page's figures computed plainly from the repairs, one line of text per row, to compare with its JSON.</summary>
internal static class KpiOracle
{
    public static string Line(JsonElement row)
    {
        string N(string p) => row.GetProperty(p).ValueKind == JsonValueKind.Null ? "-" : row.GetProperty(p).GetDouble().ToString(CultureInfo.InvariantCulture);
        return $"{row.GetProperty("key").GetString()} {row.GetProperty("name").GetString()}: total {N("total")}, handled {N("handled")}, rate {N("handlingRate")}, "
            + $"on time {N("onTimeRate")}, hours {N("averageHoursToResolve")}, stars {N("satisfaction")} of {N("rated")}, reopened {N("reopenRate")}, overdue {N("overdue")}";
    }

    private static string Line(string key, string name, List<Repair> items, DateTimeOffset now)
    {
        static string D(double? v) => v is { } x ? x.ToString(CultureInfo.InvariantCulture) : "-";
        double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
        var handled = items.Where(i => i.Status is RepairStatus.Resolved or RepairStatus.Closed && i.ResolvedAt is not null).ToList();
        var rated = items.Where(i => i.Stars is not null).ToList();
        var hours = handled.Count == 0 ? (double?)null
            : Math.Round(handled.Sum(i => (long)Math.Floor((i.ResolvedAt!.Value - i.CreatedAt).TotalSeconds)) / 3600.0 / handled.Count, 1);
        var overdue = items.Count(i => i.Status is RepairStatus.Submitted or RepairStatus.Assigned or RepairStatus.InProgress && now > i.DeadlineAt);
        return $"{key} {name}: total {items.Count}, handled {handled.Count}, rate {D(Ratio(handled.Count, items.Count))}, "
            + $"on time {D(Ratio(handled.Count(i => i.ResolvedAt <= i.DeadlineAt), handled.Count))}, hours {D(hours)}, "
            + $"stars {D(rated.Count == 0 ? null : Math.Round(rated.Average(i => i.Stars!.Value), 2))} of {rated.Count}, "
            + $"reopened {D(Ratio(handled.Count(i => i.ReopenCount > 0), handled.Count))}, overdue {overdue}";
    }

    public static async Task<(List<string> Rows, string Overall)> RowsAsync(NeighbourHubDbContext db, List<Repair> items, string by, DateTimeOffset now)
    {
        var estates = await db.Estates.AsNoTracking().ToDictionaryAsync(e => e.Id, e => e.Name);
        var buildingOf = await db.Households.AsNoTracking().ToDictionaryAsync(h => h.Id, h => h.BuildingId);
        var gridOf = (await db.GridBuildings.AsNoTracking().Join(db.Grids, gb => gb.GridId, g => g.Id, (gb, g) => new { gb.BuildingId, g.Id, g.Name }).ToListAsync())
            .GroupBy(x => x.BuildingId).ToDictionary(g => g.Key, g => g.MinBy(x => x.Id)!);
        var contracts = await db.EstateFirmContracts.AsNoTracking().Join(db.PropertyFirms, c => c.PropertyFirmId, f => f.Id, (c, f) => new { Contract = c, f.Name }).ToListAsync();
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.ShownName());
        (string, string) GroupOf(Repair r) => by switch
        {
            "estate" => ($"estate:{r.EstateId}", estates[r.EstateId]),
            "grid" => r.HouseholdId is { } h && gridOf.TryGetValue(buildingOf[h], out var g) ? ($"grid:{g.Id}", g.Name) : ("grid:0", "未分网格"),
            "firm" => contracts.FirstOrDefault(c => c.Contract.EstateId == r.EstateId && c.Contract.IsActiveOn(ChinaTime.DayOf(r.CreatedAt))) is { } c
                ? ($"firm:{c.Contract.PropertyFirmId}", c.Name)
                : ("firm:0", "业主自管"),
            _ => r.AssigneeId is { } a ? ($"assignee:{a}", users[a]) : ("assignee:0", "未派单"),
        };
        var rows = items.GroupBy(GroupOf).Select(g => Line(g.Key.Item1, g.Key.Item2, g.ToList(), now)).Order().ToList();
        return (rows, Line("all", "全部", items, now));
    }
}
