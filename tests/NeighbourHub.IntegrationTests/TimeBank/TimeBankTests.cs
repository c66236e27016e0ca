using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.TimeBank;

namespace NeighbourHub.IntegrationTests;

public sealed class TimeBankTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task AssertLedgerBalancedAsync()
    {
        var platform = await App.AdminClientAsync("platform");
        var verification = await Json(await platform.PostAsync("/api/v1/admin/timebank/verify", null));
        Assert.True(verification.GetProperty("valid").GetBoolean(), verification.GetRawText());
        Assert.Equal(0, verification.GetProperty("postingsSum").GetInt64());
    }

    [Fact]
    public async Task Completed_volunteer_events_credit_attendees_from_the_community_pool_exactly_once()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await EventTests.CreateEventAsync(admin, Org.EstateA1, 5, volunteer: true, points: 20,
            startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        var (volunteer, volunteerId) = await VerifiedResidentAsync("wx-tb-vol", Org.HouseholdsA1[0]);
        await volunteer.PostAsync($"/api/v1/events/{id}/signups", null);
        var ticket = (await Json(await volunteer.GetAsync($"/api/v1/events/{id}/ticket"))).GetProperty("qrPayload").GetString();
        await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = ticket });
        await admin.PostAsync($"/api/v1/admin/events/{id}/complete", null);

        var dispatcher = App.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.DispatchOnceAsync(CancellationToken.None);
        // A redelivered credit (a crash after crediting, before marking it sent) changes nothing.
        await using (var db = App.SystemDb())
        {
            await db.OutboxMessages.Where(m => m.Topic == OutboxTopics.EventAttended)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, (DateTimeOffset?)null));
        }

        await dispatcher.DispatchOnceAsync(CancellationToken.None);

        var account = await Json(await volunteer.GetAsync("/api/v1/timebank/account"));
        Assert.Equal(20, account.GetProperty("balance").GetInt32());
        Assert.Equal(20, account.GetProperty("earnedTotal").GetInt32());
        var entry = Assert.Single(account.GetProperty("entries").EnumerateArray());
        Assert.Equal("eventAttendance", entry.GetProperty("category").GetString());

        await using (var db = App.SystemDb())
        {
            var pool = await db.TimeBankAccounts.SingleAsync(a => a.OwnerKey == TimeBankAccount.PoolKey(Org.CommunityA));
            Assert.Equal(-20, pool.Balance);
            Assert.Equal(20, (await db.TimeBankAccounts.SingleAsync(a => a.ResidentId == volunteerId)).Balance);
        }

        await AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Grants_are_scoped_idempotent_and_record_who_approved()
    {
        var (_, residentId) = await VerifiedResidentAsync("wx-tb-granted", Org.HouseholdsA1[1]);
        var adminA = await App.AdminClientAsync("adminA");
        var grant = new { residentId, points = 30, category = "volunteerService", memo = "助老服务 3 小时" };

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/timebank/grants") { Content = JsonContent.Create(grant) };
        request.Headers.Add("Idempotency-Key", "grant-1");
        Assert.Equal(HttpStatusCode.Created, (await adminA.SendAsync(request)).StatusCode);
        var replay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/timebank/grants") { Content = JsonContent.Create(grant) };
        replay.Headers.Add("Idempotency-Key", "grant-1");
        Assert.Equal(HttpStatusCode.Created, (await adminA.SendAsync(replay)).StatusCode);

        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync("/api/v1/admin/timebank/grants", grant)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points = 0, memo = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points = 5, memo = "x", category = "redemption" })).StatusCode);

        await using var db = App.SystemDb();
        var account = await db.TimeBankAccounts.SingleAsync(a => a.ResidentId == residentId);
        Assert.Equal(30, account.Balance);
        var tx = await db.LedgerTransactions.SingleAsync(t => t.Category == LedgerCategory.VolunteerService);
        Assert.NotNull(tx.ApprovedByAdminId);
        var ledger = await Json(await adminA.GetAsync("/api/v1/admin/timebank/ledger"));
        Assert.Equal(2, ledger.GetProperty("total").GetInt64());
        Assert.Equal(0, (await Json(await adminB.GetAsync("/api/v1/admin/timebank/ledger"))).GetProperty("total").GetInt64());
        await AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task The_time_bank_is_the_community_offices_estate_staff_see_none_of_it_and_foreign_ids_are_404()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-tb-office", Org.HouseholdsA1[3]);
        var adminA = await App.AdminClientAsync("adminA");
        await adminA.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points = 40, memo = "敬老院陪护 机密备注" });
        var rewardId = (await Json(await adminA.PostAsJsonAsync("/api/v1/admin/timebank/rewards",
            new { communityId = Org.CommunityA, name = "洗车券", pointsCost = 10, stock = 5, perPersonLimit = 5 }))).GetProperty("id").GetInt64();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/redemptions") { Content = JsonContent.Create(new { rewardId, quantity = 1 }) };
        request.Headers.Add("Idempotency-Key", "office-1");
        var redemptionId = (await Json(await resident.SendAsync(request))).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsJsonAsync("/api/v1/me/volunteer", new { skills = new[] { "陪护" }, intro = "机密自我介绍" })).StatusCode);

        // Firm, grid and committee staff of community A's estates: the time bank is not theirs at all.
        foreach (var name in new[] { "firmF", "gridA2", "committeeA1" })
        {
            var staff = await App.AdminClientAsync(name);
            foreach (var (method, route) in new[]
                     {
                         (HttpMethod.Get, "/api/v1/admin/timebank/ledger"), (HttpMethod.Get, "/api/v1/admin/timebank/accounts"),
                         (HttpMethod.Get, "/api/v1/admin/timebank/ledger.xlsx"), (HttpMethod.Get, "/api/v1/admin/volunteers"),
                         (HttpMethod.Get, "/api/v1/admin/service-orders"), (HttpMethod.Post, $"/api/v1/admin/timebank/redemptions/{redemptionId}/fulfil"),
                         (HttpMethod.Post, $"/api/v1/admin/volunteers/{residentId}/approve"),
                     })
            {
                var answer = await staff.SendAsync(new HttpRequestMessage(method, route));
                Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"{name} {method} {route}: {(int)answer.StatusCode}");
                Assert.DoesNotContain("机密", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        // Another community's office: ids of community A are simply not there — exactly like a missing id, never 409.
        var adminB = await App.AdminClientAsync("adminB");
        foreach (var route in new[] { $"/api/v1/admin/timebank/redemptions/{redemptionId}/fulfil", $"/api/v1/admin/timebank/redemptions/{redemptionId}/cancel",
                     $"/api/v1/admin/volunteers/{residentId}/approve", "/api/v1/admin/timebank/redemptions/987654321/fulfil" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsync(route, null)).StatusCode);
        }

        Assert.DoesNotContain("机密", await (await adminB.GetAsync("/api/v1/admin/volunteers")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("机密", await (await adminB.GetAsync("/api/v1/admin/timebank/ledger")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = App.SystemDb();
        Assert.Equal(RedemptionStatus.Pending, (await db.Redemptions.SingleAsync(r => r.Id == redemptionId)).Status);
        Assert.Equal(VolunteerStatus.Pending, (await db.VolunteerProfiles.SingleAsync(p => p.ResidentId == residentId)).Status);
    }

    [Fact]
    public async Task Points_are_given_only_to_verified_neighbours_of_the_givers_community()
    {
        var (giver, giverId) = await VerifiedResidentAsync("wx-tb-giver", Org.HouseholdsA1[0]);
        var adminA = await App.AdminClientAsync("adminA");
        await adminA.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId = giverId, points = 20, memo = "志愿服务" });
        var stranger = await App.ResidentClientAsync("wx-tb-stranger");
        var strangerId = (await Json(await stranger.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64();
        var (_, neighbourId) = await VerifiedResidentAsync("wx-tb-neighbour", Org.HouseholdsA2[0]);

        async Task<HttpResponseMessage> Give(long to, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/transfers") { Content = JsonContent.Create(new { toResidentId = to, points = 5, memo = "谢谢" }) };
            request.Headers.Add("Idempotency-Key", key);
            return await giver.SendAsync(request);
        }

        // A resident with no verified home, and an id nobody has: the same answer, and nothing moves.
        var toStranger = await Give(strangerId, "g1");
        var toNobody = await Give(987654321, "g2");
        Assert.Equal(HttpStatusCode.BadRequest, toStranger.StatusCode);
        Assert.Equal((await Json(toStranger)).GetProperty("errors").ToString(), (await Json(toNobody)).GetProperty("errors").ToString());
        Assert.Equal(20, (await Json(await giver.GetAsync("/api/v1/timebank/account"))).GetProperty("balance").GetInt32());
        // A verified neighbour of the same community (another estate) receives them.
        Assert.Equal(HttpStatusCode.Created, (await Give(neighbourId, "g3")).StatusCode);
        await AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task The_console_and_the_api_create_rewards_through_one_door_with_the_same_rules()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var bad = new { communityId = Org.CommunityA, name = "  ", pointsCost = 0, stock = -1, perPersonLimit = -1 };
        var api = await adminA.PostAsJsonAsync("/api/v1/admin/timebank/rewards", bad);
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        var apiFields = (await Json(api)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList();

        // The console calls the service directly, with the community admin's scope: the same fields are refused.
        await using var db = App.SystemDb();
        var adminId = db.Users.Single(u => u.UserName == "adminA").Id;
        db.Scope = Web.Tenancy.CurrentScope.For(await App.Services.GetRequiredService<Web.Tenancy.AccessScopeResolver>().ForAdminAsync(db, adminId, default));
        var service = App.Services.GetRequiredService<TimeBankService>();
        var refused = await Assert.ThrowsAsync<Web.Hosting.RequestValidationException>(() => service.CreateRewardAsync(db,
            new RewardRequest(Org.CommunityA, "  ", 0, -1, -1, null, null), default));
        Assert.Equal(apiFields, refused.Errors.Keys.Order().ToList());
        // Another community's catalogue is not this office's to fill, through either door.
        var foreign = await Assert.ThrowsAsync<Web.Hosting.RequestValidationException>(() => service.CreateRewardAsync(db,
            new RewardRequest(Org.CommunityB, "洗衣券", 10, 5, 1, null, null), default));
        Assert.Contains("communityId", foreign.Errors.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.PostAsJsonAsync("/api/v1/admin/timebank/rewards",
            new { communityId = Org.CommunityB, name = "洗衣券", pointsCost = 10, stock = 5, perPersonLimit = 1 })).StatusCode);
        Assert.Equal(0, await db.Rewards.IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task The_console_and_the_api_grant_points_through_one_door_with_the_same_rules()
    {
        var (_, residentId) = await VerifiedResidentAsync("wx-tb-console-grant", Org.HouseholdsA1[1]);
        var adminA = await App.AdminClientAsync("adminA");
        var api = await adminA.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points = TimeBankService.MaxGrantPoints + 1, memo = " " });
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        var apiFields = (await Json(api)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList();
        Assert.Equal(["memo", "points"], apiFields);

        // The console calls the service directly, with the community admin's scope: the same fields are refused.
        await using var db = App.SystemDb();
        var adminId = db.Users.Single(u => u.UserName == "adminA").Id;
        db.Scope = Web.Tenancy.CurrentScope.For(await App.Services.GetRequiredService<Web.Tenancy.AccessScopeResolver>().ForAdminAsync(db, adminId, default));
        var service = App.Services.GetRequiredService<TimeBankService>();
        var refused = await Assert.ThrowsAsync<Web.Hosting.RequestValidationException>(() => service.GrantAsync(db,
            new GrantRequest(residentId, TimeBankService.MaxGrantPoints + 1, LedgerCategory.VolunteerService, " "), null, default));
        Assert.Equal(apiFields, refused.Errors.Keys.Order().ToList());
        Assert.Equal(0, await db.LedgerTransactions.IgnoreQueryFilters().CountAsync(t => t.Category == LedgerCategory.VolunteerService));

        // At the cap, both doors grant.
        var granted = await service.GrantAsync(db, new GrantRequest(residentId, TimeBankService.MaxGrantPoints, LedgerCategory.VolunteerService, "助老陪诊"), null, default);
        Assert.True(granted.Id > 0);
        await AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Redeeming_moves_points_and_stock_together_and_staff_cancellation_restores_both()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-tb-redeemer", Org.HouseholdsA1[2]);
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points = 50, memo = "志愿服务" });
        var reward = await Json(await admin.PostAsJsonAsync("/api/v1/admin/timebank/rewards",
            new { communityId = Org.CommunityA, name = "理发券", pointsCost = 20, stock = 3, perPersonLimit = 2 }));
        var rewardId = reward.GetProperty("id").GetInt64();

        Assert.Contains((await Json(await resident.GetAsync("/api/v1/timebank/rewards"))).EnumerateArray(), r => r.GetProperty("id").GetInt64() == rewardId);
        async Task<HttpResponseMessage> Redeem(string key, int quantity = 1)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/redemptions") { Content = JsonContent.Create(new { rewardId, quantity }) };
            request.Headers.Add("Idempotency-Key", key);
            return await resident.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsJsonAsync("/api/v1/timebank/redemptions", new { rewardId, quantity = 1 })).StatusCode); // no key
        var first = await Redeem("r1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Redeem("r1")).StatusCode); // replay: the first answer
        Assert.Equal(HttpStatusCode.Conflict, (await Redeem("r2", quantity: 2)).StatusCode); // per-person limit 2
        Assert.Equal(HttpStatusCode.Created, (await Redeem("r3")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Redeem("r4")).StatusCode); // limit reached (10 points left too)

        var account = await Json(await resident.GetAsync("/api/v1/timebank/account"));
        Assert.Equal(10, account.GetProperty("balance").GetInt32());

        var redemptionId = (await Json(first)).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/timebank/redemptions/{redemptionId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/timebank/redemptions/{redemptionId}/cancel", null)).StatusCode);
        Assert.Equal(30, (await Json(await resident.GetAsync("/api/v1/timebank/account"))).GetProperty("balance").GetInt32());

        var second = (await Json(await resident.GetAsync("/api/v1/timebank/redemptions"))).EnumerateArray().First(r => r.GetProperty("status").GetString() == "pending");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/timebank/redemptions/{second.GetProperty("id").GetInt64()}/fulfil", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/timebank/redemptions/{second.GetProperty("id").GetInt64()}/cancel", null)).StatusCode);

        await using var db = App.SystemDb();
        Assert.Equal(2, (await db.Rewards.SingleAsync(r => r.Id == rewardId)).Stock);
        await AssertLedgerBalancedAsync();
    }

    [Fact]
    public async Task Donations_need_enough_points_and_are_idempotent()
    {
        var (giver, giverId) = await VerifiedResidentAsync("wx-tb-giver", Org.HouseholdsA1[3]);
        var (_, takerId) = await VerifiedResidentAsync("wx-tb-taker", Org.HouseholdsA1[0]);
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId = giverId, points = 15, memo = "巡逻" });

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/transfers") { Content = JsonContent.Create(new { toResidentId = takerId, points = 10, memo = "谢谢帮我修水管" }) };
        request.Headers.Add("Idempotency-Key", "gift-1");
        var gift = await giver.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, gift.StatusCode);
        Assert.Equal(5, (await Json(gift)).GetProperty("balance").GetInt32());
        var replay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/transfers") { Content = JsonContent.Create(new { toResidentId = takerId, points = 10, memo = "谢谢帮我修水管" }) };
        replay.Headers.Add("Idempotency-Key", "gift-1");
        Assert.Equal(5, (await Json(await giver.SendAsync(replay))).GetProperty("balance").GetInt32());

        Assert.Equal(HttpStatusCode.Conflict, (await giver.PostAsJsonAsync("/api/v1/timebank/transfers", new { toResidentId = takerId, points = 6 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await giver.PostAsJsonAsync("/api/v1/timebank/transfers", new { toResidentId = giverId, points = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await giver.PostAsJsonAsync("/api/v1/timebank/transfers", new { toResidentId = takerId, points = -1 })).StatusCode);
        await AssertLedgerBalancedAsync();
    }
}

/// <summary>Points under racing real HTTP requests on two instances.</summary>
[Collection(TwoInstancesCollection.Name)]
public sealed class TimeBankRaceTests(TwoInstancesFixture fixture)
{
    private async Task<long> RichResidentAsync(string code, int points)
    {
        var resident = await fixture.InstanceA.ResidentClientAsync(code);
        var apply = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[0], relation = "family", realName = "并发" });
        var residenceId = (await apply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var admin = await fixture.InstanceA.AdminClientAsync("adminA");
        await admin.PostAsync($"/api/v1/admin/residences/{residenceId}/approve", null);
        var residentId = (await resident.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetInt64();
        var grant = await admin.PostAsJsonAsync("/api/v1/admin/timebank/grants", new { residentId, points, memo = "准备" });
        Assert.Equal(HttpStatusCode.Created, grant.StatusCode);
        return residentId;
    }

    private HttpClient Client(int i, string token) => (i % 2 == 0 ? fixture.InstanceA : fixture.InstanceB).ClientWithToken(token);

    private async Task<string> TokenAsync(string code)
    {
        var client = fixture.InstanceA.CreateClient();
        var login = await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code });
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    [Fact]
    public async Task A_hundred_redemptions_at_once_against_points_for_ten_redeem_exactly_ten()
    {
        var residentId = await RichResidentAsync("dev-race-redeem", 100);
        var token = await TokenAsync("dev-race-redeem");
        var admin = await fixture.InstanceA.AdminClientAsync("adminA");
        var reward = await (await admin.PostAsJsonAsync("/api/v1/admin/timebank/rewards",
            new { communityId = fixture.Org.CommunityA, name = "大米一袋", pointsCost = 10, stock = 500, perPersonLimit = 0 })).Content.ReadFromJsonAsync<JsonElement>();
        var rewardId = reward.GetProperty("id").GetInt64();

        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, 100).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/redemptions") { Content = JsonContent.Create(new { rewardId, quantity = 1 }) };
            request.Headers.Add("Idempotency-Key", $"race-{i}");
            await start.WaitAsync();
            return (await Client(i, token).SendAsync(request)).StatusCode;
        }).ToList();
        start.Release(100);
        var codes = await Task.WhenAll(requests);
        Assert.Equal(10, codes.Count(c => c == HttpStatusCode.Created));
        Assert.Equal(90, codes.Count(c => c == HttpStatusCode.Conflict));

        await using var db = fixture.InstanceA.SystemDb();
        Assert.Equal(0, (await db.TimeBankAccounts.SingleAsync(a => a.ResidentId == residentId)).Balance);
        Assert.Equal(490, (await db.Rewards.SingleAsync(r => r.Id == rewardId)).Stock);
        Assert.Equal(10, await db.Redemptions.CountAsync(r => r.RewardId == rewardId));
        var verification = await TimeBankLedger.VerifyAsync(db, CancellationToken.None);
        Assert.True(verification.Valid, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Parallel_donations_and_replays_never_overdraw_or_pay_twice()
    {
        var giverId = await RichResidentAsync("dev-race-giver", 10);
        var takerId = await RichResidentAsync("dev-race-taker", 1);
        var giver = await TokenAsync("dev-race-giver");
        var taker = await TokenAsync("dev-race-taker");

        using var start = new SemaphoreSlim(0);
        // 30 one-point gifts from a giver holding 10, each sent twice with the same key, and the taker giving back 5.
        var gifts = Enumerable.Range(0, 60).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/transfers") { Content = JsonContent.Create(new { toResidentId = takerId, points = 1 }) };
            request.Headers.Add("Idempotency-Key", $"gift-{i / 2}");
            await start.WaitAsync();
            return (await Client(i, giver).SendAsync(request)).StatusCode;
        });
        var back = Enumerable.Range(0, 5).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/transfers") { Content = JsonContent.Create(new { toResidentId = giverId, points = 1 }) };
            request.Headers.Add("Idempotency-Key", $"back-{i}");
            await start.WaitAsync();
            return (await Client(i + 1, taker).SendAsync(request)).StatusCode;
        });
        var all = gifts.Concat(back).ToList();
        start.Release(all.Count);
        await Task.WhenAll(all);

        await using var db = fixture.InstanceA.SystemDb();
        var giverAccount = await db.TimeBankAccounts.SingleAsync(a => a.ResidentId == giverId);
        var takerAccount = await db.TimeBankAccounts.SingleAsync(a => a.ResidentId == takerId);
        Assert.True(giverAccount.Balance >= 0 && takerAccount.Balance >= 0);
        Assert.Equal(11, giverAccount.Balance + takerAccount.Balance); // nothing created or lost between them
        var giftsMade = await db.LedgerTransactions.CountAsync(t => t.SourceRef.StartsWith($"transfer:{giverId}:"));
        var givenBack = await db.LedgerTransactions.CountAsync(t => t.SourceRef.StartsWith($"transfer:{takerId}:"));
        Assert.Equal(10 - giftsMade + givenBack, giverAccount.Balance);
        Assert.Equal(1 + giftsMade - givenBack, takerAccount.Balance);
        Assert.InRange(giftsMade, 10, 15); // no more than the points the giver ever held (10 + what came back)
        var verification = await TimeBankLedger.VerifyAsync(db, CancellationToken.None);
        Assert.True(verification.Valid, string.Join("; ", verification.Problems));
    }
}
