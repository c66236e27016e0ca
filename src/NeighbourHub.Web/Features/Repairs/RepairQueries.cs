using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
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
    public sealed record BoardFilter(long? EstateId, long? GridId, long? CategoryId, RepairStatus? Status, bool OpenOnly, bool OverdueOnly, bool EscalatedToMe);

    /// <summary>A line of the console's board: the repair with its category and estate names.</summary>
    public sealed record BoardRow(Repair Repair, string Category, string Estate);

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
            && (!f.EscalatedToMe || db.RepairEscalations.Any(e => e.RepairId == r.Id && e.AdminUserId == me)));
        if (f.OpenOnly || f.OverdueOnly)
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
        orderby r.DeadlineAt
        select new BoardRow(r, c.Name, e.Name);

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
        var rows = await (from r in db.Repairs.AsNoTracking()
                          where r.ReporterId == residentId && (status == null || r.Status == status) && (before == null || r.Id < before)
                          join c in db.RepairCategories.Unscoped(Because.DetailsOfARowInScope) on r.CategoryId equals c.Id
                          // Ordering by both columns of the (ReporterId, Id) index lets the database read it backwards and
                          // stop at the limit, whatever the table's size.
                          orderby r.ReporterId descending, r.Id descending
                          select new { r, c.Name }).Take(limit).ToListAsync(ct);
        return rows.Select(x => View(x.r, x.Name, now, null, null)).ToList();
    }

    /// <summary>One repair in scope with its category, timeline and photos (their addresses under <paramref name="filesPrefix"/>).</summary>
    public static async Task<RepairView?> DetailAsync(NeighbourHubDbContext db, long id, long? reporterId, TimeProvider clock, string filesPrefix, CancellationToken ct)
    {
        var repair = await db.Repairs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && (reporterId == null || r.ReporterId == reporterId), ct);
        return repair is null ? null : await ViewAsync(db, repair, clock, filesPrefix, ct);
    }

    public static async Task<RepairView> ViewAsync(NeighbourHubDbContext db, Repair r, TimeProvider clock, string filesPrefix, CancellationToken ct)
    {
        var category = await db.RepairCategories.Unscoped(Because.DetailsOfARowInScope).Where(c => c.Id == r.CategoryId).Select(c => c.Name).SingleAsync(ct);
        var timeline = await db.RepairEvents.Unscoped(Because.DetailsOfARowInScope).Where(e => e.RepairId == r.Id).OrderBy(e => e.Id)
            .Select(e => new TimelineEntry(e.At, e.Action, e.Actor, e.Note)).ToListAsync(ct);
        var photos = await db.RepairPhotos.Unscoped(Because.DetailsOfARowInScope).Where(p => p.RepairId == r.Id).OrderBy(p => p.Id).ToListAsync(ct);
        return View(r, category, clock.GetUtcNow(), timeline,
            photos.Select(p => new PhotoView(p.FileId, $"{filesPrefix}/{p.FileId}", p.Stage == PhotoStage.Report ? "report" : "resolution")).ToList());
    }

    private static RepairView View(Repair r, string category, DateTimeOffset now, IReadOnlyList<TimelineEntry>? timeline, IReadOnlyList<PhotoView>? photos) =>
        new(r.Id, r.EstateId, r.HouseholdId, r.CategoryId, category, r.Description, r.Location, Repair.Wire(r.Status), r.CreatedAt, r.DeadlineAt,
            r.IsOverdue(now), r.AssigneeId, r.ReopenCount, r.Stars, r.EscalationLevel, r.LastUrgedAt, photos, timeline);
}
