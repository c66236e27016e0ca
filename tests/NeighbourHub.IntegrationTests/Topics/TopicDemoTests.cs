using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Demo;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests.Topics;

/// <summary>The embedded default's 议事: topics in every state the board reaches, as a resident and the committee read them.</summary>
public sealed class TopicDemoTests
{
    [Fact]
    public async Task The_demo_estate_has_topics_in_every_state_and_the_lift_topic_waits_for_its_vote()
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Password"] = "Demo@12345" });
        var zhang = await app.ResidentClientAsync("dev-zhang");
        var mine = await (await zhang.GetAsync("/api/v1/topics?pageSize=100")).Content.ReadFromJsonAsync<JsonElement>();
        var topics = mine.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(topics, t => t.GetProperty("status").GetString() == "open" && t.GetProperty("supporters").GetInt32() > 0);
        Assert.Contains(topics, t => t.GetProperty("kind").GetString() == "minor" && t.GetProperty("status").GetString() == "decided");
        Assert.Contains(topics, t => t.GetProperty("status").GetString() == "closed");
        Assert.Contains(topics, t => t.GetProperty("status").GetString() == "rejected");
        var clutter = Assert.Single(topics, t => t.GetProperty("kind").GetString() == "routine");
        Assert.Equal("submitted", clutter.GetProperty("repair").GetProperty("status").GetString());
        // Residents never see the held one; the committee does.
        Assert.DoesNotContain(topics, t => t.GetProperty("held").GetBoolean());
        var committee = await app.AdminClientAsync("committee", "Demo@12345");
        var held = await (await committee.GetAsync("/api/v1/admin/topics?held=true")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, held.GetProperty("total").GetInt64());

        // The lift topic, as the votes demo finds it: major, accepted, no vote yet, supported and discussed.
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<NeighbourHubDbContext>>().CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var lift = Assert.Single(topics, t => t.GetProperty("title").GetString() == TopicDemo.LiftTitle);
        Assert.Equal(lift.GetProperty("id").GetInt64(), await TopicDemo.LiftTopicIdAsync(db, lift.GetProperty("estateId").GetInt64(), CancellationToken.None));
        Assert.Equal("major", lift.GetProperty("kind").GetString());
        Assert.Equal("accepted", lift.GetProperty("status").GetString());
        Assert.Equal(8, lift.GetProperty("supporters").GetInt32());
        Assert.True(lift.GetProperty("mine").GetBoolean());
        Assert.Equal(3, lift.GetProperty("comments").GetInt32());
    }
}
