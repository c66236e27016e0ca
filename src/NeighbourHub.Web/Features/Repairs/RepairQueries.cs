using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>
/// Every read of repairs, shared by the residents' API, the admin API and the console pages (the dispatch board, the
/// overview), so a list reads the same wherever it is shown. The caller's scope filters decide which rows are visible.
/// </summary>
public static class RepairQueries
{
    /// <summary>The board's filters, shared by the admin API and the console so both show the same list.</summary>
    /// <remarks>
    /// <paramref name="UnassignedOnly"/>: open and nobody's yet (待派单); <paramref name="MineOnly"/>: in the caller's own hands;
    /// <paramref name="Keyword"/>: the repair number, or words of its description, place or reporter.
    /// </remarks>
    public sealed record BoardFilter(long? EstateId, long? GridId, long? CategoryId, RepairStatus? Status, bool OpenOnly, bool OverdueOnly, bool EscalatedToMe,
        bool UnassignedOnly = false, bool MineOnly = false, string? Keyword = null)
    {
        /// <summary>
        /// The board's quick filters as links carry them (<c>?filter=overdue|escalated|open|unassigned|mine</c>, e.g. from the
        /// home page's counters); anything else is the board's default, every open repair.
        /// </summary>
        public static BoardFilter Named(string? name) => name switch
        {
            "overdue" => Default with { OverdueOnly = true },
            "escalated" => Default with { EscalatedToMe = true },
            "unassigned" => Default with { UnassignedOnly = true },
            "mine" => Default with { MineOnly = true },
            _ => Default,
        };

        /// <summary>The quick filter this is, if it is exactly one of them (so the board shows it selected).</summary>
        public string? Name =>
            this == Default ? "open"
            : this == Default with { OverdueOnly = true } ? "overdue"
            : this == Default with { EscalatedToMe = true } ? "escalated"
            : this == Default with { UnassignedOnly = true } ? "unassigned"
            : this == Default with { MineOnly = true } ? "mine"
            : null;

        public static readonly BoardFilter Default = new(null, null, null, null, OpenOnly: true, OverdueOnly: false, EscalatedToMe: false);
    }

    /// <summary>A line of the console's board: the repair with its category, estate and flat (building, unit, room) names.</summary>
    public sealed record BoardRow(Repair Repair, string Category, string Estate, string? Flat = null);

    /// <summary>Categories in scope (of one estate, or of all), in the order they were created.</summary>
    public static IQueryable<RepairCategory> Categories(NeighbourHubDbContext db, long? estateId = null) =>
        db.RepairCategories.AsNoTracking().Where(c => estateId == null || c.EstateId == estateId).OrderBy(c => c.Id);

    public static IQueryable<Repair> Board(NeighbourHubDbContext db, BoardFilter f, DateTimeOffset now)
    {
        var me = db.Scope.Value.AdminUserId ?? -1;
        var gridBuildings = db.GridBuildings.Where(gb => gb.GridId == f.GridId).Select(gb => gb.BuildingId);
        var gridEstates = db.Buildings.Where(b => gridBuildings.Contains(b.Id)).Select(b => b.EstateId);
        var gridHouseholds = db.Households.Where(h => gridBuildings.Contains(h.BuildingId)).Select(h => (long?)h.Id);
        var board = db.Repairs.AsNoTracking().Where(r =>
            (f.EstateId == null || r.EstateId == f.EstateId)
            && (f.CategoryId == null || r.CategoryId == f.CategoryId)
            && (f.Status == null || r.Status == f.Status)
            // A grid covers its buildings' households, and the public areas of the estates it lies in.
            && (f.GridId == null || gridHouseholds.Contains(r.HouseholdId) || (r.HouseholdId == null && gridEstates.Contains(r.EstateId)))
            && (!f.EscalatedToMe || db.RepairEscalations.Any(e => e.RepairId == r.Id && e.AdminUserId == me))
            && (!f.UnassignedOnly || r.AssigneeId == null)
            && (!f.MineOnly || r.AssigneeId == me));
        if (!string.IsNullOrWhiteSpace(f.Keyword))
        {
            var k = f.Keyword.Trim();
            var number = long.TryParse(k.TrimStart('#'), out var n) ? n : -1;
            board = board.Where(r => r.Id == number || r.Description.Contains(k) || r.Location.Contains(k) || (r.ReporterName != null && r.ReporterName.Contains(k)));
        }

        if (f.OpenOnly || f.OverdueOnly || f.UnassignedOnly || f.MineOnly)
        {
            board = board.Where(Repair.Open);
        }

        return f.OverdueOnly ? board.Where(r => r.DeadlineAt < now) : board;
    }

