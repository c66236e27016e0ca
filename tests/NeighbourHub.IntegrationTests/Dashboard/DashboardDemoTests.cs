using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The home page's and the KPI page's endpoints on the embedded default (SQLite, demo data): every demo account gets its
/// figures and sections, and its KPIs in every grouping (from the day figures, or live for the grid worker).
/// </summary>
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
            foreach (var by in new[] { "estate", "grid", "firm", "assignee" })
            {
                var kpis = await client.GetAsync($"/api/v1/admin/repairs/kpis?by={by}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-90).ToString("O"))}");
                Assert.True(kpis.StatusCode == HttpStatusCode.OK, $"{account} by {by}: {kpis.StatusCode} {await kpis.Content.ReadAsStringAsync()}");
                var report = await kpis.Content.ReadFromJsonAsync<JsonElement>();
                // Every grouping splits the same repairs: its rows add up to the overall total.
                Assert.Equal(report.GetProperty("overall").GetProperty("total").GetInt32(), report.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("total").GetInt32()));
                if (account is "admin" or "grid")
                {
                    Assert.True(report.GetProperty("overall").GetProperty("total").GetInt32() > 0, $"{account} by {by}: the demo's repairs should count");
                }
            }
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
