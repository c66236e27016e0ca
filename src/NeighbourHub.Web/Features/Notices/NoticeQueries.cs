using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Notices;

public sealed record NoticeScopeView(string Level, long Id, string Name);

public sealed record NoticeAttachmentView(string Id, string Url, string ContentType, string? Name);

/// <summary>A notice as residents read it (API.md).</summary>
public sealed record NoticeView(long Id, string Title, string Body, NoticeScopeView Scope, bool Pinned, DateTimeOffset PublishedAt,
    IReadOnlyList<NoticeAttachmentView> Attachments, DateTimeOffset? ReadAt, string PublishedBy);

/// <summary>A notice in the staff list.</summary>
/// <param name="Status">scheduled, published or withdrawn.</param>
public sealed record StaffNoticeRow(long Id, string Title, NoticeScopeView Scope, bool Pinned, string Status, string StatusName, DateTimeOffset PublishAt,
    bool Notify, DateTimeOffset? NotifiedAt, DateTimeOffset? WithdrawnAt, DateTimeOffset? KeepUntil, long? VoteId, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>One notice for staff: the row, its text and attachments, reminders, and what the caller may do with it.</summary>
public sealed record StaffNoticeView(long Id, string Title, string Body, NoticeScopeView Scope, bool Pinned, string Status, string StatusName, DateTimeOffset PublishAt,
    bool Notify, DateTimeOffset? NotifiedAt, DateTimeOffset? WithdrawnAt, string? WithdrawReason, DateTimeOffset? KeepUntil, DateTimeOffset? RemindedAt,
    DateTimeOffset? NextRemindAt, long? VoteId, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<NoticeAttachmentView> Attachments, bool CanManage);

/// <summary>Read receipts of one building.</summary>
/// <param name="Flats">Flats of the building in scope.</param>
/// <param name="Reachable">Flats with at least one approved resident: those who can read online.</param>
/// <param name="Read">Flats where an approved resident opened the notice.</param>
/// <param name="Unread">Reachable flats where nobody has opened it yet.</param>
/// <param name="NoResident">Flats nobody has verified for: staff reach them on paper.</param>
public sealed record BuildingReads(long BuildingId, long EstateId, string EstateName, string Name, int Flats, int Reachable, int Read, int Unread, int NoResident);

/// <summary>An unread flat: its address only, never who lives there.</summary>
public sealed record UnreadFlat(long HouseholdId, long BuildingId, string EstateName, string Address);

public sealed record NoticeReads(long NoticeId, int Flats, int Reachable, int Read, int Unread, int NoResident, IReadOnlyList<BuildingReads> Buildings,
    IReadOnlyList<UnreadFlat> UnreadFlats, int UnreadFlatsTotal);

/// <summary>A flat in a notice's scope and whether it has read (for the receipts and the reminder).</summary>
public sealed record FlatState(long HouseholdId, long EstateId, string EstateName, long BuildingId, string BuildingName, string Address,
    IReadOnlyList<long> ResidentIds, bool Read);

/// <summary>
/// Every read of notices, shared by the residents' API, the staff API, the console and the subscribe-message fan-out.
/// Who sees which notice is the tenancy rule's (Tenancy/TenancyRules.cs); when residents see it is decided here:
/// published (<see cref="Notice.PublishAt"/> has come) and not withdrawn.
/// </summary>
public sealed class NoticeQueries(TimeProvider clock)
{
    /// <summary>The unread flats listed at most (the counts are always complete; filter by building for the rest).</summary>
    public const int MaxUnreadFlats = 1000;

    public static string StatusOf(Notice n, DateTimeOffset now) => n.WithdrawnAt is not null ? "withdrawn" : n.PublishAt > now ? "scheduled" : "published";

    public static string StatusName(string status) => status switch
    {
        "withdrawn" => "已撤回",
        "scheduled" => "待发布",
        _ => "已发布",
    };

    public static string LevelName(NoticeScopeLevel level) => level switch
    {
        NoticeScopeLevel.Community => "社区",
        NoticeScopeLevel.Estate => "小区",
        _ => "楼栋",
    };

    // --- Residents ---

    /// <summary>The caller's notices (community, estates, buildings): published, not withdrawn, pinned first, then newest.</summary>
    public async Task<Paged<NoticeView>> ForResidentAsync(NeighbourHubDbContext db, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // The joins add at most one row each, so counting the notices counts the rows.
        var rows = await ResidentRows.For(db)(db, db.ScopeResidentId, now, null, Paging.Skipped(page, pageSize), pageSize)
            .ToPageAsync(page, pageSize, () => db.Notices.LongCountAsync(n => n.PublishAt <= now && n.WithdrawnAt == null, ct), ct);
        return new Paged<NoticeView>(await ResidentViewsAsync(db, rows.Items, ct), rows.Page, rows.PageSize, rows.Total);
    }

    /// <summary>One published notice the caller may read, else 404 (not in scope, not yet published, withdrawn, or missing).</summary>
    public async Task<Notice> PublishedAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Notices.AsNoTracking().SingleOrDefaultAsync(n => n.Id == id && n.PublishAt <= now && n.WithdrawnAt == null, ct)
               ?? throw new NotFoundException("公告");
    }

    public async Task<NoticeView> ResidentViewAsync(NeighbourHubDbContext db, Notice notice, CancellationToken ct)
    {
        var rows = await ResidentRows.For(db)(db, db.ScopeResidentId, clock.GetUtcNow(), notice.Id, 0, 1).ToListAsync(ct);

        // Withdrawn since the caller found it: as if it had not been found.
        return rows.Count == 0 ? throw new NotFoundException("公告") : (await ResidentViewsAsync(db, rows, ct))[0];
    }

    /// <summary>A notice with the caller's read receipt, read in the same query.</summary>
    private sealed record ResidentRow(Notice Notice, DateTimeOffset? ReadAt);

    /// <summary>
    /// The caller's published notices (or the one <c>onlyId</c>), pinned first, then newest, with the caller's read
    /// receipt joined in (a LEFT JOIN: MariaDB runs correlated subqueries once per row). Where each is addressed comes
    /// from <see cref="KeptAsync"/>, not from joins: three more tables cost MariaDB a third of the statement on every
    /// visit, for names that never change. Compiled: EF walks and hashes a LINQ query's expression tree on every
    /// execution, and this one is read on every visit to the list. The tenancy filters still apply: EF reads them from
    /// the context the query runs on.
    /// </summary>
    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, DateTimeOffset, long?, int, int, IAsyncEnumerable<ResidentRow>>> ResidentRows = new(() => EF.CompileAsyncQuery(
        (NeighbourHubDbContext db, long me, DateTimeOffset now, long? onlyId, int skip, int take) =>
            (from n in db.Notices.AsNoTracking()
             where n.PublishAt <= now && n.WithdrawnAt == null && (onlyId == null || n.Id == onlyId)
             join r in db.NoticeReads.Where(r => r.ResidentId == me) on n.Id equals r.NoticeId into reads
             from r in reads.DefaultIfEmpty() // one at most: a read is unique per notice and resident
             select new { n, ReadAt = r == null ? null : (DateTimeOffset?)r.At })
            .OrderByDescending(x => x.n.Pinned).ThenByDescending(x => x.n.PublishAt).ThenByDescending(x => x.n.Id)
            .Select(x => new ResidentRow(x.n, x.ReadAt))
            .Skip(skip).Take(take)));

    private async Task<List<NoticeView>> ResidentViewsAsync(NeighbourHubDbContext db, IReadOnlyList<ResidentRow> rows, CancellationToken ct)
    {
        var kept = await KeptAsync(db, rows.Select(r => r.Notice).ToList(), ct);
        return rows.Select(r => new NoticeView(r.Notice.Id, r.Notice.Title, r.Notice.Body, kept[r.Notice.Id].Scope, r.Notice.Pinned,
            r.Notice.PublishAt, kept[r.Notice.Id].Attachments, r.ReadAt, r.Notice.CreatedByName)).ToList();
    }

    /// <summary>What a resident's view of a notice shows from other tables, none of which ever changes.</summary>
    private sealed record KeptNotice(NoticeScopeView Scope, List<NoticeAttachmentView> Attachments);

    // Where a notice is addressed is set when it is posted and never edited, and so are the names of communities,
    // estates and buildings (nothing renames one; see Organisation.cs). Its attachments are added with it and nothing
    // edits them, nor a stored file's type. So residents' views of both are kept by notice id, exactly, with nothing
    // to invalidate. Bounded: emptied when it grows past this.
    private const int KeptNotices = 20_000;
    private readonly ConcurrentDictionary<long, KeptNotice> _kept = new();

    private async Task<Dictionary<long, KeptNotice>> KeptAsync(NeighbourHubDbContext db, IReadOnlyList<Notice> notices, CancellationToken ct)
    {
        var views = new Dictionary<long, KeptNotice>();
        var missing = new List<Notice>();
        foreach (var n in notices.DistinctBy(n => n.Id))
        {
            if (_kept.TryGetValue(n.Id, out var kept))
            {
                views[n.Id] = kept;
            }
            else
            {
                missing.Add(n);
            }
        }

        if (missing.Count > 0)
        {
            var scopes = await ScopesAsync(db, missing, ct);
            var files = await AttachmentsAsync(db, missing.Select(n => n.Id).ToList(), "/api/v1/files", ct);
            if (_kept.Count > KeptNotices)
            {
                _kept.Clear();
            }

            foreach (var n in missing)
            {
                views[n.Id] = _kept[n.Id] = new KeptNotice(scopes[n.Id], files.GetValueOrDefault(n.Id, []));
            }
        }

        return views;
    }

    // --- Staff ---

    /// <summary>
    /// The notices staff see, newest first; <paramref name="estateId"/> keeps those reaching that estate (its own, its
    /// buildings' and its community's). An estate outside the caller's scope is not found.
    /// </summary>
    public async Task<Paged<StaffNoticeRow>> ForStaffAsync(NeighbourHubDbContext db, long? estateId, string? status, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var q = db.Notices.AsNoTracking();
        if (estateId is { } e)
        {
            var communityId = await db.Estates.Where(x => x.Id == e).Select(x => (long?)x.CommunityId).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("小区");
            q = q.Where(n => n.EstateId == e || (n.ScopeLevel == NoticeScopeLevel.Community && n.CommunityId == communityId));
        }

        q = status switch
        {
            "scheduled" => q.Where(n => n.WithdrawnAt == null && n.PublishAt > now),
            "published" => q.Where(n => n.WithdrawnAt == null && n.PublishAt <= now),
            "withdrawn" => q.Where(n => n.WithdrawnAt != null),
            _ => q,
        };
        var rows = await q.OrderByDescending(n => n.PublishAt).ThenByDescending(n => n.Id).ToPageAsync(page, pageSize, ct);
        var scopes = await ScopesAsync(db, rows.Items, ct);
        var items = rows.Items.Select(n =>
        {
            var s = StatusOf(n, now);
            return new StaffNoticeRow(n.Id, n.Title, scopes[n.Id], n.Pinned, s, StatusName(s), n.PublishAt, n.Notify, n.NotifiedAt, n.WithdrawnAt, n.KeepUntil, n.VoteId,
                n.CreatedByName, n.CreatedAt);
        }).ToList();
        return new Paged<StaffNoticeRow>(items, rows.Page, rows.PageSize, rows.Total);
    }

    public async Task<StaffNoticeView> StaffViewAsync(NeighbourHubDbContext db, long id, CancellationToken ct, string filesPrefix = "/api/v1/admin/files")
    {
        var n = await db.Notices.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("公告");
        var now = clock.GetUtcNow();
        var scopes = await ScopesAsync(db, [n], ct);
        var files = await AttachmentsAsync(db, [id], filesPrefix, ct);
        string? reason = null;
        if (n.WithdrawnAt is not null)
        {
            // The reason lives with the withdrawal in the audit log (the one record of who did what and why).
            var key = id.ToString(CultureInfo.InvariantCulture);
            var after = await db.AuditLogs.AsNoTracking().Where(a => a.Action == "notice.withdraw" && a.EntityType == nameof(Notice) && a.EntityId == key)
                .OrderByDescending(a => a.Id).Select(a => a.After).FirstOrDefaultAsync(ct);
            reason = after is null ? null : ReasonOf(after);
        }

        var s = StatusOf(n, now);
        var next = n.RemindedAt is { } r && r + NoticeBoard.RemindInterval > now ? r + NoticeBoard.RemindInterval : (DateTimeOffset?)null;
        return new StaffNoticeView(n.Id, n.Title, n.Body, scopes[n.Id], n.Pinned, s, StatusName(s), n.PublishAt, n.Notify, n.NotifiedAt, n.WithdrawnAt, reason, n.KeepUntil,
            n.RemindedAt, next, n.VoteId, n.CreatedByName, n.CreatedAt, files.GetValueOrDefault(n.Id, []), NoticeRights.MayManage(db.Scope.Value, n));
    }

    private static string? ReasonOf(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Read receipts counted per flat: a flat has read when any of its approved residents opened the notice. Staff see the
    /// flats of their own scope only (the directory's query filters), and unread flats by address, never by name.
    /// </summary>
    public async Task<NoticeReads> ReadsAsync(NeighbourHubDbContext db, long id, long? buildingId, CancellationToken ct)
    {
        var notice = await db.Notices.AsNoTracking().SingleOrDefaultAsync(n => n.Id == id, ct) ?? throw new NotFoundException("公告");
        var flats = await FlatsAsync(db, notice, buildingId, ct);
        var buildings = flats.GroupBy(f => f.BuildingId).Select(g =>
        {
            var first = g.First();
            var reachable = g.Count(f => f.ResidentIds.Count > 0);
            var read = g.Count(f => f.Read);
            return new BuildingReads(g.Key, first.EstateId, first.EstateName, first.BuildingName, g.Count(), reachable, read, reachable - read, g.Count() - reachable);
        }).OrderBy(b => b.EstateName, StringComparer.Ordinal).ThenBy(b => b.Name, NaturalOrder.Instance).ToList();
        var unread = flats.Where(f => !f.Read && f.ResidentIds.Count > 0)
            .OrderBy(f => f.EstateName, StringComparer.Ordinal).ThenBy(f => f.Address, NaturalOrder.Instance).ToList();
        return new NoticeReads(id, flats.Count, buildings.Sum(b => b.Reachable), buildings.Sum(b => b.Read), buildings.Sum(b => b.Unread), buildings.Sum(b => b.NoResident),
            buildings, unread.Take(MaxUnreadFlats).Select(f => new UnreadFlat(f.HouseholdId, f.BuildingId, f.EstateName, f.Address)).ToList(), unread.Count);
    }

    /// <summary>The flats a notice reaches (optionally one building of them) with their approved residents and whether any of them read it.</summary>
    public async Task<List<FlatState>> FlatsAsync(NeighbourHubDbContext db, Notice notice, long? buildingId, CancellationToken ct)
    {
        var households = from h in db.Households.AsNoTracking()
                         join e in db.Estates on h.EstateId equals e.Id
                         select new { h, e };
        households = notice.ScopeLevel switch
        {
            NoticeScopeLevel.Community => households.Where(x => x.e.CommunityId == notice.CommunityId),
            NoticeScopeLevel.Estate => households.Where(x => x.h.EstateId == notice.EstateId),
            _ => households.Where(x => x.h.BuildingId == notice.BuildingId),
        };
        if (buildingId is { } b)
        {
            households = households.Where(x => x.h.BuildingId == b);
        }

        var rows = await (from x in households
                          join bu in db.Buildings on x.h.BuildingId equals bu.Id
                          join u in db.Units on x.h.UnitId equals u.Id
                          select new { x.h.Id, x.h.EstateId, EstateName = x.e.Name, x.h.BuildingId, BuildingName = bu.Name, Address = bu.Name + u.Name + x.h.Room })
            .ToListAsync(ct);
        var householdIds = rows.Select(r => r.Id).ToList();
        var residents = new Dictionary<long, List<long>>();
        foreach (var chunk in householdIds.Chunk(2000))
        {
            var part = await db.Residences.AsNoTracking().Where(r => chunk.Contains(r.HouseholdId) && r.Status == ResidenceStatus.Approved)
                .Select(r => new { r.HouseholdId, r.ResidentId }).ToListAsync(ct);
            foreach (var r in part)
            {
                (residents.TryGetValue(r.HouseholdId, out var list) ? list : residents[r.HouseholdId] = []).Add(r.ResidentId);
            }
        }

        var readers = (await db.NoticeReads.AsNoTracking().Where(r => r.NoticeId == notice.Id).Select(r => r.ResidentId).ToListAsync(ct)).ToHashSet();
        return rows.Select(r =>
        {
            var ids = residents.GetValueOrDefault(r.Id) ?? [];
            return new FlatState(r.Id, r.EstateId, r.EstateName, r.BuildingId, r.BuildingName, r.Address, ids, ids.Any(readers.Contains));
        }).ToList();
    }

    /// <summary>The approved residents a notice reaches (for the subscribe messages at publication).</summary>
    public static async Task<List<long>> ResidentsInScopeAsync(NeighbourHubDbContext db, Notice notice, CancellationToken ct)
    {
        var approved = db.Residences.AsNoTracking().Where(r => r.Status == ResidenceStatus.Approved);
        approved = notice.ScopeLevel switch
        {
            NoticeScopeLevel.Community => approved.Where(r => db.Estates.Any(e => e.Id == r.EstateId && e.CommunityId == notice.CommunityId)),
            NoticeScopeLevel.Estate => approved.Where(r => r.EstateId == notice.EstateId),
            _ => approved.Where(r => db.Households.Any(h => h.Id == r.HouseholdId && h.BuildingId == notice.BuildingId)),
        };
        return await approved.Select(r => r.ResidentId).Distinct().OrderBy(r => r).ToListAsync(ct);
    }

    /// <summary>Each notice's scope with the name people read: the community, the estate, or "estate building".</summary>
    private static async Task<Dictionary<long, NoticeScopeView>> ScopesAsync(NeighbourHubDbContext db, IReadOnlyList<Notice> notices, CancellationToken ct)
    {
        var communityIds = notices.Select(n => n.CommunityId).Distinct().ToList();
        var estateIds = notices.Where(n => n.EstateId is not null).Select(n => n.EstateId!.Value).Distinct().ToList();
        var buildingIds = notices.Where(n => n.BuildingId is not null).Select(n => n.BuildingId!.Value).Distinct().ToList();
        // Names only: whoever sees the notice may read where it is addressed, so these lookups ignore the directory's
        // filters. One round trip for the three kinds (UNION ALL): a query costs more than anything done with its rows.
        var names = communityIds.Count == 0 ? [] : await db.Communities.Unscoped(Because.DetailsOfARowInScope).Where(c => communityIds.Contains(c.Id))
            .Select(c => new { Level = 0, c.Id, c.Name })
            .Concat(db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(e => estateIds.Contains(e.Id)).Select(e => new { Level = 1, e.Id, e.Name }))
            .Concat(db.Buildings.Unscoped(Because.DetailsOfARowInScope).Where(b => buildingIds.Contains(b.Id)).Select(b => new { Level = 2, b.Id, b.Name }))
            .ToListAsync(ct);
        var communities = names.Where(x => x.Level == 0).ToDictionary(x => x.Id, x => x.Name);
        var estates = names.Where(x => x.Level == 1).ToDictionary(x => x.Id, x => x.Name);
        var buildings = names.Where(x => x.Level == 2).ToDictionary(x => x.Id, x => x.Name);
        return notices.ToDictionary(n => n.Id, n => n.ScopeLevel switch
        {
            NoticeScopeLevel.Community => new NoticeScopeView("community", n.CommunityId, communities.GetValueOrDefault(n.CommunityId, "")),
            NoticeScopeLevel.Estate => new NoticeScopeView("estate", n.EstateId!.Value, estates.GetValueOrDefault(n.EstateId.Value, "")),
            _ => new NoticeScopeView("building", n.BuildingId!.Value, $"{estates.GetValueOrDefault(n.EstateId!.Value, "")} {buildings.GetValueOrDefault(n.BuildingId.Value, "")}".Trim()),
        });
    }

    private static async Task<Dictionary<long, List<NoticeAttachmentView>>> AttachmentsAsync(NeighbourHubDbContext db, IReadOnlyList<long> noticeIds, string prefix,
        CancellationToken ct)
    {
        if (noticeIds.Count == 0)
        {
            return [];
        }

        // The attachment rows follow their notice's visibility; the file rows are then read for their type only.
        var rows = await db.NoticeAttachments.AsNoTracking().Where(a => noticeIds.Contains(a.NoticeId)).OrderBy(a => a.NoticeId).ThenBy(a => a.Ordinal)
            .Select(a => new { a.NoticeId, a.FileId, a.Ordinal }).ToListAsync(ct);
        var fileIds = rows.Select(r => r.FileId).Distinct().ToList();
        var types = fileIds.Count == 0 ? [] : await db.StoredFiles.Unscoped(Because.DetailsOfARowInScope).AsNoTracking().Where(f => fileIds.Contains(f.Id))
            .ToDictionaryAsync(f => f.Id, f => f.ContentType, ct);
        var withTypes = rows.Select(r => new { r.NoticeId, r.FileId, r.Ordinal, ContentType = types.GetValueOrDefault(r.FileId, "application/octet-stream") });
        return withTypes.GroupBy(r => r.NoticeId).ToDictionary(g => g.Key, g => g.Select(r => new NoticeAttachmentView(r.FileId, $"{prefix}/{r.FileId}", r.ContentType,
            r.ContentType == Files.ImageSniffer.Pdf ? $"附件{r.Ordinal + 1}.pdf" : $"附件{r.Ordinal + 1}")).ToList());
    }
}

/// <summary>"2栋" before "10栋", "502" before "1101": numbers inside names compared as numbers.</summary>
internal sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var si = i;
                var sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                var a = x[si..i].TrimStart('0');
                var b = y[sj..j].TrimStart('0');
                var c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                if (c != 0)
                {
                    return c;
                }
            }
            else
            {
                var c = x[i].CompareTo(y[j]);
                if (c != 0)
                {
                    return c;
                }

                i++;
                j++;
            }
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }
}
