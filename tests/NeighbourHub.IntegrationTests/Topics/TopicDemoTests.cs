using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Demo;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests.Topics;

/// <summary>
/// The embedded default's 议事 and 业主大会: topics in every state the board reaches, and votes as a newcomer tries them —
/// a demo owner votes through the API, and the closed votes' published results match a recount from their tallies.
/// </summary>
public sealed class TopicDemoTests
{
    [Fact]
    public async Task The_demo_estate_has_topics_in_every_state_and_owners_vote_on_the_lift_the_renewal_and_the_gate()
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
        // Handed to the firm as a cleaning job, and cleared within its day.
        Assert.Equal("resolved", clutter.GetProperty("repair").GetProperty("status").GetString());
        // Residents never see the held one; the committee does.
        Assert.DoesNotContain(topics, t => t.GetProperty("held").GetBoolean());
        var committee = await app.AdminClientAsync("committee", "Demo@12345");
        var held = await (await committee.GetAsync("/api/v1/admin/topics?held=true")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, held.GetProperty("total").GetInt64());

        // The lift topic, raised and supported by neighbours, went to the owners' vote, which passed.
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<NeighbourHubDbContext>>().CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var lift = Assert.Single(topics, t => t.GetProperty("title").GetString() == TopicDemo.LiftTitle);
        Assert.Equal(lift.GetProperty("id").GetInt64(), await TopicDemo.LiftTopicIdAsync(db, lift.GetProperty("estateId").GetInt64(), CancellationToken.None));
        Assert.Equal("major", lift.GetProperty("kind").GetString());
        Assert.Equal("decided", lift.GetProperty("status").GetString());
        Assert.Equal(8, lift.GetProperty("supporters").GetInt32());
        Assert.Equal(3, lift.GetProperty("comments").GetInt32());
        var liftVoteId = lift.GetProperty("voteId").GetInt64();

        var votes = (await Json(zhang, "/api/v1/votes?pageSize=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["open", "announced", "closed", "closed"], votes.Select(v => v.GetProperty("status").GetString()));
        foreach (var closed in votes.Where(v => v.GetProperty("status").GetString() == "closed"))
        {
            // Anyone recounts from the tally, to the square metre, and gets the published results.
            var tally = await Json(zhang, $"/api/v1/votes/{closed.GetProperty("id").GetInt64()}/tally");
            var items = tally.GetProperty("items").EnumerateArray().ToList();
            var results = tally.GetProperty("results");
            foreach (var option in results.GetProperty("options").EnumerateArray())
            {
                var mine2 = items.Where(i => i.GetProperty("optionId").GetInt64() == option.GetProperty("id").GetInt64()).ToList();
                Assert.Equal(mine2.Count, option.GetProperty("voters").GetInt32());
                Assert.Equal(mine2.Sum(i => i.GetProperty("areaM2").GetDecimal()), option.GetProperty("areaM2").GetDecimal());
            }

            Assert.Equal(items.Count, results.GetProperty("participation").GetProperty("voters").GetInt32());
            var isLift = closed.GetProperty("id").GetInt64() == liftVoteId;
            Assert.Equal(isLift, results.GetProperty("passed").GetBoolean());
            Assert.Equal(isLift, results.GetProperty("participation").GetProperty("quorumMet").GetBoolean()); // the gate failed for lack of 2/3
            Assert.Equal(isLift ? "art278_major" : "art278_ordinary", results.GetProperty("rule").GetString());
            Assert.Contains(items, i => i.GetProperty("channel").GetString() == "online");
            Assert.Contains(items, i => i.GetProperty("channel").GetString() == "paper");
        }

        // 张阿姨 voted online on the lift and finds her receipt in its tally; the renewal is open and she has not voted yet.
        var liftBallot = await Json(zhang, $"/api/v1/votes/{liftVoteId}/my-ballot");
        var liftTally = await Json(zhang, $"/api/v1/votes/{liftVoteId}/tally");
        Assert.Contains(liftTally.GetProperty("items").EnumerateArray(), i => i.GetProperty("receipt").GetString() == liftBallot.GetProperty("receipt").GetString());
        var renewal = votes[0];
        var myBallot = await Json(zhang, $"/api/v1/votes/{renewal.GetProperty("id").GetInt64()}/my-ballot");
        Assert.True(myBallot.GetProperty("canVote").GetBoolean());
        Assert.Equal(JsonValueKind.Null, renewal.GetProperty("results").ValueKind); // no per-option numbers while open
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/votes/{renewal.GetProperty("id").GetInt64()}/ballots")
        {
            Content = JsonContent.Create(new { optionId = renewal.GetProperty("options")[0].GetProperty("id").GetInt64() }),
        };
        request.Headers.Add("Idempotency-Key", "demo-zhang-renewal");
        var cast = await zhang.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, cast.StatusCode);
        var after = await Json(zhang, $"/api/v1/votes/{renewal.GetProperty("id").GetInt64()}");
        Assert.Equal(renewal.GetProperty("turnout").GetProperty("voters").GetInt32() + 1, after.GetProperty("turnout").GetProperty("voters").GetInt32());
    }

    private static async Task<JsonElement> Json(HttpClient client, string url) =>
        await (await client.GetAsync(url)).Content.ReadFromJsonAsync<JsonElement>();
}
