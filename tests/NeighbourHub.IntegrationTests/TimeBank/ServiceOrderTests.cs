using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Features.TimeBank;

namespace NeighbourHub.IntegrationTests;

/// <summary>居民点单、小区派单、党员接单、群众评单 — with the points held in escrow until the requester confirms.</summary>
public sealed class ServiceOrderTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task<int> BalanceAsync(HttpClient client) => (await Json(await client.GetAsync("/api/v1/timebank/account"))).GetProperty("balance").GetInt32();

    private async Task<HttpClient> ApprovedVolunteerAsync(string code, long householdId)
    {
        var (client, id) = await VerifiedResidentAsync(code, householdId);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/me/volunteer", new { skills = new[] { "水电", "陪诊" }, intro = "退休电工" })).StatusCode);
        var admin = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/volunteers/{id}/approve", null)).StatusCode);
        Assert.True((await Json(await client.GetAsync("/api/v1/me"))).GetProperty("isVolunteer").GetBoolean());
        return client;
    }

    [Fact]
    public async Task The_loop_from_order_to_rating_moves_the_escrow_to_the_volunteer_once()
    {
        var (requester, requesterId) = await VerifiedResidentAsync("wx-so-requester", Org.HouseholdsA1[0]);
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId = requesterId, points = 40, memo = "巡逻" });
        var volunteer = await ApprovedVolunteerAsync("wx-so-volunteer", Org.HouseholdsA1[1]);
        var other = await ApprovedVolunteerAsync("wx-so-other", Org.HouseholdsA1[2]);

        var posted = await requester.PostAsJsonAsync("/api/v1/service-orders", new { title = "修水龙头", description = "厨房水龙头漏水", points = 30 });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var orderId = (await Json(posted)).GetProperty("id").GetInt64();
        Assert.Equal(10, await BalanceAsync(requester)); // 30 held in escrow

        Assert.Contains((await Json(await volunteer.GetAsync("/api/v1/service-orders?open=true"))).EnumerateArray(), o => o.GetProperty("id").GetInt64() == orderId);
        var claims = await Task.WhenAll(volunteer.PostAsync($"/api/v1/service-orders/{orderId}/claim", null), other.PostAsync($"/api/v1/service-orders/{orderId}/claim", null));
        Assert.Single(claims, c => c.StatusCode == HttpStatusCode.OK);
        Assert.Single(claims, c => c.StatusCode == HttpStatusCode.Conflict);
        var winner = claims[0].StatusCode == HttpStatusCode.OK ? volunteer : other;
        var loser = winner == volunteer ? other : volunteer;

        Assert.Equal(HttpStatusCode.Conflict, (await loser.PostAsync($"/api/v1/service-orders/{orderId}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await requester.PostAsJsonAsync($"/api/v1/service-orders/{orderId}/confirm", new { stars = 5 })).StatusCode); // not completed yet
        Assert.Equal(HttpStatusCode.OK, (await winner.PostAsync($"/api/v1/service-orders/{orderId}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await requester.PostAsJsonAsync($"/api/v1/service-orders/{orderId}/confirm", new { stars = 6 })).StatusCode);

        var confirmations = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            requester.PostAsJsonAsync($"/api/v1/service-orders/{orderId}/confirm", new { stars = 5, comment = "师傅很细心" })));
        Assert.Single(confirmations, c => c.StatusCode == HttpStatusCode.OK);
        Assert.Equal(30, await BalanceAsync(winner));
        Assert.Equal(0, await BalanceAsync(loser));
        Assert.Equal(10, await BalanceAsync(requester));

        var volunteersResponse = await admin.GetAsync("/api/v1/admin/volunteers");
        Assert.True(volunteersResponse.IsSuccessStatusCode, await volunteersResponse.Content.ReadAsStringAsync());
        var volunteers = await Json(volunteersResponse);
        var row = volunteers.EnumerateArray().Single(v => v.GetProperty("ordersDone").GetInt32() == 1);
        Assert.Equal(5.0, row.GetProperty("averageStars").GetDouble());

        var board = await Json(await admin.GetAsync($"/api/v1/admin/timebank/leaderboard?communityId={Org.CommunityA}"));
        Assert.Equal(40, board.EnumerateArray().First().GetProperty("points").GetInt32()); // the requester's 40 granted points lead
        await using var db = App.SystemDb();
        Assert.True((await TimeBankLedger.VerifyAsync(db, CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task Cancelling_returns_the_escrow_and_pool_funded_orders_cost_the_resident_nothing()
    {
        var (requester, requesterId) = await VerifiedResidentAsync("wx-so-elder", Org.HouseholdsA1[3]);
        var admin = await App.AdminClientAsync("adminA");
        // Without points, an order is refused with nothing held.
        Assert.Equal(HttpStatusCode.Conflict, (await requester.PostAsJsonAsync("/api/v1/service-orders", new { title = "买菜", points = 10 })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/residents/{requesterId}/service-order-funding", new { paidByPool = true })).StatusCode);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/admin/residents/{requesterId}/service-order-funding", new { paidByPool = false })).StatusCode);

        var posted = await Json(await requester.PostAsJsonAsync("/api/v1/service-orders", new { title = "陪同就医", points = 25 }));
        Assert.True(posted.GetProperty("fundedByPool").GetBoolean());
        var orderId = posted.GetProperty("id").GetInt64();
        Assert.Equal(0, await BalanceAsync(requester));

        Assert.Equal(HttpStatusCode.OK, (await requester.PostAsync($"/api/v1/service-orders/{orderId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await requester.PostAsync($"/api/v1/service-orders/{orderId}/cancel", null)).StatusCode);

        await using var db = App.SystemDb();
        var pool = await db.TimeBankAccounts.SingleAsync(a => a.OwnerKey == TimeBankAccount.PoolKey(Org.CommunityA));
        Assert.Equal(0, pool.Balance); // out to escrow and back
        Assert.Equal(0, (await db.TimeBankAccounts.SingleAsync(a => a.OwnerKey == TimeBankAccount.EscrowKey(Org.CommunityA))).Balance);
        Assert.True((await TimeBankLedger.VerifyAsync(db, CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task Staff_dispatch_to_approved_volunteers_only_and_decide_disputes()
    {
        var (requester, requesterId) = await VerifiedResidentAsync("wx-so-disputer", Org.HouseholdsA1[0]);
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId = requesterId, points = 20, memo = "服务" });
        var (unapproved, unapprovedId) = await VerifiedResidentAsync("wx-so-unapproved", Org.HouseholdsA1[1]);
        var volunteer = await ApprovedVolunteerAsync("wx-so-dispatched", Org.HouseholdsA1[2]);
        var volunteerId = (await Json(await volunteer.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64();

        var orderId = (await Json(await requester.PostAsJsonAsync("/api/v1/service-orders", new { title = "搬家具", points = 20 }))).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Forbidden, (await unapproved.PostAsync($"/api/v1/service-orders/{orderId}/claim", null)).StatusCode);
        // Neighbours who are no volunteers do not browse others' orders (their text can hold health details).
        Assert.Empty((await Json(await unapproved.GetAsync("/api/v1/service-orders?open=true"))).EnumerateArray());
        Assert.Contains((await Json(await volunteer.GetAsync("/api/v1/service-orders?open=true"))).EnumerateArray(), o => o.GetProperty("id").GetInt64() == orderId);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/v1/admin/service-orders/{orderId}/dispatch", new { volunteerId = unapprovedId })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/service-orders/{orderId}/dispatch", new { volunteerId })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await volunteer.PostAsync($"/api/v1/service-orders/{orderId}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await requester.PostAsJsonAsync($"/api/v1/service-orders/{orderId}/dispute", new { reason = "只搬了一半" })).StatusCode);

        var board = await Json(await admin.GetAsync("/api/v1/admin/service-orders?status=disputed"));
        Assert.Equal(1, board.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.AdminClientAsync("adminB")).PostAsJsonAsync($"/api/v1/admin/service-orders/{orderId}/resolve", new { payVolunteer = true, note = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/service-orders/{orderId}/resolve", new { payVolunteer = false, note = "双方协商退回" })).StatusCode);
        Assert.Equal(20, await BalanceAsync(requester));
        Assert.Equal(0, await BalanceAsync(volunteer));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/v1/admin/service-orders/{orderId}/resolve", new { payVolunteer = true, note = "again" })).StatusCode);
    }
}
