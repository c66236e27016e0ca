using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

/// <summary>Scoped read models shared by the admin API and the console pages.</summary>
public static class OrganisationQueries
{
    /// <summary>How many estates and households are in scope (the overview).</summary>
    public static async Task<(int Estates, int Households)> SizeAsync(NeighbourHubDbContext db, CancellationToken ct) =>
        (await db.Estates.CountAsync(ct), await db.Households.CountAsync(ct));

    /// <summary>The estates in scope by name, for pickers and filters.</summary>
    public static IQueryable<Estate> EstatesByName(NeighbourHubDbContext db) => db.Estates.AsNoTracking().OrderBy(e => e.Name);

    public static IQueryable<Street> StreetsByName(NeighbourHubDbContext db) => db.Streets.AsNoTracking().OrderBy(s => s.Name);

    public static IQueryable<Community> CommunitiesByName(NeighbourHubDbContext db) => db.Communities.AsNoTracking().OrderBy(c => c.Name);

    public static IQueryable<PropertyFirm> FirmsByName(NeighbourHubDbContext db) => db.PropertyFirms.AsNoTracking().OrderBy(f => f.Name);

    public static IQueryable<Grid> GridsByName(NeighbourHubDbContext db) => db.Grids.AsNoTracking().OrderBy(g => g.Name);

    /// <summary>One estate in scope, or null.</summary>
    public static Task<Estate?> EstateAsync(NeighbourHubDbContext db, long id, CancellationToken ct) =>
        db.Estates.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);

    /// <summary>An estate's buildings by name.</summary>
    public static IQueryable<Building> Buildings(NeighbourHubDbContext db, long estateId) =>
        db.Buildings.AsNoTracking().Where(b => b.EstateId == estateId).OrderBy(b => b.Name);

    public static IQueryable<AdminEstateRow> Estates(NeighbourHubDbContext db, TimeProvider clock)
    {
        var servingToday = EstateFirmContract.ActiveOn(clock.Today());
        return from e in db.Estates
               join c in db.Communities on e.CommunityId equals c.Id
               orderby e.Name, e.Id
               select new AdminEstateRow(e.Id, e.Name, e.Address, c.Id, c.Name,
                   db.Households.Count(h => h.EstateId == e.Id),
                   (from k in db.EstateFirmContracts.Where(servingToday)
                    join f in db.PropertyFirms on k.PropertyFirmId equals f.Id
                    where k.EstateId == e.Id
                    select f.Name).FirstOrDefault());
    }

    /// <param name="flat">Optional search text: "3-2-501", "3栋2单元501" or a room prefix (<see cref="FlatQuery"/>); text that is no flat matches nothing.</param>
    /// <param name="householdId">Optional: only this flat (the roster opened from a search result).</param>
    public static IQueryable<AdminHouseholdRow> Households(NeighbourHubDbContext db, long estateId, long? buildingId, string? flat = null, long? householdId = null) =>
        from h in Matching(db, flat)
        join b in db.Buildings on h.BuildingId equals b.Id
        join u in db.Units on h.UnitId equals u.Id
        where h.EstateId == estateId && (buildingId == null || h.BuildingId == buildingId) && (householdId == null || h.Id == householdId)
        orderby b.Name, u.Name, h.Room.Length, h.Room
        select new AdminHouseholdRow(h.Id, b.Id, b.Name, u.Id, u.Name, h.Room, h.AreaM2,
            db.Residences.Count(r => r.HouseholdId == h.Id && r.Status == Residents.ResidenceStatus.Approved), h.HeldByDeveloper);

    /// <summary>The households in scope a flat text names (all of them for empty text), by index: see <see cref="FlatQuery"/>.</summary>
    public static IQueryable<Household> Matching(NeighbourHubDbContext db, string? flat)
    {
        if (string.IsNullOrWhiteSpace(flat))
        {
            return db.Households;
        }

        if (FlatQuery.Parse(flat) is not { } f)
        {
            return db.Households.Where(h => false);
        }

        if (f.Building is null)
        {
            return db.Households.Where(h => h.Room.StartsWith(f.Room));
        }

        var buildings = f.BuildingNames;
        var units = f.UnitNames;
        return from h in db.Households
               join b in db.Buildings on h.BuildingId equals b.Id
               join u in db.Units on h.UnitId equals u.Id
               where buildings.Contains(b.Name) && units.Contains(u.Name) && h.Room == f.Room
               select h;
    }

    /// <summary>What a household picker offers for typed text: at most <paramref name="limit"/> flats in scope, optionally of one estate.</summary>
    public static Task<List<HouseholdOption>> FindHouseholdsAsync(NeighbourHubDbContext db, long? estateId, string? text, int limit, CancellationToken ct) =>
        (from h in Matching(db, text)
         join b in db.Buildings on h.BuildingId equals b.Id
         join u in db.Units on h.UnitId equals u.Id
         join e in db.Estates on h.EstateId equals e.Id
         where estateId == null || h.EstateId == estateId
         orderby e.Name, b.Name, u.Name, h.Room.Length, h.Room
         select new HouseholdOption(h.Id, h.EstateId, e.Name, b.Name + u.Name + h.Room, h.AreaM2)).Take(limit).ToListAsync(ct);
}
