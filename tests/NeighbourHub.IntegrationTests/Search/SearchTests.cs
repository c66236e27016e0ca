using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.IntegrationTests;

/// <summary>Search everywhere: each kind is found by what staff type, and never outside the caller's scope.</summary>
public sealed class SearchTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task<JsonElement> SearchAsync(HttpClient client, string q)
    {
        var response = await client.GetAsync("/api/v1/admin/search?q=" + Uri.EscapeDataString(q));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private static List<JsonElement> Hits(JsonElement results, string kind) =>
        results.GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("kind").GetString() == kind)
            .SelectMany(g => g.GetProperty("hits").EnumerateArray()).ToList();

    [Fact]
    public async Task Flats_are_found_as_3_2_501_as_3栋2单元501_and_by_room_within_the_scope_only()
    {
        // Firm F serves A1 only (it left B1 in 2019).
        var firm = await App.AdminClientAsync("firmF");
        foreach (var q in new[] { "1-1-102", "1栋1单元102", "1栋 1单元 102室", "1#1-102" })
        {
            var hit = Assert.Single(Hits(await SearchAsync(firm, q), "household"));
            Assert.Equal("甲一小区 1栋1单元102", hit.GetProperty("title").GetString());
            Assert.Equal($"/admin/estates/{Org.EstateA1}/roster?household={Org.HouseholdsA1[1]}", hit.GetProperty("url").GetString());
        }

        Assert.Empty(Hits(await SearchAsync(firm, "2-1-102"), "household"));
        var admin = await App.AdminClientAsync("adminA");

        // Community A's admin sees A1 and A2 (both have 1栋1单元102), never B1's.
        var both = Hits(await SearchAsync(admin, "102"), "household");
        Assert.Equal(2, both.Count);
        Assert.DoesNotContain(both, h => h.GetProperty("title").GetString()!.Contains("乙一", StringComparison.Ordinal));

        // The same flat number in community B is B's admin's, and only theirs.
        var adminB = await App.AdminClientAsync("adminB");
        Assert.StartsWith("乙一小区", Assert.Single(Hits(await SearchAsync(adminB, "1-1-102"), "household")).GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Residents_are_found_by_name_and_by_the_last_four_digits_of_their_phone_within_the_scope_only()
    {
        var (_, zhang) = await VerifiedResidentAsync("wx-search-a", Org.HouseholdsA1[0]);
        var foreign = await App.ResidentClientAsync("wx-search-b");
        await ApplyAsync(foreign, Org.HouseholdsB1[0], realName: "张乙");
        var foreignId = (await Json(await foreign.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64();
        await using (var db = App.SystemDb())
        {
            (await db.Residents.SingleAsync(r => r.Id == zhang)).PhoneNumber = "13812345678";
            (await db.Residents.SingleAsync(r => r.Id == foreignId)).PhoneNumber = "13912345678";
            await db.SaveChangesAsync();
        }

        var firm = await App.AdminClientAsync("firmF");
        var byName = Assert.Single(Hits(await SearchAsync(firm, "张"), "resident"));
        Assert.StartsWith("张三（业主）", byName.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("138****5678", byName.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("13812345678", byName.GetRawText(), StringComparison.Ordinal);

        var byTail = Assert.Single(Hits(await SearchAsync(firm, "5678"), "resident"));
        Assert.Contains("甲一小区 1栋1单元101", byTail.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(Hits(await SearchAsync(firm, "13812345678"), "resident"));
        Assert.Empty(Hits(await SearchAsync(firm, "13912345678"), "resident")); // B1's applicant: not the firm's

        var adminB = await App.AdminClientAsync("adminB");
        var theirs = Assert.Single(Hits(await SearchAsync(adminB, "5678"), "resident"));
        Assert.StartsWith("张乙（业主，待审核）", theirs.GetProperty("title").GetString(), StringComparison.Ordinal);

        // The committee reads names masked.
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.StartsWith("张*（业主）", Assert.Single(Hits(await SearchAsync(committee, "张三"), "resident")).GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_receipts_and_repairs_are_found_by_number_and_never_another_estates()
    {
        long repairA1, repairB1, paymentA1;
        await using (var db = App.SystemDb())
        {
            var now = DateTimeOffset.UtcNow;
            var categoryA1 = await db.RepairCategories.Where(c => c.EstateId == Org.EstateA1).Select(c => c.Id).FirstAsync();
            var categoryB1 = await db.RepairCategories.Where(c => c.EstateId == Org.EstateB1).Select(c => c.Id).FirstAsync();
            var a = new Repair { EstateId = Org.EstateA1, CategoryId = categoryA1, Description = "楼道灯不亮", CreatedAt = now, DeadlineAt = now.AddDays(1), UpdatedAt = now };
            var b = new Repair { EstateId = Org.EstateB1, CategoryId = categoryB1, Description = "水管漏水", CreatedAt = now, DeadlineAt = now.AddDays(1), UpdatedAt = now };
            db.Repairs.AddRange(a, b);
            var pa = new Payment { EstateId = Org.EstateA1, Channel = PaymentChannel.Cash, OutTradeNo = "OFF20261202101010123456", AmountFen = 12345, Status = PaymentStatus.Paid, CreatedAt = now, PaidAt = now, ReceiptNo = "NH-20261202-00000077" };
            var pb = new Payment { EstateId = Org.EstateB1, Channel = PaymentChannel.Cash, OutTradeNo = "OFF20261202101010654321", AmountFen = 500, Status = PaymentStatus.Paid, CreatedAt = now, PaidAt = now, ReceiptNo = "NH-20261202-00000078" };
            db.Payments.AddRange(pa, pb);
            await db.SaveChangesAsync();
            (repairA1, repairB1, paymentA1) = (a.Id, b.Id, pa.Id);
        }

        var firm = await App.AdminClientAsync("firmF");
        var order = Assert.Single(Hits(await SearchAsync(firm, "off2026120210101012"), "payment"));
        Assert.Contains("123.45 元", order.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/admin/receipts/{paymentA1}", order.GetProperty("url").GetString());
        Assert.Empty(Hits(await SearchAsync(firm, "OFF20261202101010654321"), "payment"));

        var receipt = Assert.Single(Hits(await SearchAsync(firm, "NH-20261202-0000007"), "receipt"));
        Assert.Equal("收据 NH-20261202-00000077", receipt.GetProperty("title").GetString());

        var repair = Assert.Single(Hits(await SearchAsync(firm, repairA1.ToString(System.Globalization.CultureInfo.InvariantCulture)), "repair"));
        Assert.Contains("楼道灯不亮", repair.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/admin/repairs?repair={repairA1}", repair.GetProperty("url").GetString());
        Assert.Empty(Hits(await SearchAsync(firm, "#" + repairB1), "repair"));
        Assert.Single(Hits(await SearchAsync(await App.AdminClientAsync("adminB"), "#" + repairB1), "repair"));

        // The committee does not work the cash desk: no payments, even of its own estate.
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Empty(Hits(await SearchAsync(committee, "NH-20261202-00000077"), "receipt"));
    }

    [Fact]
    public async Task An_empty_or_too_long_query_is_a_chinese_problem()
    {
        var admin = await App.AdminClientAsync("adminA");
        var empty = await admin.GetAsync("/api/v1/admin/search?q=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("搜索内容必须填写", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/admin/search?q=" + new string('1', 51))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.CreateClient().GetAsync("/api/v1/admin/search?q=101")).StatusCode);
    }
}
