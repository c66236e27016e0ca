using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests.Notices;

/// <summary>The embedded default's demo notices, as a demo resident and the demo community admin find them.</summary>
public sealed class NoticeDemoTests
{
    [Fact]
    public async Task The_demo_has_pinned_scheduled_and_building_notices_with_read_receipts()
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Password"] = "Demo@12345" });
        var zhang = await app.ResidentClientAsync("dev-zhang");
        var list = await (await zhang.GetAsync("/api/v1/notices")).Content.ReadFromJsonAsync<JsonElement>();
        var titles = list.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("title").GetString()).ToList();
        Assert.Equal("停水通知", titles[0]); // pinned first
        Assert.Contains("电梯年度检验通知", titles);
        Assert.DoesNotContain("计划停电检修通知", titles); // scheduled
        Assert.DoesNotContain("楼道杂物清理通知", titles); // another estate
        Assert.DoesNotContain("2栋外墙维修施工告知", titles); // another building

        var admin = await app.AdminClientAsync("community", "Demo@12345");
        var staff = await (await admin.GetAsync("/api/v1/admin/notices?status=scheduled")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("计划停电检修通知", staff.GetProperty("items").EnumerateArray().Single().GetProperty("title").GetString());
        var water = list.GetProperty("items")[0].GetProperty("id").GetInt64();
        var reads = await (await admin.GetAsync($"/api/v1/admin/notices/{water}/reads")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, reads.GetProperty("buildings").GetArrayLength());
        Assert.True(reads.GetProperty("read").GetInt32() > 10, reads.GetRawText());
        Assert.True(reads.GetProperty("unread").GetInt32() > 0, reads.GetRawText());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/admin/notices/{water}")).StatusCode);
    }
}
