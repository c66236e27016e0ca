using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Audit;

/// <summary>What the audit log is searched by: all optional; days are Beijing calendar days, both inclusive.</summary>
public sealed record AuditFilter(string? Actor = null, string? EntityType = null, string? Action = null, string? EntityId = null, DateOnly? From = null, DateOnly? To = null);

/// <summary>An audit row with the name its author is shown by (their display name, or the account name).</summary>
public sealed record AuditEntryView(AuditRow Row, string ActorShownName);

/// <summary>The audit log as people may read it, shared by the admin API and the console page.</summary>
public static class AuditQueries
{
    private static IQueryable<AuditLog> Query(NeighbourHubDbContext db, AuditFilter f)
    {
        var q = db.AuditLogs.AsQueryable();
        if (!string.IsNullOrWhiteSpace(f.Actor))
        {
            // By account or by the name people know them by: "firm" or "王经理".
            var actor = f.Actor.Trim();
            var ids = db.Users.Where(u => u.DisplayName == actor || u.UserName == actor).Select(u => (long?)u.Id);
            q = q.Where(a => a.ActorName == actor || ids.Contains(a.ActorId));
        }

        if (!string.IsNullOrWhiteSpace(f.EntityType))
        {
            q = q.Where(a => a.EntityType == f.EntityType);
        }

        if (!string.IsNullOrWhiteSpace(f.Action))
        {
            q = q.Where(a => a.Action == f.Action);
        }

        if (!string.IsNullOrWhiteSpace(f.EntityId))
        {
            q = q.Where(a => a.EntityId == f.EntityId.Trim());
        }

        if (f.From is { } from)
        {
            var start = ChinaTime.StartOf(from);
            q = q.Where(a => a.At >= start);
        }

        if (f.To is { } to)
        {
            var end = ChinaTime.StartOf(to.AddDays(1));
            q = q.Where(a => a.At < end);
        }

        return q.OrderByDescending(a => a.Id);
    }

    /// <summary>One page of the log as people may read it (personal data masked): the API and the console both read this.</summary>
    public static async Task<Paged<AuditRow>> PageAsync(NeighbourHubDbContext db, AuditFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var rows = await Query(db, filter)
            .Select(a => new AuditRow(a.Id, a.At, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.TraceId))
            .ToPageAsync(page, pageSize, ct);
        return rows with { Items = rows.Items.Select(AuditMasking.Mask).ToList() };
    }

    /// <summary>A page for the console: each row with its author's shown name (one extra query per page, not per row).</summary>
    public static async Task<Paged<AuditEntryView>> ViewPageAsync(NeighbourHubDbContext db, AuditFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var rows = await Query(db, filter)
            .Select(a => new { a.ActorId, Row = new AuditRow(a.Id, a.At, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.TraceId) })
            .ToPageAsync(page, pageSize, ct);
        var ids = rows.Items.Where(r => r.ActorId is not null).Select(r => r.ActorId!.Value).Distinct().ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).Select(AdminUser.Named).ToDictionaryAsync(n => n.Id, n => n.Name, ct);
        var items = rows.Items.Select(r => new AuditEntryView(AuditMasking.Mask(r.Row), ShownActor(r.Row.ActorName, r.ActorId, names))).ToList();
        return new Paged<AuditEntryView>(items, rows.Page, rows.PageSize, rows.Total);
    }

    /// <summary>Staff by the name they are shown by; the system and residents in words, never <c>resident:12</c>.</summary>
    private static string ShownActor(string actorName, long? actorId, Dictionary<long, string> names) =>
        actorId is { } id && names.TryGetValue(id, out var name) ? (name == actorName ? name : $"{name}（{actorName}）")
        : actorName == "system" ? "系统"
        : actorName.StartsWith("resident:", StringComparison.Ordinal) ? "居民"
        : actorName.Length == 0 ? "（未登录）" : actorName;
}