    /// <summary>The board as the console shows it: earliest deadline first, with category and estate names.</summary>
    public static IQueryable<BoardRow> BoardRows(NeighbourHubDbContext db, BoardFilter f, DateTimeOffset now) =>
        from r in Board(db, f, now)
        join c in db.RepairCategories on r.CategoryId equals c.Id
        join e in db.Estates on r.EstateId equals e.Id
        // The flat, through its own filter: staff who see a flat's repair see the flat (a grid worker's are in their grid).
        join h in db.Households on r.HouseholdId equals (long?)h.Id into flats
        from h in flats.DefaultIfEmpty()
        join b in db.Buildings on (h == null ? (long?)null : h.BuildingId) equals (long?)b.Id into buildings
        from b in buildings.DefaultIfEmpty()
        join u in db.Units on (h == null ? (long?)null : h.UnitId) equals (long?)u.Id into units
        from u in units.DefaultIfEmpty()
        orderby r.DeadlineAt
        select new BoardRow(r, c.Name, e.Name, h == null ? null : b.Name + u.Name + h.Room);

    /// <summary>The board as the admin API pages it: earliest deadline first.</summary>
    public static async Task<Paged<RepairView>> BoardPageAsync(NeighbourHubDbContext db, BoardFilter f, DateTimeOffset now, int page, int pageSize, CancellationToken ct)
    {
        var query = from r in Board(db, f, now)
                    join c in db.RepairCategories on r.CategoryId equals c.Id
                    orderby r.DeadlineAt
                    select new { r, c.Name };
        var result = await query.ToPageAsync(page, pageSize, ct);
        return new Paged<RepairView>(result.Items.Select(x => View(x.r, x.Name, now, null, null)).ToList(), result.Page, result.PageSize, result.Total);
    }

    /// <summary>A line of the Excel export, in the words the board shows (contacts masked: a file leaves the console).</summary>
    public sealed record ExportRow(long Id, string Estate, string? Flat, string Category, string Description, string Location, string Source, string Reporter,
        string Phone, string Status, DateTimeOffset CreatedAt, DateTimeOffset DeadlineAt, bool Overdue, string Assignee, DateTimeOffset? ResolvedAt, int? Stars);

    /// <summary>The board's rows (same filter, same order) for the export, at most <paramref name="max"/>.</summary>
    public static async Task<List<ExportRow>> ExportAsync(NeighbourHubDbContext db, BoardFilter f, DateTimeOffset now, int max, CancellationToken ct)
    {
        var rows = await BoardRows(db, f, now).Take(max).ToListAsync(ct);
        var assigneeIds = rows.Where(r => r.Repair.AssigneeId != null).Select(r => r.Repair.AssigneeId!.Value).Distinct().ToList();
        var staff = await db.Users.AsNoTracking().Where(u => assigneeIds.Contains(u.Id)).Select(AdminUser.Named).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var contacts = new Dictionary<long, RepairContact>();
        foreach (var chunk in rows.Select(r => r.Repair).Chunk(1000))
        {
            // Masked for everyone here, the assignee included: the file is passed around.
            foreach (var (id, c) in await ContactsAsync(db, chunk, ct))
            {
                contacts[id] = c.Full ? new RepairContact(NameMasking.Mask(c.Name), PhoneMasking.Mask(c.Phone), false) : c;
            }
        }

        return rows.Select(x =>
        {
            var r = x.Repair;
            var c = contacts.GetValueOrDefault(r.Id);
            return new ExportRow(r.Id, x.Estate, x.Flat, x.Category, r.Description, r.Location, SourceText(r.Source), c?.Name ?? "", c?.Phone ?? "",
                StatusTexts.Of(r.Status), r.CreatedAt, r.DeadlineAt, r.IsOverdue(now), r.AssigneeId is { } a ? staff.GetValueOrDefault(a, "") : "", r.ResolvedAt, r.Stars);
        }).ToList();
    }

