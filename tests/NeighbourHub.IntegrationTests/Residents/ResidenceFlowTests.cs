using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

public sealed class ResidenceFlowTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task Resident_logs_in_finds_flat_applies_and_sees_approval()
    {
        var resident = await App.ResidentClientAsync("wx-zhang");

        var estates = await Json(await resident.GetAsync("/api/v1/estates?keyword=%E7%94%B2%E4%B8%80")); // 甲一
        var estate = Assert.Single(estates.GetProperty("items").EnumerateArray());
        Assert.Equal(Org.EstateA1, estate.GetProperty("id").GetInt64());
        Assert.Equal("甲社区", estate.GetProperty("communityName").GetString());

        var households = await Json(await resident.GetAsync($"/api/v1/estates/{Org.EstateA1}/households?building=1%E6%A0%8B&pageSize=2"));
        Assert.Equal(4, households.GetProperty("total").GetInt64());
        var first = households.GetProperty("items")[0];
        Assert.Equal("101", first.GetProperty("room").GetString());
        Assert.Equal(81.5m, first.GetProperty("areaM2").GetDecimal());

        var apply = await resident.PostAsJsonAsync("/api/v1/me/residences",
            new { householdId = first.GetProperty("id").GetInt64(), relation = "owner", realName = "张秀英" });
        Assert.Equal(HttpStatusCode.Created, apply.StatusCode);
        var application = await Json(apply);
        Assert.Equal("pending", application.GetProperty("status").GetString());
        var id = application.GetProperty("id").GetInt64();

        var me = await Json(await resident.GetAsync("/api/v1/me"));
        Assert.Equal("pending", me.GetProperty("residences")[0].GetProperty("status").GetString());

        var admin = await App.AdminClientAsync("adminA");
        var queue = await Json(await admin.GetAsync("/api/v1/admin/residences?status=pending"));
        var row = Assert.Single(queue.GetProperty("items").EnumerateArray());
        Assert.Equal("张**", row.GetProperty("realNameMasked").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{id}/approve", null)).StatusCode);

        me = await Json(await resident.GetAsync("/api/v1/me"));
        var residence = me.GetProperty("residences")[0];
        Assert.Equal("approved", residence.GetProperty("status").GetString());
        Assert.Equal("甲一小区", residence.GetProperty("estateName").GetString());
        Assert.Equal("1栋1单元101", residence.GetProperty("address").GetString());

        // Deciding twice is a conflict, and the approval is in the audit log with before and after.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/residences/{id}/approve", null)).StatusCode);
        await using var db = App.SystemDb();
        var audit = await db.AuditLogs.Where(a => a.EntityType == "Residence" && a.EntityId == id.ToString()).SingleAsync();
        Assert.Equal("adminA", audit.ActorName);
        Assert.Equal("modified", audit.Action);
        Assert.Contains("\"Status\":\"Pending\"", audit.Before, StringComparison.Ordinal);
        Assert.Contains("\"Status\":\"Approved\"", audit.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejection_needs_a_reason_and_frees_the_household_for_a_new_application()
    {
        var resident = await App.ResidentClientAsync("wx-li");
        var id = await ApplyAsync(resident, Org.HouseholdsA1[1]);
        var admin = await App.AdminClientAsync("adminA");

        var noReason = await admin.PostAsJsonAsync($"/api/v1/admin/residences/{id}/reject", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("reason", out _));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/residences/{id}/reject", new { reason = "房号不符" })).StatusCode);
        var again = await ApplyAsync(resident, Org.HouseholdsA1[1]);
        Assert.NotEqual(id, again);

        var me = await Json(await resident.GetAsync("/api/v1/me"));
        Assert.Equal(new[] { "rejected", "pending" }, me.GetProperty("residences").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToArray());
    }

    [Fact]
    public async Task Second_live_application_for_the_same_household_is_a_conflict_even_when_racing()
    {
        var resident = await App.ResidentClientAsync("wx-racer");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = Org.HouseholdsA1[2], relation = "tenant", realName = "赛跑" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        await using var db = App.SystemDb();
        Assert.Equal(1, await db.Residences.CountAsync(r => r.HouseholdId == Org.HouseholdsA1[2]));
    }

    [Fact]
    public async Task Invite_code_approves_at_once_and_works_only_once_under_a_race()
    {
        var admin = await App.AdminClientAsync("adminA");
        var created = await admin.PostAsJsonAsync($"/api/v1/admin/households/{Org.HouseholdsA1[3]}/invite-codes", new { relation = "owner", validDays = 3 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var code = (await Json(created)).GetProperty("code").GetString()!;

        var tenant = await App.ResidentClientAsync("wx-wrongrelation");
        var wrongRelation = await tenant.PostAsJsonAsync("/api/v1/me/residences", new { householdId = Org.HouseholdsA1[3], relation = "tenant", realName = "租客", inviteCode = code });
        Assert.Equal(HttpStatusCode.BadRequest, wrongRelation.StatusCode);

        var residents = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => App.ResidentClientAsync($"wx-invitee{i}")));
        var responses = await Task.WhenAll(residents.Select(r =>
            r.PostAsJsonAsync("/api/v1/me/residences", new { householdId = Org.HouseholdsA1[3], relation = "owner", realName = "业主", inviteCode = code.ToLowerInvariant() })));
        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal("approved", (await Json(winner)).GetProperty("status").GetString());
        Assert.All(responses.Where(r => r != winner), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));

        // A code for another household is refused.
        var stranger = await App.ResidentClientAsync("wx-stranger");
        var elsewhere = await stranger.PostAsJsonAsync("/api/v1/me/residences", new { householdId = Org.HouseholdsA1[0], relation = "owner", realName = "路人", inviteCode = code });
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Staff_of_every_role_see_only_their_scope()
    {
        var residentA1 = await App.ResidentClientAsync("wx-a1");
        var a1 = await ApplyAsync(residentA1, Org.HouseholdsA1[0]);
        var residentA2 = await App.ResidentClientAsync("wx-a2");
        var a2 = await ApplyAsync(residentA2, Org.HouseholdsA2[0]);
        var residentB1 = await App.ResidentClientAsync("wx-b1");
        var b1 = await ApplyAsync(residentB1, Org.HouseholdsB1[0]);

        async Task<long[]> Visible(string admin)
        {
            var client = await App.AdminClientAsync(admin);
            var page = await Json(await client.GetAsync("/api/v1/admin/residences"));
            return page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).Order().ToArray();
        }

        Assert.Equal(new[] { a1, a2, b1 }.Order(), await Visible("platform"));
        Assert.Equal(new[] { a1, a2 }.Order(), await Visible("adminA"));
        Assert.Equal([b1], await Visible("adminB"));
        Assert.Equal([a1], await Visible("firmF")); // not B1: the firm left it in 2019
        Assert.Equal([a2], await Visible("gridA2"));
    }
}
