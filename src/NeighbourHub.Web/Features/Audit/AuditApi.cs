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

    private static IQueryable<AuditRow> Query(NeighbourHubDbContext db, string? actor, string? entityType) =>
        db.AuditLogs
            .Where(a => (string.IsNullOrEmpty(actor) || a.ActorName == actor) && (string.IsNullOrEmpty(entityType) || a.EntityType == entityType))
            .OrderByDescending(a => a.Id)
            .Select(a => new AuditRow(a.Id, a.At, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.TraceId));

    /// <summary>One page of the log as people may read it (personal data masked): the API and the console both read this.</summary>
    public static async Task<Paged<AuditRow>> PageAsync(NeighbourHubDbContext db, string? actor, string? entityType, int page, int pageSize, CancellationToken ct)
    {
        var rows = await Query(db, actor, entityType).ToPageAsync(page, pageSize, ct);
        return rows with { Items = rows.Items.Select(AuditMasking.Mask).ToList() };
    }

    private static async Task<Results<Ok<Paged<AuditRow>>, ValidationProblem>> List(
        string? actor, string? entityType, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? TypedResults.Ok(await PageAsync(db, actor, entityType, p, s, ct)) : v.Problem();
    }
}
