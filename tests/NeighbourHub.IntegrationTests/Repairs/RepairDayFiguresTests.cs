using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The repair day figures (ADR 0013) against a recount from the repairs themselves: after many transitions replayed
/// through <see cref="RepairService"/> (report, assign, start, resolve, reopen, rate, cancel) over six weeks and two
/// estates; after staff racing each other on the same repairs over separate connections; and the home page's figures
/// for a period starting mid-day (day figures plus live part days) equal to the same recount.
/// </summary>
public sealed class RepairDayFiguresTests(AppFixture fixture) : AppTest(fixture)
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Setup(long AdminId, long ResidentId, Dictionary<long, long> CategoryOf);

    private async Task<Setup> SetupAsync()
    {
        await using var db = App.SystemDb();
        var admin = await db.Users.Where(u => u.UserName == "adminA").Select(u => u.Id).SingleAsync();
        var resident = new Resident { OpenId = "day-figures", Nickname = "报修人" };
        db.Residents.Add(resident);
        await db.SaveChangesAsync();
        // Public-area categories, so the resident's reports need no approved flat.
        var categories = await db.RepairCategories.Where(c => c.IsPublicArea && c.Name == "公共照明" && (c.EstateId == Org.EstateA1 || c.EstateId == Org.EstateA2))
            .ToDictionaryAsync(c => c.EstateId, c => c.Id);
        return new Setup(admin, resident.Id, categories);
    }

    private NeighbourHubDbContext StaffDb(Setup s)
    {
        var db = App.SystemDb();
        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [Org.EstateA1, Org.EstateA2], [Org.CommunityA], AdminUserId: s.AdminId,
            ActorName: "adminA", Roles: [AdminRole.CommunityAdmin]));
        return db;
    }

    /// <summary>One random step that the repair's state allows; false when it has none left (closed, cancelled).</summary>
    private static async Task<bool> StepAsync(RepairService service, NeighbourHubDbContext db, Setup s, long id, Random random)
    {
        var repair = await db.Repairs.AsNoTracking().SingleAsync(r => r.Id == id);
        db.ChangeTracker.Clear();
        try
        {
            switch (repair.Status)
            {
                case RepairStatus.Submitted:
                    await (random.Next(6) == 0 ? service.CancelAsync(db, id, s.ResidentId, default) : service.AssignAsync(db, id, s.AdminId, default));
                    return true;
                case RepairStatus.Assigned:
                    await (random.Next(8) == 0 ? service.CancelAsync(db, id, s.ResidentId, default) : service.StartAsync(db, id, default));
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
    private static async Task<Dictionary<(long, DateOnly), long[]>> RecountAsync(NeighbourHubDbContext db)
    {
        var repairs = await db.Repairs.AsNoTracking().Where(r => r.Status != RepairStatus.Cancelled).ToListAsync();
        var rows = new Dictionary<(long, DateOnly), long[]>();
        long[] Row(long estate, DateOnly day) => rows.TryGetValue((estate, day), out var r) ? r : rows[(estate, day)] = new long[8];
        foreach (var r in repairs)
        {
            var row = Row(r.EstateId, ChinaTime.DayOf(r.CreatedAt));
            row[0]++;
            var handled = (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt is not null;
            if (handled)
            {
                row[1]++;
                row[2] += r.ResolvedAt <= r.DeadlineAt ? 1 : 0;
                row[3] += (long)Math.Floor((r.ResolvedAt!.Value - r.CreatedAt).TotalSeconds);
                row[4] += r.ReopenCount > 0 ? 1 : 0;
                Row(r.EstateId, ChinaTime.DayOf(r.ResolvedAt.Value))[7]++;
            }

            if (r.Stars is { } stars)
            {
                row[5]++;
                row[6] += stars;
            }
        }

        return rows;
    }

    private static async Task AssertFiguresMatchRecountAsync(NeighbourHubDbContext db)
    {
        var expected = await RecountAsync(db);
        var stored = (await db.RepairDayFigures.AsNoTracking().ToListAsync())
            .Where(f => f.Reported != 0 || f.Closed != 0 || f.Handled != 0 || f.Rated != 0)
            .ToDictionary(f => (f.EstateId, f.Day), f => new long[] { f.Reported, f.Handled, f.OnTime, f.ResolveSeconds, f.Reopened, f.Rated, f.Stars, f.Closed });
        Assert.True(expected.Count > 3, "the steps should spread over several days");
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
                var repair = await service.SubmitAsync(db, s.ResidentId, estate, null, s.CategoryOf[estate], $"路灯不亮 #{i}", "东门", null, default);
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
            var before = await system.RepairDayFigures.AsNoTracking().Where(f => f.Reported != 0 || f.Closed != 0).OrderBy(f => f.EstateId).ThenBy(f => f.Day).ToListAsync();
            await RepairDayFigures.RebuildAsync(system, default);
            var after = await system.RepairDayFigures.AsNoTracking().OrderBy(f => f.EstateId).ThenBy(f => f.Day).ToListAsync();
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
                ids.Add((await service.SubmitAsync(db, s.ResidentId, i % 2 == 0 ? Org.EstateA1 : Org.EstateA2, null, s.CategoryOf[i % 2 == 0 ? Org.EstateA1 : Org.EstateA2],
                    $"电梯异响 #{i}", "1栋", null, default)).Id);
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
