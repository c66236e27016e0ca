using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Notices;

/// <summary>
/// Notices (公告) over HTTP (API.md "Deliberation, votes and notices"). Residents read the notices of their community,
/// estates and buildings; staff publish, list, read receipts, remind the unread, pin and withdraw under /api/v1/admin.
/// </summary>
public static class NoticesApi
{
    private static readonly string[] Statuses = ["scheduled", "published", "withdrawn"];

    public static IEndpointRouteBuilder MapNoticesApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1/notices").WithTags("Notices").RequireAuthorization(Policies.Resident);
        residents.MapGet("", async (int? page, int? pageSize, NeighbourHubDbContext db, NoticeQueries queries, CancellationToken ct) =>
        {
            var v = new Validation();
            var (p, s) = Paging.Normalize(page, pageSize, v);
            if (!v.IsValid)
            {
                throw new RequestValidationException(v);
            }

            return TypedResults.Ok(await queries.ForResidentAsync(db, p, s, ct));
        }).WithDescription("The caller's notices (community, estates, buildings where a residence is approved): published and not withdrawn, pinned first, then newest.");
        residents.MapGet("/{id}", async (string id, NeighbourHubDbContext db, NoticeQueries queries, NoticeBoard board, CancellationToken ct) =>
        {
            var notice = await queries.PublishedAsync(db, Id(id), ct);
            await board.MarkReadAsync(db, notice.Id, ct);
            return TypedResults.Ok(await queries.ResidentViewAsync(db, notice, ct));
        }).WithDescription("One notice; opening it records the caller's read receipt once. Not in scope, not yet published or withdrawn: 404.");

        var staff = app.MapGroup("/api/v1/admin/notices").WithTags("Admin notices").RequireAuthorization(Policies.Admin);
        staff.MapPost("", async (NoticeBody? body, NeighbourHubDbContext db, NoticeBoard board, NoticeQueries queries, CancellationToken ct) =>
        {
            var notice = await board.PublishAsync(db, body, ct);
            return TypedResults.Created($"/api/v1/admin/notices/{notice.Id}", await queries.StaffViewAsync(db, notice.Id, ct));
        }).WithDescription("Publishes a notice now or at publishAt (at most 30 days ahead). Community level: community and platform admins; estate and "
                           + "building level: staff who see the estate. attachmentIds: the caller's own uploads (POST /api/v1/admin/files, images or PDF). "
                           + "notify: a subscribe message to the approved residents in scope when it is published.");
        staff.MapGet("", async (long? estateId, string? status, int? page, int? pageSize, NeighbourHubDbContext db, NoticeQueries queries, CancellationToken ct) =>
        {
            var v = new Validation();
            var (p, s) = Paging.Normalize(page, pageSize, v);
            v.When(status is not null && !Statuses.Contains(status), "status", "状态只能是 scheduled（待发布）、published（已发布）或 withdrawn（已撤回）。");
            if (!v.IsValid)
            {
                throw new RequestValidationException(v);
            }

            return TypedResults.Ok(await queries.ForStaffAsync(db, estateId, status, p, s, ct));
        }).WithDescription("Notices in the caller's scope, newest first; estateId keeps those reaching that estate (its own, its buildings', its community's).");
        staff.MapGet("/{id}", async (string id, NeighbourHubDbContext db, NoticeQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.StaffViewAsync(db, Id(id), ct)));
        staff.MapGet("/{id}/reads", async (string id, long? buildingId, NeighbourHubDbContext db, NoticeQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.ReadsAsync(db, Id(id), buildingId, ct)))
            .WithDescription("Read receipts per flat: a flat has read when any of its approved residents opened the notice. Counts per building and the unread flats by address only.");
        staff.MapPost("/{id}/remind", async (string id, NeighbourHubDbContext db, NoticeBoard board, NoticeQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await board.RemindAsync(db, queries, Id(id), ct)))
            .WithDescription("A subscribe message to the approved residents of the flats that have not read; at most once a day per notice (409 says when the next is allowed).");
        staff.MapPost("/{id}/withdraw", async (string id, ReasonBody? body, NeighbourHubDbContext db, NoticeBoard board, NoticeQueries queries, CancellationToken ct) =>
        {
            await board.WithdrawAsync(db, Id(id), body?.Reason, ct);
            return TypedResults.Ok(await queries.StaffViewAsync(db, Id(id), ct));
        }).WithDescription("Withdraws a notice with a reason; refused (409) before its keepUntil (公示 period) and when already withdrawn.");
        staff.MapPost("/{id}/pin", async (string id, NeighbourHubDbContext db, NoticeBoard board, NoticeQueries queries, CancellationToken ct) =>
        {
            await board.PinAsync(db, Id(id), true, ct);
            return TypedResults.Ok(await queries.StaffViewAsync(db, Id(id), ct));
        });
        staff.MapPost("/{id}/unpin", async (string id, NeighbourHubDbContext db, NoticeBoard board, NoticeQueries queries, CancellationToken ct) =>
        {
            await board.PinAsync(db, Id(id), false, ct);
            return TypedResults.Ok(await queries.StaffViewAsync(db, Id(id), ct));
        });
        return app;
    }

    /// <summary>
    /// A notice id from the path. The route takes any text (no <c>:long</c> constraint), so a caller without the right token
    /// hears 401 whatever the id, and anything that is not a notice number is simply not found.
    /// </summary>
    private static long Id(string id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new NotFoundException("公告");
}
