using Microsoft.Extensions.Options;
using MiniExcelLibs;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Votes;

/// <summary>
/// Owners' votes over HTTP (API.md "Deliberation, votes and notices"). Residents read the votes of their estates and
/// cast their one ballot; organisers (committee, community) create, enter paper ballots, close and export under
/// /api/v1/admin. No route tells per-option numbers before the count, or how anyone voted, ever.
/// </summary>
public static class VotesApi
{
    public static IEndpointRouteBuilder MapVotesApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1/votes").WithTags("Owners' votes").RequireAuthorization(Policies.Resident).AddEndpointFilter(VoteInScope);
        var staff = app.MapGroup("/api/v1/admin/votes").WithTags("Admin owners' votes").RequireAuthorization(Policies.Admin).AddEndpointFilter(VoteInScope);
        foreach (var group in new[] { residents, staff })
        {
            group.MapGet("", async (long? estateId, string? status, int? page, int? pageSize, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) =>
            {
                var v = new Validation();
                var s = EnumQuery.Parse<VoteStatus>("status", status, v);
                var (p, size) = Paging.Normalize(page, pageSize, v);
                return v.IsValid ? Results.Ok(await queries.ListAsync(db, estateId, s, p, size, ct)) : v.Problem();
            });
            group.MapGet("/{id:long}", async (long id, NeighbourHubDbContext db, VoteDesk desk, VoteQueries queries, CancellationToken ct) =>
            {
                await queries.FindAsync(db, id, ct);
                await desk.OpenIfDueAsync(id, ct); // the clock job may not have ticked yet
                return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
            });
            group.MapGet("/{id:long}/tally", async (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.TallyAsync(db, id, ct)));
            group.MapGet("/{id:long}/tally/proof", async (long id, string? receipt, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.ProofAsync(db, id, receipt, ct)));
        }

        residents.MapGet("/{id:long}/my-ballot", async (long id, NeighbourHubDbContext db, VoteDesk desk, VoteQueries queries, CancellationToken ct) =>
        {
            await queries.FindAsync(db, id, ct);
            await desk.OpenIfDueAsync(id, ct);
            return TypedResults.Ok(await queries.MyBallotAsync(db, id, ct));
        });
        residents.MapPost("/{id:long}/ballots", async (long id, BallotBody? body, HttpRequest request, NeighbourHubDbContext db, VoteDesk desk, CancellationToken ct) =>
        {
            var (ballot, _) = await desk.CastAsync(db, id, body, Idempotency.KeyOf(request), ct);
            return TypedResults.Created($"/api/v1/votes/{id}/my-ballot", new BallotReceipt(ballot.Receipt, ballot.CastAt.ToChina(), TallyLine.Wire(ballot.Channel)));
        });

