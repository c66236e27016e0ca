using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

/// <summary>Issue 14: points granted to a resident picked by name, flat or phone tail; accounts and redemptions named in words.</summary>
public sealed class TimeBankDeskTests(AppFixture fixture) : AppTest(fixture)
{
    private static List<JsonElement> Items(JsonElement page) =>
        (page.ValueKind == JsonValueKind.Array ? page : page.GetProperty("items")).EnumerateArray().ToList();

    [Fact]
    public async Task A_grant_goes_to_a_resident_picked_by_name_flat_or_phone_tail_and_the_ledger_names_every_account()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-pick", Org.HouseholdsA1[2]); // 1栋1单元103, 张三
        await using (var db = App.SystemDb())
        {
            await db.Residents.Where(r => r.Id == residentId).ExecuteUpdateAsync(s => s.SetProperty(r => r.PhoneNumber, "13800005678"));
        }

        var adminA = await App.AdminClientAsync("adminA");
        foreach (var q in new[] { "张三", "1-1-103", "1栋1单元103", "5678" })
        {
            var found = Items(await Json(await adminA.GetAsync($"/api/v1/admin/timebank/residents?q={Uri.EscapeDataString(q)}")));
            var pick = Assert.Single(found);
            Assert.Equal(residentId, pick.GetProperty("residentId").GetInt64());
            Assert.Equal("张*", pick.GetProperty("name").GetString());
            Assert.Equal("甲一小区 1栋1单元103", pick.GetProperty("flat").GetString());
            Assert.Equal("5678", pick.GetProperty("phoneTail").GetString());
        }

        Assert.Empty(Items(await Json(await adminA.GetAsync("/api/v1/admin/timebank/residents?q=李四"))));
        var empty = await adminA.GetAsync("/api/v1/admin/timebank/residents?q=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("必须填写", (await Json(empty)).GetProperty("errors").GetProperty("q")[0].GetString(), StringComparison.Ordinal);
        // Another community's office does not find community A's residents.
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Empty(Items(await Json(await adminB.GetAsync("/api/v1/admin/timebank/residents?q=张三"))));

        var grant = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/timebank/grants")
        {
            Content = JsonContent.Create(new { residentId, points = 40, category = "volunteerService", memo = "助老陪诊 4 小时" }),
        };
        grant.Headers.Add("Idempotency-Key", "pick-1");
        Assert.Equal(HttpStatusCode.Created, (await adminA.SendAsync(grant)).StatusCode);
        Assert.Equal(40, (await Json(await resident.GetAsync("/api/v1/timebank/account"))).GetProperty("balance").GetInt32());

        // The resident asks for help with 15 points: they wait in escrow, which is not a second pool.
        var order = new HttpRequestMessage(HttpMethod.Post, "/api/v1/service-orders") { Content = JsonContent.Create(new { title = "换灯泡", description = "客厅吊灯", points = 15 }) };
        order.Headers.Add("Idempotency-Key", "pick-order");
        Assert.Equal(HttpStatusCode.Created, (await resident.SendAsync(order)).StatusCode);

        var accounts = Items(await Json(await adminA.GetAsync("/api/v1/admin/timebank/accounts?pageSize=100"))).Select(a => a.GetProperty("owner").GetString()!).ToList();
        Assert.Contains("社区积分池 · 甲社区", accounts);
        Assert.Contains("托管（待结算服务订单）· 甲社区", accounts);
        Assert.Contains("居民 张*（1栋1单元103）", accounts);
        Assert.Single(accounts, a => a.Contains("积分池", StringComparison.Ordinal));

        var ledger = Items(await Json(await adminA.GetAsync("/api/v1/admin/timebank/ledger?pageSize=100"))).Select(a => a.GetProperty("owner").GetString()!).ToList();
        Assert.Contains("社区积分池 · 甲社区", ledger);
        Assert.Contains("托管（待结算服务订单）· 甲社区", ledger);
        Assert.Contains("居民 张*（1栋1单元103）", ledger);
        Assert.DoesNotContain(accounts.Concat(ledger), o => o.StartsWith("P:", StringComparison.Ordinal) || o.StartsWith("E:", StringComparison.Ordinal) || o.StartsWith("R:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_redemptions_list_shows_who_redeemed_what()
    {
        var (resident, residentId) = await VerifiedResidentAsync("wx-redeemer", Org.HouseholdsA1[1]); // 1栋1单元102, 张三
        var adminA = await App.AdminClientAsync("adminA");
        var grant = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/timebank/grants") { Content = JsonContent.Create(new { residentId, points = 100, memo = "垃圾分类督导" }) };
        grant.Headers.Add("Idempotency-Key", "redeemer");
        Assert.Equal(HttpStatusCode.Created, (await adminA.SendAsync(grant)).StatusCode);
        var reward = (await Json(await adminA.PostAsJsonAsync("/api/v1/admin/timebank/rewards", new { communityId = Org.CommunityA, name = "理发券", pointsCost = 30, stock = 5 })))
            .GetProperty("id").GetInt64();
        var redeem = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/redemptions") { Content = JsonContent.Create(new { rewardId = reward, quantity = 2 }) };
        redeem.Headers.Add("Idempotency-Key", "r-1");
        Assert.Equal(HttpStatusCode.Created, (await resident.SendAsync(redeem)).StatusCode);

        var row = Assert.Single(Items(await Json(await adminA.GetAsync("/api/v1/admin/timebank/redemptions"))));
        Assert.Equal("张*", row.GetProperty("residentName").GetString());
        Assert.Equal("1栋1单元102", row.GetProperty("flat").GetString());
        Assert.Equal("理发券", row.GetProperty("rewardName").GetString());
        Assert.Equal(60, row.GetProperty("points").GetInt32());
        Assert.Equal("pending", row.GetProperty("status").GetString());

        // Refunding it names the reward in the ledger, not a number.
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/timebank/redemptions/{row.GetProperty("id").GetInt64()}/cancel", null)).StatusCode);
        await using var db = App.SystemDb();
        Assert.True(await db.LedgerTransactions.AnyAsync(t => t.Memo == "取消兑换 理发券 ×2"));
    }
}
