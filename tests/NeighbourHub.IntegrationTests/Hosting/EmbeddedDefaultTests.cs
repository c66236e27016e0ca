using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>The embedded default: SQLite migrated at start, the WeChat sandbox, demo data.</summary>
public sealed class EmbeddedDefaultTests
{
    [Fact]
    public async Task On_SQLite_with_the_sandbox_and_demo_data_the_whole_residence_flow_works()
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Password"] = "Demo@12345" });
        var resident = await app.ResidentClientAsync("dev-newcomer");
        var estates = await (await resident.GetAsync("/api/v1/estates")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(2, estates.GetProperty("total").GetInt64());
        var estateId = estates.GetProperty("items").EnumerateArray().First(e => e.GetProperty("name").GetString() == "阳光花园").GetProperty("id").GetInt64();
        var households = await (await resident.GetAsync($"/api/v1/estates/{estateId}/households?pageSize=100")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(264, households.GetProperty("total").GetInt64());
        var householdId = households.GetProperty("items")[10].GetProperty("id").GetInt64();

        var apply = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId, relation = "family", realName = "新住户" });
        Assert.Equal(HttpStatusCode.Created, apply.StatusCode);
        var id = (await apply.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();

        var firm = await app.AdminClientAsync("firm", "Demo@12345");
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/residences/{id}/approve", null)).StatusCode);
        var me = await (await resident.GetAsync("/api/v1/me")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("approved", me.GetProperty("residences")[0].GetProperty("status").GetString());

        // The demo's self-managed estate is not the firm's.
        var firmEstates = await (await firm.GetAsync("/api/v1/admin/estates")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(new[] { "阳光花园" }, firmEstates.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
        // Ready: nothing Unhealthy. The demo's history leaves outbox messages that no dispatcher delivers here
        // (Outbox:PollSeconds is 0 in tests), so the outbox check may fairly say Degraded.
        Assert.NotEqual("Unhealthy", (await (await app.CreateClient().GetAsync("/health/ready")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("status").GetString());

        // The demo billed three months; the new resident pays one through the WeChat Pay sandbox, whose callback is
        // signed and encrypted with generated keys and goes through the same verification as a real one.
        var bills = await (await resident.GetAsync("/api/v1/bills?status=unpaid")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var unpaid = bills.GetArrayLength();
        Assert.InRange(unpaid, 1, 3); // this month's at least; older ones the demo may have paid at the office
        var pay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds = new[] { bills[0].GetProperty("id").GetInt64() } }) };
        pay.Headers.Add("Idempotency-Key", "embedded-1");
        var created = await (await resident.SendAsync(pay)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var paymentId = created.GetProperty("paymentId").GetInt64();
        var paid = await (await resident.PostAsync($"/api/v1/payments/{paymentId}/sandbox-pay", null)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.StartsWith("NH-", paid.GetProperty("receiptNo").GetString(), StringComparison.Ordinal);
        Assert.Equal(unpaid - 1, (await (await resident.GetAsync("/api/v1/bills?status=unpaid")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetArrayLength());

        // The payment reaches the estate's fund as one income entry, with a proof the resident can check.
        var dispatcher = app.Services.GetRequiredService<Web.Features.Notifications.OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }

        var incomes = await (await resident.GetAsync($"/api/v1/estates/{estateId}/fund/entries?kind=income&pageSize=5")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var entry = incomes.GetProperty("items").EnumerateArray().First(e => e.GetProperty("amountFen").GetInt64() == bills[0].GetProperty("amountFen").GetInt64()
            && e.GetProperty("memo").GetString()!.Contains("微信支付", StringComparison.Ordinal));
        var proof = await (await resident.GetAsync($"/api/v1/estates/{estateId}/fund/entries/{entry.GetProperty("seq").GetInt64()}")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var leaf = Convert.FromBase64String(proof.GetProperty("leaf").GetString()!);
        Assert.True(FundVerifier.MerkleTree.VerifyInclusion(entry.GetProperty("seq").GetInt64(), proof.GetProperty("inclusion").GetProperty("treeSize").GetInt64(),
            FundVerifier.MerkleTree.HashLeaf(leaf), proof.GetProperty("inclusion").GetProperty("path").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList(),
            Convert.FromHexString(proof.GetProperty("head").GetProperty("rootHash").GetString()!)));
        var verify = await (await resident.GetAsync($"/api/v1/estates/{estateId}/fund/verify")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetProperty("message").GetString());

        // The demo's own payments: most older bills paid at the office, 张阿姨's in WeChat.
        var collection = await (await firm.GetAsync("/api/v1/admin/billing/collection")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var rate = collection[0].GetProperty("rate").GetDouble();
        Assert.InRange(rate, 0.1, 0.9);

        // The demo's owners' fund: a year of history, lived through the real services, that verifies; a proposal waits for the committee.
        var verified = await (await firm.GetAsync($"/api/v1/admin/estates/{estateId}/fund/verify")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.GetProperty("message").GetString());
        var waiting = await (await firm.GetAsync($"/api/v1/admin/estates/{estateId}/fund/expenses?status=proposed")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(waiting.GetArrayLength() >= 1);
    }

    [Fact]
    public async Task Production_without_a_WeChat_app_refuses_to_start_unless_the_sandbox_is_explicit()
    {
        using var refused = new ProductionFactory(sandbox: null);
        var error = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
        Assert.Contains("WeChat:AppId", Flatten(error), StringComparison.Ordinal);

        // The WeChat Pay sandbox needs its own explicit permission: a demo server must say so twice.
        using var paySandboxRefused = new ProductionFactory(sandbox: "true");
        Assert.Contains("WeChatPay:MchId", Flatten(Assert.ThrowsAny<Exception>(() => paySandboxRefused.CreateClient())), StringComparison.Ordinal);

        using var allowed = new ProductionFactory(sandbox: "true", paySandbox: "true");
        Assert.Equal(HttpStatusCode.OK, (await allowed.CreateClient().GetAsync("/health/live")).StatusCode);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    private sealed class ProductionFactory(string? sandbox, string? paySandbox = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:NeighbourHub", $"Data Source={Path.Combine(Path.GetTempPath(), $"nh-prod-{Guid.NewGuid():N}.db")}");
            builder.UseSetting("Jwt:SigningKey", NeighbourHubAppFactory.JwtKey);
            builder.UseSetting("Demo:Seed", "false");
            builder.UseSetting("WeChat:AppId", "");
            if (sandbox is not null)
            {
                builder.UseSetting("WeChat:Sandbox", sandbox);
            }

            if (paySandbox is not null)
            {
                builder.UseSetting("WeChatPay:AllowSandboxInProduction", paySandbox);
            }
        }
    }
}
