using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>The home page's endpoint on the embedded default (SQLite, demo data): every demo account gets its figures and sections.</summary>
public sealed class DashboardDemoTests
{
    [Fact]
    public async Task Every_demo_account_gets_its_dashboard_on_sqlite()
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Password"] = "Demo@12345" });
        var views = new Dictionary<string, JsonElement>();
        foreach (var account in new[] { "admin", "community", "firm", "grid", "committee" })
        {
            var client = await app.AdminClientAsync(account, "Demo@12345");
            var response = await client.GetAsync("/api/v1/admin/dashboard");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{account}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            views[account] = await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        // The demo's seven weeks of repairs and three months of bills show up as figures, not zeros.
        var admin = views["admin"];
        Assert.True(admin.GetProperty("repairs").GetProperty("reported").GetInt32() > 0);
        Assert.True(admin.GetProperty("repairs").GetProperty("weeks").EnumerateArray().Sum(w => w.GetProperty("opened").GetInt32()) > 0);
        Assert.Contains(admin.GetProperty("fees").GetProperty("months").EnumerateArray(), m => m.GetProperty("dueFen").GetInt64() > 0);
        Assert.True(views["community"].TryGetProperty("timeBank", out _));
        Assert.True(views["firm"].TryGetProperty("fees", out _));
        Assert.False(views["firm"].TryGetProperty("timeBank", out _));
        Assert.False(views["committee"].TryGetProperty("fees", out _));
        Assert.False(views["grid"].TryGetProperty("timeBank", out _));
        Assert.All(views.Values, v => Assert.NotEmpty(v.GetProperty("todo").EnumerateArray()));
    }
}