        staff.MapPost("", async (CreateVoteBody? body, HttpRequest request, NeighbourHubDbContext db, VoteDesk desk, VoteQueries queries, CancellationToken ct) =>
        {
            var vote = await desk.CreateAsync(db, body, Idempotency.KeyOf(request), ct);
            return TypedResults.Created($"/api/v1/admin/votes/{vote.Id}", await queries.DetailAsync(db, vote.Id, ct));
        });
        staff.MapPost("/{id:long}/paper-ballots", async (long id, PaperBallotBody? body, HttpRequest request, NeighbourHubDbContext db, VoteDesk desk, CancellationToken ct) =>
        {
            var (ballot, _) = await desk.EnterPaperAsync(db, id, body, Idempotency.KeyOf(request), ct);
            return TypedResults.Created($"/api/v1/admin/votes/{id}", new BallotReceipt(ballot.Receipt, ballot.CastAt.ToChina(), TallyLine.Wire(ballot.Channel)));
        });
        staff.MapPost("/{id:long}/close", async (long id, NeighbourHubDbContext db, VoteDesk desk, VoteQueries queries, CancellationToken ct) =>
        {
            await desk.CloseByStaffAsync(db, id, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/cancel", async (long id, ReasonBody? body, NeighbourHubDbContext db, VoteDesk desk, VoteQueries queries, CancellationToken ct) =>
        {
            await desk.CancelAsync(db, id, body?.Reason, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapGet("/{id:long}/turnout", async (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.TurnoutByBuildingAsync(db, id, ct)));
        staff.MapGet("/{id:long}/flats", async (long id, string? keyword, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) =>
        {
            var vote = await queries.FindAsync(db, id, ct);
            await VoteDesk.OrganiserAsync(db, vote.EstateId, ct);
            return TypedResults.Ok(await queries.FlatsAsync(db, id, keyword, 200, ct));
        });
        staff.MapGet("/{id:long}/electorate.xlsx", (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) => ElectorateFile(id, db, queries, ct));
        staff.MapGet("/{id:long}/results.xlsx", (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) => ResultsFile(id, db, queries, ct));

        // The console's downloads (cookie-signed-in staff).
        app.MapGet("/admin/files/votes/{id:long}/electorate.xlsx", (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) => ElectorateFile(id, db, queries, ct))
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        app.MapGet("/admin/files/votes/{id:long}/results.xlsx", (long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct) => ResultsFile(id, db, queries, ct))
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ElectorateFile(long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct)
    {
        var vote = await queries.FindAsync(db, id, ct);
        await VoteDesk.OrganiserAsync(db, vote.EstateId, ct);
        var rows = await queries.ElectorateAsync(db, id, ct);
        db.Audit("vote.export.electorate", nameof(Vote), id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(ct);
        return Spreadsheet.File($"{vote.Title}-业主名册.xlsx", rows,
            new("序号", r => r.No), new("房屋", r => r.Flats), new("业主", r => r.Owners), new("户数", r => r.FlatCount),
            new("专有部分面积（m²）", r => r.AreaM2), new("类型", r => r.IsDeveloper ? "开发建设单位（合计一人）" : "业主"));
    }

    /// <summary>Two sheets: the results (counts and areas) and the tally (every ballot by receipt), for filing.</summary>
    private static async Task<IResult> ResultsFile(long id, NeighbourHubDbContext db, VoteQueries queries, CancellationToken ct)
    {
        var vote = await queries.FindAsync(db, id, ct);
        var tally = await queries.TallyAsync(db, id, ct);
        var r = tally.Results;
        var options = r.Options.ToDictionary(o => o.Id, o => o.Text);
        var summary = new List<Dictionary<string, object?>>
        {
            Row("表决事项", vote.Title), Row("表决规则", VoteRules.Text(vote.Rule)),
            Row("业主总人数", r.Participation.VotersTotal), Row("专有部分总面积（m²）", r.Participation.AreaTotalM2),
            Row("参与表决人数", r.Participation.Voters), Row("参与表决面积（m²）", r.Participation.AreaM2),
            Row("达到“双三分之二”参与", r.Participation.QuorumMet ? "是" : "否"),
        };
        summary.AddRange(r.Options.Select(o => Row($"{o.Text}（人数 / 面积 m²）", $"{o.Voters} / {o.AreaM2:0.00}")));
        summary.Add(Row("结果", r.Passed ? "通过" : "未通过"));
        summary.Add(Row("结束时间", r.DecidedAt.Show()));
        summary.Add(Row("计票树头（树大小 / 根哈希）", $"{tally.Head.TreeSize} / {tally.Head.RootHash}"));
        summary.Add(Row("树头签名（密钥 / 签名）", $"{tally.Head.KeyId} / {tally.Head.Signature}"));
        var lines = tally.Items.Select(i => new Dictionary<string, object?>
        {
            ["回执码"] = i.Receipt,
            ["选项"] = options.GetValueOrDefault(i.OptionId),
            ["面积（m²）"] = i.AreaM2,
            ["人数"] = i.Voters,
            ["渠道"] = i.Channel switch { "online" => "线上", "paper" => "纸质", _ => "委托" },
        }).ToList();
        using var stream = new MemoryStream();
        stream.SaveAs(new Dictionary<string, object> { ["表决结果"] = summary, ["计票明细"] = lines });
        return Spreadsheet.File($"{vote.Title}-表决结果.xlsx", stream.ToArray());

        static Dictionary<string, object?> Row(string item, object? value) => new() { ["项目"] = item, ["内容"] = value };
    }

    /// <summary>A vote the caller does not see is not found, before anything of the request is looked at (ADR 0002).</summary>
    private static async ValueTask<object?> VoteInScope(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue("id", out var raw) && long.TryParse(raw?.ToString(), out var id))
        {
            var services = context.HttpContext.RequestServices;
            await services.GetRequiredService<VoteQueries>().FindAsync(services.GetRequiredService<NeighbourHubDbContext>(), id, context.HttpContext.RequestAborted);
        }

        return await next(context);
    }

}

public sealed record BallotReceipt(string Receipt, DateTimeOffset CastAt, string Channel);
