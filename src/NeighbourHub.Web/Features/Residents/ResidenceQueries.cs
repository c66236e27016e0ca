using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Residents;

/// <summary>One resident of a flat on the owner roster: the phone is always masked here (the full number only through the audited reveal).</summary>
public sealed record RosterResident(long ResidenceId, string Name, ResidenceRelation Relation, ResidenceStatus Status, string? PhoneMasked, DateTimeOffset Since);

/// <summary>A flat on the owner roster (业主档案) with its residents, approved and pending (rejected applications are not residents).</summary>
public sealed record RosterFlat(long HouseholdId, string Building, string Unit, string Room, decimal AreaM2, bool HeldByDeveloper, IReadOnlyList<RosterResident> Residents)
{
    public string Address => Building + Unit + Room;
}

/// <summary>An earlier (or other) application of the same applicant, for the reviewer.</summary>
public sealed record PriorApplication(long Id, string EstateName, string Address, ResidenceRelation Relation, ResidenceStatus Status, DateTimeOffset CreatedAt, string? RejectReason);

/// <summary>What an applicant submitted, as the reviewer sees it: the full name (the one place it is shown), the phone masked.</summary>
public sealed record ApplicationReview(
    long Id, string RealName, ResidenceRelation Relation, string? PhoneMasked, string EstateName, string Address, decimal AreaM2,
    bool WithInviteCode, DateTimeOffset CreatedAt, ResidenceStatus Status, DateTimeOffset? DecidedAt, string? RejectReason,
    IReadOnlyList<PriorApplication> Others);

/// <summary>Reads of residence records shared by the admin API and the console pages; the caller's scope filters decide what is visible.</summary>
public static class ResidenceQueries
{
    /// <summary>How many residence records in scope have this status (the overview's approved and pending).</summary>
    public static Task<int> CountAsync(NeighbourHubDbContext db, ResidenceStatus status, CancellationToken ct) =>
        db.Residences.CountAsync(r => r.Status == status, ct);

    /// <summary>A household's invite codes, newest first.</summary>
    public static Task<List<InviteCodeRow>> InviteCodesAsync(NeighbourHubDbContext db, long householdId, CancellationToken ct) =>
        db.InviteCodes.AsNoTracking().Where(i => i.HouseholdId == householdId).OrderByDescending(i => i.Id)
            .Select(i => new InviteCodeRow(i.Id, i.Code, i.HouseholdId, i.Relation, i.ExpiresAt, i.UsedAt)).ToListAsync(ct);

    /// <summary>
    /// Whether the caller may see a resident's full phone number (after an audited reveal) and full names on the roster:
    /// the staff who verify residents — community admins, firm staff and grid workers within their scope, and platform
    /// admins. The owners' committee reads the roster masked.
    /// </summary>
    public static bool MayRevealContacts(AccessScope scope) =>
        scope.Unrestricted || scope.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff, AdminRole.GridWorker);

    /// <summary>
    /// One page of an estate's owner roster: flats in address order (optionally narrowed by flat text, see
    /// <see cref="FlatQuery"/>), each with its approved and pending residents.
    /// </summary>
    public static async Task<Paged<RosterFlat>> RosterAsync(NeighbourHubDbContext db, long estateId, string? flat, int page, int pageSize, CancellationToken ct,
        long? householdId = null)
    {
        var flats = await OrganisationQueries.Households(db, estateId, null, flat, householdId).ToPageAsync(page, pageSize, ct);
        var ids = flats.Items.Select(h => h.Id).ToList();
        var residents = await (from r in db.Residences
                               where ids.Contains(r.HouseholdId) && r.Status != ResidenceStatus.Rejected
                               join p in db.Residents on r.ResidentId equals p.Id
                               orderby r.Relation, r.CreatedAt
                               select new { r.Id, r.HouseholdId, r.RealName, r.Relation, r.Status, p.PhoneNumber, r.CreatedAt }).ToListAsync(ct);
        var full = MayRevealContacts(db.Scope.Value);
        var byFlat = residents.ToLookup(r => r.HouseholdId, r => new RosterResident(
            r.Id, full ? r.RealName : NameMasking.Mask(r.RealName), r.Relation, r.Status, PhoneMasking.Mask(r.PhoneNumber), r.CreatedAt));
        return new Paged<RosterFlat>(
            flats.Items.Select(h => new RosterFlat(h.Id, h.Building, h.Unit, h.Room, h.AreaM2, h.HeldByDeveloper, byFlat[h.Id].ToList())).ToList(),
            flats.Page, flats.PageSize, flats.Total);
    }

    /// <summary>An application as submitted, with the applicant's other applications; null when not in scope.</summary>
    public static async Task<ApplicationReview?> ReviewAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var a = await (from r in db.Residences.AsNoTracking()
                       where r.Id == id
                       join h in db.Households on r.HouseholdId equals h.Id
                       join u in db.Units on h.UnitId equals u.Id
                       join b in db.Buildings on h.BuildingId equals b.Id
                       join e in db.Estates on r.EstateId equals e.Id
                       join p in db.Residents on r.ResidentId equals p.Id
                       select new { r, Estate = e.Name, Address = b.Name + u.Name + h.Room, h.AreaM2, p.PhoneNumber }).SingleOrDefaultAsync(ct);
        if (a is null)
        {
            return null;
        }

        // The applicant's other applications that the reviewer may see (the scope filters still apply).
        var others = await (from r in db.Residences.AsNoTracking()
                            where r.ResidentId == a.r.ResidentId && r.Id != id
                            join h in db.Households on r.HouseholdId equals h.Id
                            join u in db.Units on h.UnitId equals u.Id
                            join b in db.Buildings on h.BuildingId equals b.Id
                            join e in db.Estates on r.EstateId equals e.Id
                            orderby r.CreatedAt descending
                            select new PriorApplication(r.Id, e.Name, b.Name + u.Name + h.Room, r.Relation, r.Status, r.CreatedAt, r.RejectReason))
            .Take(20).ToListAsync(ct);
        return new ApplicationReview(a.r.Id, a.r.RealName, a.r.Relation, PhoneMasking.Mask(a.PhoneNumber), a.Estate, a.Address, a.AreaM2,
            a.r.InviteCodeId is not null, a.r.CreatedAt, a.r.Status, a.r.DecidedAt, a.r.RejectReason, others);
    }
}
