using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Topics;

/// <summary>A comment posted; <paramref name="Held"/> while staff review it before neighbours see it.</summary>
public sealed record CommentPosted(long Id, long TopicId, DateTimeOffset At, string Author, string Text, bool Held, string Message);

public sealed record CommentReleased(long Id, long TopicId, bool Held);

public sealed record CommentRemoved(long Id, long TopicId, bool Removed);

/// <summary>
/// 议事 over HTTP (API.md "Deliberation, votes and notices"). Residents raise, read, support and discuss topics of
/// their estates under /api/v1/topics; staff read them (held ones included), reply, review held text and sort them
/// 三事分流 under /api/v1/admin/topics.
/// </summary>
public static class TopicsApi
{
    public static IEndpointRouteBuilder MapTopicsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1/topics").WithTags("Topics").RequireAuthorization(Policies.Resident);
        residents.MapGet("", async (long? estateId, string? status, string? kind, int? page, int? pageSize, NeighbourHubDbContext db, TopicQueries queries,
            CancellationToken ct) =>
        {
            var (filter, p, s) = Filter(estateId, status, kind, null, page, pageSize);
            return TypedResults.Ok(await queries.ListAsync(db, filter, p, s, ct));
        });
        residents.MapGet("/{id:long}", async (long id, NeighbourHubDbContext db, TopicQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.DetailAsync(db, id, ct)));
        residents.MapPost("", async (RaiseTopicBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            var topic = await board.RaiseAsync(db, body, ct);
            return TypedResults.Created($"/api/v1/topics/{topic.Id}", Raised(await queries.DetailAsync(db, topic.Id, ct)));
        });
        residents.MapPost("/{id:long}/support", async (long id, NeighbourHubDbContext db, TopicBoard board, CancellationToken ct) =>
            TypedResults.Ok(await board.SupportAsync(db, id, ct)));
        residents.MapDelete("/{id:long}/support", async (long id, NeighbourHubDbContext db, TopicBoard board, CancellationToken ct) =>
            TypedResults.Ok(await board.WithdrawSupportAsync(db, id, ct)));
        MapComments(residents, "/api/v1/topics");

        var staff = app.MapGroup("/api/v1/admin/topics").WithTags("Admin topics").RequireAuthorization(Policies.Admin);
        staff.MapGet("", async (long? estateId, string? status, string? kind, bool? held, int? page, int? pageSize, NeighbourHubDbContext db, TopicQueries queries,
            CancellationToken ct) =>
        {
            var (filter, p, s) = Filter(estateId, status, kind, held, page, pageSize);
            return TypedResults.Ok(await queries.ListAsync(db, filter, p, s, ct));
        });
        staff.MapGet("/{id:long}", async (long id, NeighbourHubDbContext db, TopicQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.DetailAsync(db, id, ct)));
        staff.MapPost("", async (RaiseTopicBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            var topic = await board.RaiseAsync(db, body, ct);
            return TypedResults.Created($"/api/v1/admin/topics/{topic.Id}", Raised(await queries.DetailAsync(db, topic.Id, ct)));
        });
        MapComments(staff, "/api/v1/admin/topics");
        staff.MapPost("/{id:long}/release", async (long id, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            await board.ReleaseAsync(db, id, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/classify", async (long id, ClassifyTopicBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            await board.ClassifyAsync(db, id, body, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/decide", async (long id, DecideTopicBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            await board.DecideAsync(db, id, body, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/reject", async (long id, ReasonBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            await board.RejectAsync(db, id, body, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/close", async (long id, ReasonBody? body, NeighbourHubDbContext db, TopicBoard board, TopicQueries queries, CancellationToken ct) =>
        {
            await board.CloseAsync(db, id, body, ct);
            return TypedResults.Ok(await queries.DetailAsync(db, id, ct));
        });
        staff.MapPost("/{id:long}/comments/{commentId:long}/release", async (long id, long commentId, NeighbourHubDbContext db, TopicBoard board, CancellationToken ct) =>
        {
            await board.ReleaseCommentAsync(db, id, commentId, ct);
            return TypedResults.Ok(new CommentReleased(commentId, id, Held: false));
        });
        staff.MapPost("/{id:long}/comments/{commentId:long}/reject", async (long id, long commentId, NeighbourHubDbContext db, TopicBoard board, CancellationToken ct) =>
        {
            await board.RejectCommentAsync(db, id, commentId, ct);
            return TypedResults.Ok(new CommentRemoved(commentId, id, Removed: true));
        });
        app.MapGet("/api/v1/admin/topic-comments", async (long? estateId, int? page, int? pageSize, NeighbourHubDbContext db, TopicQueries queries, CancellationToken ct) =>
        {
            var v = new Validation();
            var (p, s) = Paging.Normalize(page, pageSize, v);
            Check(v);
            return TypedResults.Ok(await queries.HeldCommentsAsync(db, estateId, p, s, ct));
        }).WithTags("Admin topics").RequireAuthorization(Policies.Admin);
        return app;
    }

    private static void MapComments(RouteGroupBuilder g, string prefix)
    {
        g.MapGet("/{id:long}/comments", async (long id, int? page, int? pageSize, NeighbourHubDbContext db, TopicQueries queries, CancellationToken ct) =>
        {
            var v = new Validation();
            var (p, s) = Paging.Normalize(page, pageSize, v);
            Check(v);
            return TypedResults.Ok(await queries.CommentsAsync(db, id, p, s, ct));
        });
        g.MapPost("/{id:long}/comments", async (long id, TopicCommentBody? body, NeighbourHubDbContext db, TopicBoard board, CancellationToken ct) =>
        {
            var c = await board.CommentAsync(db, id, body, ct);
            return TypedResults.Created($"{prefix}/{id}/comments",
                new CommentPosted(c.Id, id, c.CreatedAt, c.AuthorName, c.Text, c.Held, c.Held ? "评论已提交，待工作人员审核后向邻居公开。" : "评论已发布。"));
        });
    }

    private static object Raised(TopicView topic) => new
    {
        topic.Id,
        topic.Status,
        topic.Held,
        message = topic.Held ? "议题已提交，待工作人员审核后向本小区居民公开。" : "议题已发布，邻居可以附议和讨论，业委会将进行分流。",
        topic,
    };

    private static (TopicFilter Filter, int Page, int PageSize) Filter(long? estateId, string? status, string? kind, bool? held, int? page, int? pageSize)
    {
        status = string.IsNullOrEmpty(status) ? null : status;
        kind = string.IsNullOrEmpty(kind) ? null : kind;
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        var st = TopicTexts.ParseStatus(status);
        var k = TopicTexts.ParseKind(kind);
        v.When(status is not null && st is null, "status", $"status 只能是 {TopicTexts.StatusWires}。")
         .When(kind is not null && k is null, "kind", $"kind 只能是 {TopicTexts.KindWires}。");
        Check(v);
        return (new TopicFilter(estateId, st, k, held), p, s);
    }

    private static void Check(Validation v)
    {
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }
    }
}
