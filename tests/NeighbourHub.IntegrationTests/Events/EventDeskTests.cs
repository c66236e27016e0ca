using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.IntegrationTests;

/// <summary>Issue 14: editing an event within its rules, and the committee reading events but never running them or the time bank.</summary>
public sealed class EventDeskTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static object Edit(DateTimeOffset starts, int capacity, string location = "社区活动中心", string title = "邻里百家宴（改期）",
        DateTimeOffset? opens = null, long? estateId = null, DateTimeOffset? ends = null) => new
        {
            estateId,
            title,
            description = "一起包饺子",
            location,
            startsAt = starts,
            endsAt = ends ?? starts.AddHours(3),
            signupOpensAt = opens ?? Now.AddHours(-1),
            signupClosesAt = starts.AddHours(-1),
            capacity,
        };

    [Fact]
    public async Task Editing_keeps_the_rules_promotes_the_waiting_list_tells_who_signed_up_and_is_audited()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await EventTests.CreateEventAsync(admin, Org.EstateA1, capacity: 2);
        foreach (var code in new[] { "wx-edit-1", "wx-edit-2", "wx-edit-3" })
        {
            var resident = await App.ResidentClientAsync(code);
            Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync($"/api/v1/events/{id}/signups", null)).StatusCode);
        }

        var later = Now.AddDays(2);
        // Below the confirmed seats, out of order, or moved to another estate: 400 in Chinese, field by field, nothing changed.
        var shrink = await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", Edit(later, capacity: 1));
        Assert.Equal(HttpStatusCode.BadRequest, shrink.StatusCode);
        var problem = await Json(shrink);
        Assert.Equal(ProblemTexts.InvalidRequest, problem.GetProperty("title").GetString());
        Assert.Contains("名额不能少于 2", problem.GetProperty("errors").GetProperty("capacity")[0].GetString(), StringComparison.Ordinal);

        var backwards = await Json(await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", Edit(later, 5, ends: later.AddHours(-1), opens: later.AddHours(1))));
        Assert.Equal("结束时间须晚于开始时间。", backwards.GetProperty("errors").GetProperty("endsAt")[0].GetString());
        Assert.Equal("报名开始时间不能晚于活动开始时间。", backwards.GetProperty("errors").GetProperty("signupOpensAt")[0].GetString());

        var moved = await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", Edit(later, 5, estateId: Org.EstateA2));
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.True((await Json(moved)).GetProperty("errors").TryGetProperty("estateId", out _));

        var missing = await Json(await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", new { title = "x", capacity = 5 }));
        Assert.Equal("请填写活动开始时间。", missing.GetProperty("errors").GetProperty("startsAt")[0].GetString());

        await using (var db = App.SystemDb())
        {
            var unchanged = await db.Events.SingleAsync(e => e.Id == id);
            Assert.Equal(("邻里百家宴", "小区广场", 2), (unchanged.Title, unchanged.Location, unchanged.Capacity));
            Assert.False(await db.OutboxMessages.AnyAsync(m => m.Key.StartsWith($"event-changed:{id}:")));
        }

        // A valid edit: new time and place, one more seat — the waiting resident gets it, all three are told of the change.
        var saved = await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", Edit(later, capacity: 3));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var view = await Json(saved);
        Assert.Equal(("邻里百家宴（改期）", 3, 0), (view.GetProperty("title").GetString(), view.GetProperty("confirmed").GetInt32(), view.GetProperty("waitlisted").GetInt32()));

        await using (var db = App.SystemDb())
        {
            var e = await db.Events.SingleAsync(x => x.Id == id);
            Assert.Equal(("社区活动中心", 3, 3), (e.Location, e.Capacity, e.Confirmed));
            Assert.Equal(later.ToUnixTimeSeconds(), e.StartsAt.ToUnixTimeSeconds());
            Assert.Equal(3, await db.OutboxMessages.CountAsync(m => m.Key.StartsWith($"event-changed:{id}:")));
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Key.StartsWith($"event-promoted:{id}:")));

            // The audit log has the row before and after, by adminA.
            var audit = await db.AuditLogs.Where(a => a.EntityType == nameof(CommunityEvent) && a.EntityId == id.ToString() && a.Action == "modified")
                .OrderByDescending(a => a.Id).ToListAsync();
            var edit = Assert.Single(audit, a => a.After!.Contains("社区活动中心", StringComparison.Ordinal));
            Assert.Contains("小区广场", edit.Before, StringComparison.Ordinal);
            Assert.Equal("adminA", edit.ActorName);
        }

        // Capacity alone changed: nobody is messaged again.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/admin/events/{id}", Edit(later, capacity: 10))).StatusCode);
        await using (var db = App.SystemDb())
        {
            Assert.Equal(3, await db.OutboxMessages.CountAsync(m => m.Key.StartsWith($"event-changed:{id}:")));
        }
    }

    [Fact]
    public async Task The_committee_reads_events_but_every_event_and_time_bank_write_is_403_in_Chinese()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await EventTests.CreateEventAsync(admin, Org.EstateA1, capacity: 5, startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync($"/api/v1/admin/events/{id}")).StatusCode);

        var body = new { estateId = Org.EstateA1, title = "业委会活动", startsAt = Now.AddDays(1), endsAt = Now.AddDays(1).AddHours(1), signupOpensAt = Now, signupClosesAt = Now.AddHours(2), capacity = 5 };
        var writes = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("create", () => committee.PostAsJsonAsync("/api/v1/admin/events", body)),
            ("edit", () => committee.PutAsJsonAsync($"/api/v1/admin/events/{id}", body)),
            ("publish", () => committee.PostAsync($"/api/v1/admin/events/{id}/publish", null)),
            ("cancel", () => committee.PostAsync($"/api/v1/admin/events/{id}/cancel", null)),
            ("check-in", () => committee.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { residentId = 1 })),
            ("complete", () => committee.PostAsync($"/api/v1/admin/events/{id}/complete", null)),
            ("grant", () => committee.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId = 1, points = 10, memo = "助老" })),
            ("find residents", () => committee.GetAsync("/api/v1/admin/timebank/residents?q=张")),
            ("reward", () => committee.PostAsJsonAsync("/api/v1/admin/timebank/rewards", new { communityId = Org.CommunityA, name = "米", pointsCost = 5, stock = 1 })),
            ("fulfil", () => committee.PostAsync("/api/v1/admin/timebank/redemptions/1/fulfil", null)),
            ("refund", () => committee.PostAsync("/api/v1/admin/timebank/redemptions/1/cancel", null)),
            ("verify", () => committee.PostAsync("/api/v1/admin/timebank/verify", null)),
            ("approve volunteer", () => committee.PostAsync("/api/v1/admin/volunteers/1/approve", null)),
            ("reject volunteer", () => committee.PostAsync("/api/v1/admin/volunteers/1/reject", null)),
            ("dispatch", () => committee.PostAsJsonAsync("/api/v1/admin/service-orders/1/dispatch", new { volunteerId = 1 })),
            ("resolve", () => committee.PostAsJsonAsync("/api/v1/admin/service-orders/1/resolve", new { payVolunteer = true })),
            ("funding", () => committee.PostAsJsonAsync("/api/v1/admin/residents/1/service-order-funding", new { paidByPool = true })),
        };
        foreach (var (name, call) in writes)
        {
            var response = await call();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {response.StatusCode}");
            Assert.Equal(ProblemTexts.TitleFor(403), (await Json(response)).GetProperty("title").GetString());
        }

        await using var db = App.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((EventStatus.Published, "邻里百家宴"), (e.Status, e.Title));
        Assert.False(await db.Events.AnyAsync(x => x.Title == "业委会活动"));
        Assert.False(await db.LedgerTransactions.AnyAsync());
        Assert.False(await db.Rewards.AnyAsync(r => r.Name == "米"));
    }
}
