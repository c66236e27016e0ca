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
        string? actor, string? entityType, string? action, string? entityId, DateOnly? from, DateOnly? to, int? page, int? pageSize,
        NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var (p, s) = Paging.Normalize(page, pageSize, v);
        v.Day("from", from).Day("to", to);
        if (from is { } f && to is { } t && t < f)
        {
            v.Add("to", "结束日期不能早于开始日期。");
        }

        return v.IsValid ? TypedResults.Ok(await AuditQueries.PageAsync(db, new AuditFilter(actor, entityType, action, entityId, from, to), p, s, ct)) : v.Problem();
    }
}
