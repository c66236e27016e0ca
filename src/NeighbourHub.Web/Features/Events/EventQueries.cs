using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Events;

/// <summary>
/// The reads of events and sign-ups shared by the admin API and the console pages, so a list reads the same
/// wherever it is shown; the caller's scope filters decide which rows are visible. Phones leave here masked.
/// </summary>
public static class EventQueries
{
    public static Task<CommunityEvent?> EventAsync(NeighbourHubDbContext db, long id, CancellationToken ct) =>
        db.Events.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);

    /// <summary>Events for staff, latest start first, of one estate and status or of all.</summary>
    public static IQueryable<CommunityEvent> ForStaff(NeighbourHubDbContext db, long? estateId = null, EventStatus? status = null) =>
        db.Events.AsNoTracking()
            .Where(e => (estateId == null || e.EstateId == estateId) && (status == null || e.Status == status))
            .OrderByDescending(e => e.StartsAt);

    /// <summary>Everyone signed up and not cancelled: confirmed first, then the waiting list in order.</summary>
    public static async Task<List<SignupRow>> SignupsAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct)
    {
        var full = ResidenceQueries.MayRevealContacts(db.Scope.Value);
        return (await Signups(db, eventId).ToListAsync(ct)).Select(r => Shown(r, full)).ToList();
    }

    public static async Task<Paged<SignupRow>> SignupPageAsync(NeighbourHubDbContext db, long eventId, int page, int pageSize, CancellationToken ct)
    {
        var full = ResidenceQueries.MayRevealContacts(db.Scope.Value);
        var rows = await Signups(db, eventId).ToPageAsync(page, pageSize, ct);
        return rows with { Items = rows.Items.Select(r => Shown(r, full)).ToList() };
    }

    /// <summary>One resident's sign-up, as the list shows it (for the check-in desk's answer).</summary>
    public static async Task<SignupRow?> SignupAsync(NeighbourHubDbContext db, long eventId, long residentId, CancellationToken ct) =>
        await Signups(db, eventId, residentId).FirstOrDefaultAsync(ct) is { } row
            ? Shown(row, ResidenceQueries.MayRevealContacts(db.Scope.Value))
            : null;

    // The name and flat come from the resident's approved residence, the one in the event's estate first (a resident may
    // live in two estates of a community-wide event's community): two small correlated lookups per row, on the
    // residences' (ResidentId) index. Name is the raw real name here; Shown decides what the caller may read.
    private static IQueryable<SignupRow> Signups(NeighbourHubDbContext db, long eventId, long? residentId = null) =>
        from s in db.EventSignups
        where s.EventId == eventId && s.Status != SignupStatus.Cancelled && (residentId == null || s.ResidentId == residentId)
        join r in db.Residents on s.ResidentId equals r.Id
        join e in db.Events on s.EventId equals e.Id
        orderby s.Status, s.WaitlistTicket, s.SignedUpAt
        select new SignupRow(s.ResidentId, r.Nickname, r.PhoneNumber, s.Status, s.WaitlistTicket, s.SignedUpAt, s.PromotedAt, s.CheckedInAt, s.NoShow,
            (from x in db.Residences
             where x.ResidentId == s.ResidentId && x.Status == ResidenceStatus.Approved
             orderby x.EstateId == e.EstateId descending, x.Id
             select x.RealName).FirstOrDefault()!,
            (from x in db.Residences
             where x.ResidentId == s.ResidentId && x.Status == ResidenceStatus.Approved
             join h in db.Households on x.HouseholdId equals h.Id
             join u in db.Units on h.UnitId equals u.Id
             join b in db.Buildings on h.BuildingId equals b.Id
             orderby x.EstateId == e.EstateId descending, x.Id
             select b.Name + u.Name + h.Room).FirstOrDefault());

    /// <summary>Phones masked; the real name full or masked as the roster shows it (<paramref name="fullNames"/>), else the nickname.</summary>
    private static SignupRow Shown(SignupRow r, bool fullNames) => r with
    {
        PhoneMasked = PhoneMasking.Mask(r.PhoneMasked),
        Name = string.IsNullOrEmpty(r.Name) ? r.Nickname : fullNames ? r.Name : NameMasking.Mask(r.Name),
    };
}