    /// <summary>Repairs assigned to this member of staff and not yet resolved (assigned or in progress).</summary>
    public static IQueryable<Repair> InHandOf(NeighbourHubDbContext db, long adminUserId) =>
        db.Repairs.Where(r => r.AssigneeId == adminUserId && (r.Status == RepairStatus.Assigned || r.Status == RepairStatus.InProgress));

    /// <summary>
    /// A resident's own, newest first, <paramref name="limit"/> at a time; pass the last id seen as
    /// <paramref name="before"/> for the next page. Served by the (ReporterId, Id) index however many repairs exist.
    /// </summary>
    public static async Task<List<RepairView>> MineAsync(NeighbourHubDbContext db, long? residentId, RepairStatus? status, long? before, int limit,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await Reported.For(db)(db, residentId, status, before, limit).ToListAsync(ct);
        return rows.Select(x => View(x.Repair, x.Category, now, null, null)).ToList();
    }

    private sealed record ReportedRow(Repair Repair, string Category);

    // Compiled (UnscopedQueries.Expand): EF walks and hashes a LINQ query's tree on every execution, and a resident's
    // repairs are read on every visit to the page.
    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long?, RepairStatus?, long?, int, IAsyncEnumerable<ReportedRow>>> Reported = new(() => EF.CompileAsyncQuery(
        UnscopedQueries.Expand((NeighbourHubDbContext db, long? residentId, RepairStatus? status, long? before, int limit) =>
            (from r in db.Repairs.AsNoTracking()
             where r.ReporterId == residentId && (status == null || r.Status == status) && (before == null || r.Id < before)
             join c in db.RepairCategories.Unscoped(Because.DetailsOfARowInScope) on r.CategoryId equals c.Id
             // Ordering by both columns of the (ReporterId, Id) index lets the database read it backwards and
             // stop at the limit, whatever the table's size.
             orderby r.ReporterId descending, r.Id descending
             select new ReportedRow(r, c.Name)).Take(limit))));

