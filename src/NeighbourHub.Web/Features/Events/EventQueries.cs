using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
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
    public static async Task<List<SignupRow>> SignupsAsync(NeighbourHubDbContext db, long eventId, CancellationToken ct) =>
        (await Signups(db, eventId).ToListAsync(ct)).Select(Masked).ToList();

    public static async Task<Paged<SignupRow>> SignupPageAsync(NeighbourHubDbContext db, long eventId, int page, int pageSize, CancellationToken ct)
    {
        var rows = await Signups(db, eventId).ToPageAsync(page, pageSize, ct);
        return rows with { Items = rows.Items.Select(Masked).ToList() };
    }

    private static IQueryable<SignupRow> Signups(NeighbourHubDbContext db, long eventId) =>
        from s in db.EventSignups
        where s.EventId == eventId && s.Status != SignupStatus.Cancelled
        join r in db.Residents on s.ResidentId equals r.Id
        orderby s.Status, s.WaitlistTicket, s.SignedUpAt
        select new SignupRow(s.ResidentId, r.Nickname, r.PhoneNumber, s.Status, s.WaitlistTicket, s.SignedUpAt, s.PromotedAt, s.CheckedInAt, s.NoShow);

    private static SignupRow Masked(SignupRow r) => r with { PhoneMasked = PhoneMasking.Mask(r.PhoneMasked) };
}
