using System.Net;
using System.Net.Http.Json;

namespace NeighbourHub.IntegrationTests;

/// <summary>KPIs over real repairs: rates, ranking only from ten items, scope.</summary>
public sealed class RepairKpiTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task Rates_are_computed_per_group_and_small_groups_are_shown_but_not_ranked()
    {
        var (residentA1, _) = await VerifiedResidentAsync("wx-kpi-a1", Org.HouseholdsA1[0]);
        var (residentA2, _) = await VerifiedResidentAsync("wx-kpi-a2", Org.HouseholdsA2[0]);
        var firm = await App.AdminClientAsync("firmF");
        var adminA = await App.AdminClientAsync("adminA");
        var waterA1 = await RepairPhotoTests.CategoryAsync(residentA1, Org.EstateA1, "水电");
        var waterA2 = await RepairPhotoTests.CategoryAsync(residentA2, Org.EstateA2, "水电");

        // Estate A1: 12 repairs; the firm resolves 9 (one gets reopened and resolved again), 8 are rated, 3 stay open.
        var a1 = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            a1.Add((await Json(await residentA1.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = waterA1, description = $"漏水{i}" }))).GetProperty("id").GetInt64());
        }

        foreach (var id in a1.Take(9))
        {
            Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/grab", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "好了" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await residentA1.PostAsJsonAsync($"/api/v1/repairs/{a1[0]}/reopen", new { reason = "又坏" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{a1[0]}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{a1[0]}/resolve", new { note = "真好了" })).StatusCode);
        foreach (var (id, stars) in a1.Take(8).Select((id, i) => (id, i % 2 == 0 ? 5 : 4)))
        {
            Assert.Equal(HttpStatusCode.OK, (await residentA1.PostAsJsonAsync($"/api/v1/repairs/{id}/rating", new { stars })).StatusCode);
        }

        // Estate A2: 2 repairs, one resolved by the community admin.
        var a2 = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            a2.Add((await Json(await residentA2.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA2, householdId = Org.HouseholdsA2[0], categoryId = waterA2, description = $"停水{i}" }))).GetProperty("id").GetInt64());
        }

        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{a2[0]}/grab", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{a2[0]}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{a2[0]}/resolve", new { note = "好了" })).StatusCode);

        var report = await Json(await adminA.GetAsync("/api/v1/admin/repairs/kpis?by=estate"));
        var overall = report.GetProperty("overall");
        Assert.Equal(14, overall.GetProperty("total").GetInt32());
        Assert.Equal(10, overall.GetProperty("handled").GetInt32());
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        var estateA1 = rows.Single(r => r.GetProperty("key").GetString() == $"estate:{Org.EstateA1}");
        Assert.Equal((12, 9), (estateA1.GetProperty("total").GetInt32(), estateA1.GetProperty("handled").GetInt32()));
        Assert.Equal(0.75, estateA1.GetProperty("handlingRate").GetDouble());
        Assert.Equal(1.0, estateA1.GetProperty("onTimeRate").GetDouble());
        Assert.Equal(4.5, estateA1.GetProperty("satisfaction").GetDouble());
        Assert.Equal(8, estateA1.GetProperty("rated").GetInt32());
        Assert.Equal(Math.Round(1 / 9.0, 4), estateA1.GetProperty("reopenRate").GetDouble());
        Assert.True(estateA1.GetProperty("ranked").GetBoolean());
        Assert.Equal(1, estateA1.GetProperty("rank").GetInt32());
        var estateA2 = rows.Single(r => r.GetProperty("key").GetString() == $"estate:{Org.EstateA2}");
        Assert.Equal(0.5, estateA2.GetProperty("handlingRate").GetDouble());
        Assert.False(estateA2.GetProperty("ranked").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, estateA2.GetProperty("rank").ValueKind);

        // Per assignee and per firm; the firm sees only its estate; a foreign admin sees nothing.
        var byAssignee = await Json(await adminA.GetAsync("/api/v1/admin/repairs/kpis?by=assignee"));
        Assert.Contains(byAssignee.GetProperty("rows").EnumerateArray(), r => r.GetProperty("name").GetString() == "firmF" && r.GetProperty("handled").GetInt32() == 9);
        var byFirm = await Json(await firm.GetAsync("/api/v1/admin/repairs/kpis?by=firm"));
        Assert.Equal("测试物业", Assert.Single(byFirm.GetProperty("rows").EnumerateArray()).GetProperty("name").GetString());
        var byGrid = await Json(await adminA.GetAsync("/api/v1/admin/repairs/kpis?by=grid"));
        var grids = byGrid.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("total").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["甲二网格"] = 2, ["未分网格"] = 12 }, grids);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(0, (await Json(await adminB.GetAsync("/api/v1/admin/repairs/kpis"))).GetProperty("overall").GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.GetAsync("/api/v1/admin/repairs/kpis?by=street")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.GetAsync("/api/v1/admin/repairs/kpis?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z")).StatusCode);
    }
}
