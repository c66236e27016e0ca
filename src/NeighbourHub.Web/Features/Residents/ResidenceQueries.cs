using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Residents;

/// <summary>Reads of residence records shared by the admin API and the console pages; the caller's scope filters decide what is visible.</summary>
public static class ResidenceQueries
{
    /// <summary>A household's invite codes, newest first.</summary>
    public static Task<List<InviteCodeRow>> InviteCodesAsync(NeighbourHubDbContext db, long householdId, CancellationToken ct) =>
        db.InviteCodes.AsNoTracking().Where(i => i.HouseholdId == householdId).OrderByDescending(i => i.Id)
            .Select(i => new InviteCodeRow(i.Id, i.Code, i.HouseholdId, i.Relation, i.ExpiresAt, i.UsedAt)).ToListAsync(ct);
}
