using Microsoft.AspNetCore.Http.HttpResults;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Audit;

public sealed record AuditRow(long Id, DateTimeOffset At, string ActorName, string Action, string EntityType, string? EntityId, string? Before, string? After, string? TraceId);

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/admin/audit-log", List).WithTags("Admin audit").RequireAuthorization(Policies.ReadAuditLog);
        return app;
    }

    public static IQueryable<AuditRow> Query(NeighbourHubDbContext db, string? actor, string? entityType) =>
        db.AuditLogs
            .Where(a => (string.IsNullOrEmpty(actor) || a.ActorName == actor) && (string.IsNullOrEmpty(entityType) || a.EntityType == entityType))
            .OrderByDescending(a => a.Id)
            .Select(a => new AuditRow(a.Id, a.At, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.TraceId));

    private static async Task<Results<Ok<Paged<AuditRow>>, ValidationProblem>> List(
        string? actor, string? entityType, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? TypedResults.Ok(await Query(db, actor, entityType).ToPageAsync(p, s, ct)) : v.Problem();
    }
}