    /// <summary>One repair in scope with its category, timeline and photos (their addresses under <paramref name="filesPrefix"/>).</summary>
    public static async Task<RepairView?> DetailAsync(NeighbourHubDbContext db, long id, long? reporterId, TimeProvider clock, string filesPrefix, CancellationToken ct)
    {
        var repair = await db.Repairs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && (reporterId == null || r.ReporterId == reporterId), ct);
        return repair is null ? null : await ViewAsync(db, repair, clock, filesPrefix, ct);
    }

    public static async Task<RepairView> ViewAsync(NeighbourHubDbContext db, Repair r, TimeProvider clock, string filesPrefix, CancellationToken ct)
    {
        var category = await db.RepairCategories.Unscoped(Because.DetailsOfARowInScope).Where(c => c.Id == r.CategoryId).Select(c => c.Name).SingleAsync(ct);
        var events = await db.RepairEvents.Unscoped(Because.DetailsOfARowInScope).Where(e => e.RepairId == r.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var actors = await ActorNamesAsync(db, r.EstateId, events.Select(e => e.Actor).ToList(), ct);
        var timeline = events.Select(e => new TimelineEntry(e.At, e.Action, ShowActor(e.Action, e.Actor, actors), e.Note)).ToList();
        var photos = await db.RepairPhotos.Unscoped(Because.DetailsOfARowInScope).Where(p => p.RepairId == r.Id).OrderBy(p => p.Id).ToListAsync(ct);
        var flat = r.HouseholdId is { } householdId
            ? await (from h in db.Households.Unscoped(Because.DetailsOfARowInScope)
                     where h.Id == householdId
                     join b in db.Buildings.Unscoped(Because.DetailsOfARowInScope) on h.BuildingId equals b.Id
                     join u in db.Units.Unscoped(Because.DetailsOfARowInScope) on h.UnitId equals u.Id
                     select b.Name + u.Name + h.Room).SingleOrDefaultAsync(ct)
            : null;
        // The reporter's contact is for staff (the resident knows their own); in full only for those who call back.
        var contact = db.Scope.Value.Kind == ScopeKind.Admin ? (await ContactsAsync(db, [r], ct)).GetValueOrDefault(r.Id) : null;
        return View(r, category, clock.GetUtcNow(), timeline,
            photos.Select(p => new PhotoView(p.FileId, $"{filesPrefix}/{p.FileId}", p.Stage == PhotoStage.Report ? "report" : "resolution")).ToList(), flat, contact);
    }

    private static RepairView View(Repair r, string category, DateTimeOffset now, IReadOnlyList<TimelineEntry>? timeline, IReadOnlyList<PhotoView>? photos,
        string? flat = null, RepairContact? contact = null) =>
        new(r.Id, r.EstateId, r.HouseholdId, r.CategoryId, category, r.Description, r.Location, Repair.Wire(r.Status), r.CreatedAt, r.DeadlineAt,
            r.IsOverdue(now), r.AssigneeId, r.ReopenCount, r.Stars, r.EscalationLevel, r.LastUrgedAt, photos, timeline,
            SourceWire(r.Source), flat, contact?.Name, contact?.Phone);

    // --- Sources, people and contacts as they are shown. ---

    /// <summary>The source as the API spells it: mini_program, open311, topic, phone, counter, grid_patrol.</summary>
    public static string SourceWire(RepairSource s) => s switch
    {
        RepairSource.MiniProgram => "mini_program",
        RepairSource.Open311 => "open311",
        RepairSource.Topic => "topic",
        _ => RepairService.StaffSources[s].Wire,
    };

    /// <summary>The source in the console's words.</summary>
    public static string SourceText(RepairSource s) => s switch
    {
        RepairSource.MiniProgram => "小程序",
        RepairSource.Open311 => "外部平台",
        RepairSource.Topic => "议事转办",
        _ => RepairService.StaffSources[s].Text,
    };

    /// <summary>Who reported a repair and the number to call back, as the viewer may read them.</summary>
    public sealed record RepairContact(string Name, string? Phone, bool Full);

    /// <summary>
    /// The reporter and their number for each repair: taken down by staff (name and phone as given), a resident's own report
    /// (the real name of their residence there, their bound phone) or an Open311 client's contact. In full only for the
    /// assignee — who calls back and goes to the door — and for whoever took the report down; masked for everyone else.
    /// </summary>
    public static async Task<Dictionary<long, RepairContact>> ContactsAsync(NeighbourHubDbContext db, IReadOnlyCollection<Repair> repairs, CancellationToken ct)
    {
        var viewer = db.Scope.Value.AdminUserId;
        var reporterIds = repairs.Where(r => r.ReporterId != null).Select(r => r.ReporterId!.Value).Distinct().ToList();
        var estateIds = repairs.Select(r => r.EstateId).Distinct().ToList();
        // The reporter of a repair in scope, by their own id: details of that repair, whichever building they live in.
        var residences = reporterIds.Count == 0 ? [] : await db.Residences.Unscoped(Because.DetailsOfARowInScope).AsNoTracking()
            .Where(x => reporterIds.Contains(x.ResidentId) && estateIds.Contains(x.EstateId))
            .OrderByDescending(x => x.Status == ResidenceStatus.Approved).ThenBy(x => x.Id)
            .Select(x => new { x.ResidentId, x.EstateId, x.HouseholdId, x.RealName }).ToListAsync(ct);
        var residents = reporterIds.Count == 0 ? [] : await db.Residents.AsNoTracking().Where(x => reporterIds.Contains(x.Id))
            .Select(x => new { x.Id, x.Nickname, x.PhoneNumber }).ToDictionaryAsync(x => x.Id, ct);
        var result = new Dictionary<long, RepairContact>();
        foreach (var r in repairs)
        {
            var full = viewer != null && (r.AssigneeId == viewer || r.RecordedById == viewer);
            (string Name, string? Phone)? who = null;
            if (r.ReporterName is { } name)
            {
                who = (name, r.ContactPhone);
            }
            else if (r.ReporterId is { } id)
            {
                var home = residences.FirstOrDefault(x => x.ResidentId == id && x.HouseholdId == r.HouseholdId)
                    ?? residences.FirstOrDefault(x => x.ResidentId == id && x.EstateId == r.EstateId);
                var person = residents.GetValueOrDefault(id);
                who = (home?.RealName ?? person?.Nickname ?? "居民", person?.PhoneNumber);
            }
            else if (r.ExternalContact is { } external)
            {
                who = ("外部平台报送人", external);
            }

            if (who is { } w)
            {
                result[r.Id] = full
                    ? new RepairContact(w.Name, w.Phone, true)
                    : new RepairContact(NameMasking.Mask(w.Name), PhoneMasking.Mask(w.Phone), false);
            }
        }

        return result;
    }

    /// <summary>
    /// The names behind the actors a timeline stores (<c>resident:{id}</c>, <c>system</c>, <c>open311:{client}</c>, a staff
    /// account): residents as their relation and masked real name in the estate ("业主 张**"), staff by the name they are
    /// shown by. The stored keys stay as they are; only what people read changes.
    /// </summary>
    public static async Task<Dictionary<string, string>> ActorNamesAsync(NeighbourHubDbContext db, long estateId, IReadOnlyCollection<string> actors, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var residentIds = actors.Select(a => a.StartsWith(ResidentPrefix, StringComparison.Ordinal) && long.TryParse(a.AsSpan(ResidentPrefix.Length), out var id) ? id : 0)
            .Where(id => id > 0).Distinct().ToList();
        if (residentIds.Count > 0)
        {
            var homes = await db.Residences.Unscoped(Because.DetailsOfARowInScope).AsNoTracking()
                .Where(x => residentIds.Contains(x.ResidentId) && x.EstateId == estateId)
                .OrderByDescending(x => x.Status == ResidenceStatus.Approved).ThenBy(x => x.Id)
                .Select(x => new { x.ResidentId, x.Relation, x.RealName }).ToListAsync(ct);
            var nicknames = await db.Residents.AsNoTracking().Where(x => residentIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Nickname, ct);
            foreach (var id in residentIds)
            {
                var home = homes.FirstOrDefault(h => h.ResidentId == id);
                names[ResidentPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = home is not null
                    ? $"{StatusTexts.Of(home.Relation)} {NameMasking.Mask(home.RealName)}"
                    : $"居民 {NameMasking.Mask(nicknames.GetValueOrDefault(id) ?? "")}".TrimEnd();
            }
        }

        var accounts = actors.Where(a => !a.Contains(':', StringComparison.Ordinal) && a != SystemActor).Distinct().ToList();
        if (accounts.Count > 0)
        {
            foreach (var staff in await db.Users.AsNoTracking().Where(u => accounts.Contains(u.UserName!)).Select(AdminUser.Named).ToListAsync(ct))
            {
                names[staff.Account] = staff.Name;
            }
        }

        return names;
    }

    /// <summary>One actor as people read it; what <see cref="ActorNamesAsync"/> could not name is shown as stored (a display name already).</summary>
    public static string ShowActor(string action, string actor, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(actor, out var name) ? name
        : actor == SystemActor ? (action == "escalated" ? "系统（超时升级）" : "系统")
        : actor.StartsWith("open311:", StringComparison.Ordinal) ? $"外部平台（{actor["open311:".Length..]}）"
        : actor.StartsWith(ResidentPrefix, StringComparison.Ordinal) ? "居民"
        : actor;

    private const string ResidentPrefix = "resident:";
    private const string SystemActor = "system";
}
