using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NeighbourHub.Web.Components.Layout;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Votes;
using NeighbourHub.Web.Features.Votes.Admin;

namespace NeighbourHub.ComponentTests;

/// <summary>The votes console's pieces that need no database: the results panel and the reasons it gives.</summary>
public sealed class VoteComponentTests
{
    private static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }

    private static ResultsView Results(string rule, bool passed, long voters, int total, decimal area, decimal areaTotal, bool quorum, params (string Text, int Voters, decimal Area)[] options) =>
        new(passed, rule, new ParticipationView(voters, total, area, areaTotal, quorum),
            options.Select((o, i) => new OptionResultView(i + 1, o.Text, o.Voters, o.Area)).ToList(), DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_closed_art278_vote_shows_both_shares_and_why_it_failed_for_lack_of_quorum()
    {
        await using var ctx = NewContext();
        // 5 of 9 owners and 500.00 of 900.00 m²: under two thirds in both.
        var r = Results("art278_major", false, 5, 9, 500.00m, 900.00m, false, ("同意", 4, 410.50m), ("不同意", 1, 89.50m), ("弃权", 0, 0m));
        var panel = ctx.Render<VoteResults>(p => p.Add(x => x.Results, r));
        var verdict = panel.Find("[data-testid=vote-verdict]").TextContent;
        Assert.Contains("未通过：参与不足“双三分之二”", verdict, StringComparison.Ordinal);
        Assert.Contains("参与表决 5 / 9 人（未达到三分之二）", verdict, StringComparison.Ordinal);
        var table = panel.Find("[data-testid=vote-results-table]").TextContent;
        Assert.Contains("410.50", table, StringComparison.Ordinal);
        Assert.Contains("89.50", table, StringComparison.Ordinal);
        Assert.Contains("80%", table, StringComparison.Ordinal); // 4 of 5 participants
        Assert.Contains("82.1%", table, StringComparison.Ordinal); // 410.50 of 500.00 m²
    }

    [Fact]
    public void The_reasons_follow_the_bounds_exactly()
    {
        // Exactly two thirds takes part (以上 includes the bound); exactly 3/4 agrees in both (major: passes).
        var major = Results("art278_major", true, 8, 12, 600.00m, 900.00m, true, ("同意", 6, 450.00m), ("不同意", 2, 150.00m));
        var lines = VoteExplain.Reasons(major);
        Assert.Contains("（达到三分之二）", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("未达到", lines[1], StringComparison.Ordinal);

        // Exactly half is not 过半数 (ordinary).
        var ordinary = Results("art278_ordinary", false, 8, 12, 600.00m, 900.00m, true, ("同意", 4, 300.01m), ("不同意", 4, 299.99m));
        Assert.Contains("4 / 8 人（未达到参与人数的过半数）", VoteExplain.Reasons(ordinary)[1], StringComparison.Ordinal);
        Assert.Contains("（达到参与面积的过半数）", VoteExplain.Reasons(ordinary)[1], StringComparison.Ordinal);

        var simple = Results("simple", true, 3, 10, 250m, 900m, true, ("同意", 2, 150m), ("不同意", 1, 100m));
        Assert.Equal("简单多数：“同意” 2 票，超过投票人数 3 的一半。", Assert.Single(VoteExplain.Reasons(simple)));
    }

    [Fact]
    public async Task Everyone_who_sees_the_console_is_offered_the_votes()
    {
        await using var ctx = NewContext();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("firm");
        auth.SetPolicies(Policies.Admin);
        Assert.Contains("业主表决", ctx.Render<NavMenu>().Markup, StringComparison.Ordinal);
    }
}
