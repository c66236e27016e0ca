using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Residents;

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
}
