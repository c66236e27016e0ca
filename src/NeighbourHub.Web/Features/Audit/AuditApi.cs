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

    private static async Task<Results<Ok<Paged<AuditRow>>, ValidationProblem>> List(
        string? actor, string? entityType, int? page, int? pageSize, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        return v.IsValid ? TypedResults.Ok(await AuditQueries.PageAsync(db, actor, entityType, p, s, ct)) : v.Problem();
    }
}
