using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Audit;

/// <summary>The audit log as people may read it, shared by the admin API and the console page.</summary>
public static class AuditQueries
{
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
}
