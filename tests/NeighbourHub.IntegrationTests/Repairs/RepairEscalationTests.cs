using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.IntegrationTests;

/// <summary>限期办结: overdue repairs are escalated once per level, on a fake clock, even with several job instances.</summary>
public sealed class RepairEscalationTests(AppFixture fixture) : AppTest(fixture)
{
    private RepairEscalationJob Job(FakeTimeProvider clock) => new(
        App.Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(), new RepairService(clock),
        Options.Create(new RepairEscalationOptions { PollSeconds = 0 }), clock, NullLogger<RepairEscalationJob>.Instance);

    [Fact]
    public async Task Overdue_goes_to_the_grid_worker_then_the_community_admin_once_each()
    {
        // Estate A2's building is in grid GA2, so its households' repairs escalate to gridA2 first.
        var (resident, _) = await VerifiedResidentAsync("wx-esc", Org.HouseholdsA2[0]);
        var category = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA2, "电梯"); // 4 hours
        var created = await Json(await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA2, householdId = Org.HouseholdsA2[0], categoryId = category, description = "电梯困人" }));
        var id = created.GetProperty("id").GetInt64();
        var deadline = created.GetProperty("deadlineAt").GetDateTimeOffset();
        var clock = new FakeTimeProvider(deadline.AddMinutes(-1));

        Assert.Equal(0, await Job(clock).RunOnceAsync(default)); // not yet due

        clock.SetUtcNow(deadline.AddMinutes(1));
        // Three instances run the job at the same moment: one escalation.
        var steps = await Task.WhenAll(Job(clock).RunOnceAsync(default), Job(clock).RunOnceAsync(default), Job(clock).RunOnceAsync(default));
        Assert.Equal(1, steps.Sum());
        Assert.Equal(0, await Job(clock).RunOnceAsync(default));

        var grid = await App.AdminClientAsync("gridA2");
        var mine = await Json(await grid.GetAsync("/api/v1/admin/repairs?escalatedToMe=true"));
        Assert.Equal(id, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        var adminA = await App.AdminClientAsync("adminA");
        Assert.Equal(0, (await Json(await adminA.GetAsync("/api/v1/admin/repairs?escalatedToMe=true"))).GetProperty("total").GetInt64());
        Assert.Equal(1, (await Json(await resident.GetAsync($"/api/v1/repairs/{id}"))).GetProperty("escalationLevel").GetInt32());

        // Still open after as long again as it was allowed (4 h): the community admin.
        clock.SetUtcNow(deadline.AddHours(4).AddMinutes(1));
        Assert.Equal(1, await Job(clock).RunOnceAsync(default));
        Assert.Equal(0, await Job(clock).RunOnceAsync(default));
        Assert.Equal(1, (await Json(await adminA.GetAsync("/api/v1/admin/repairs?escalatedToMe=true"))).GetProperty("total").GetInt64());

        var detail = await Json(await resident.GetAsync($"/api/v1/repairs/{id}"));
        Assert.Equal(2, detail.GetProperty("escalationLevel").GetInt32());
        var notes = detail.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "escalated")
            .Select(e => e.GetProperty("note").GetString()!).ToList();
        Assert.Equal(2, notes.Count);
        Assert.Contains("gridA2", notes[0], StringComparison.Ordinal);
        Assert.Contains("adminA", notes[1], StringComparison.Ordinal);

        // Once resolved, nothing more happens however late it gets.
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{id}/grab", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "已放人，电梯恢复" })).StatusCode);
        clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(0, await Job(clock).RunOnceAsync(default));
    }

    [Fact]
    public async Task A_public_area_report_without_a_grid_goes_straight_to_the_community_admin()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-esc-public", Org.HouseholdsA1[0]);
        var category = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "公共照明"); // 48 hours; A1 has no grid
        var created = await Json(await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = category, description = "路灯不亮", location = "北门" }));
        var clock = new FakeTimeProvider(created.GetProperty("deadlineAt").GetDateTimeOffset().AddHours(49)); // past both levels at once
        Assert.Equal(2, await Job(clock).RunOnceAsync(default));

        await using var db = App.SystemDb();
        var targets = await db.RepairEscalations.OrderBy(e => e.Level).Select(e => new { e.Level, e.AdminUserId }).ToListAsync();
        var adminA = await db.Users.Where(u => u.UserName == "adminA").Select(u => u.Id).SingleAsync();
        Assert.Equal([(1, adminA), (2, adminA)], targets.Select(t => (t.Level, t.AdminUserId)));
    }
}
