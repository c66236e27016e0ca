using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Turns a signed-in principal into an <see cref="AccessScope"/>: the one place that knows what each
/// role sees. Reads role assignments fresh, so a revoked role stops working with the next request.
/// </summary>
public sealed class AccessScopeResolver(IDbContextFactory<NeighbourHubDbContext> contexts, TimeProvider clock)
{
    public async Task<AccessScope> ResolveAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.Identity?.IsAuthenticated != true || !long.TryParse(user.FindFirstValue(AuthClaims.Subject), out var id))
        {
            return AccessScope.Nothing;
        }

        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        return user.FindFirstValue(AuthClaims.Kind) switch
        {
            AuthClaims.AdminKind => await ForAdminAsync(db, id, ct),
            AuthClaims.ResidentKind => await ForResidentAsync(db, id, ct),
            _ => AccessScope.Nothing,
        };
    }

    private sealed record ApprovedHome(long EstateId, long CommunityId, long BuildingId);

    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, IAsyncEnumerable<ApprovedHome>>> ApprovedHomes = new(() => EF.CompileAsyncQuery(
        (NeighbourHubDbContext db, long residentId) =>
            from r in db.Residences
            where r.ResidentId == residentId && r.Status == ResidenceStatus.Approved
            join e in db.Estates on r.EstateId equals e.Id
            join h in db.Households on r.HouseholdId equals h.Id
            select new ApprovedHome(r.EstateId, e.CommunityId, h.BuildingId)));

    public async Task<AccessScope> ForResidentAsync(NeighbourHubDbContext db, long residentId, CancellationToken ct)
    {
        // One round trip, compiled: this runs on every resident's first request after a change to their homes (ScopeCache).
        var approved = await ApprovedHomes.For(db)(db, residentId).ToListAsync(ct);
        return new AccessScope(ScopeKind.Resident, false, approved.Select(a => a.EstateId).Distinct().ToList(), approved.Select(a => a.CommunityId).Distinct().ToList(),
            ResidentId: residentId, ActorName: $"resident:{residentId}", HomeBuildingIds: approved.Select(a => a.BuildingId).Distinct().ToList());
    }

    public async Task<AccessScope> ForAdminAsync(NeighbourHubDbContext db, long adminId, CancellationToken ct)
    {
        var admin = await db.Users.AsNoTracking().Where(u => u.Id == adminId && !u.IsDisabled)
            .Select(u => new { u.UserName }).SingleOrDefaultAsync(ct);
        if (admin is null)
        {
            return AccessScope.Nothing;
        }

        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == adminId).ToListAsync(ct);
        var roles = assignments.Select(a => a.Role).Distinct().ToList();
        if (roles.Contains(AdminRole.PlatformAdmin))
        {
            return new AccessScope(ScopeKind.Admin, true, [], [], AdminUserId: adminId, ActorName: admin.UserName ?? "", Roles: roles);
        }

        var communityIds = assignments.Where(a => a.Role == AdminRole.CommunityAdmin).Select(a => a.CommunityId!.Value).ToList();
        var firmIds = assignments.Where(a => a.Role == AdminRole.FirmStaff).Select(a => a.PropertyFirmId!.Value).ToList();
        var gridIds = assignments.Where(a => a.Role == AdminRole.GridWorker).Select(a => a.GridId!.Value).ToList();
        var estateIds = assignments.Where(a => a.Role == AdminRole.CommitteeMember).Select(a => a.EstateId!.Value).ToHashSet();

        List<long> officeEstateIds = [];
        if (communityIds.Count > 0)
        {
            officeEstateIds = await db.Estates.Where(e => communityIds.Contains(e.CommunityId)).Select(e => e.Id).ToListAsync(ct);
            estateIds.UnionWith(officeEstateIds);
        }

        if (firmIds.Count > 0)
        {
            // A firm sees the estates it serves today: not before it took over, not after it left.
            var today = clock.Today();
            estateIds.UnionWith(await db.EstateFirmContracts
                .Where(EstateFirmContract.ActiveOn(today)).Where(c => firmIds.Contains(c.PropertyFirmId))
                .Select(c => c.EstateId).ToListAsync(ct));
        }

        // A grid worker sees the estates their grid's buildings stand in, but the flats (and what is reported from them)
        // only of those buildings — unless another role of theirs already shows the whole estate (ADR 0009).
        List<long> gridOnlyEstateIds = [];
        List<long> gridBuildingIds = [];
        if (gridIds.Count > 0)
        {
            var gridBuildings = await (
                from gb in db.GridBuildings
                join b in db.Buildings on gb.BuildingId equals b.Id
                where gridIds.Contains(gb.GridId)
                select new { b.Id, b.EstateId }).Distinct().ToListAsync(ct);
            gridBuildingIds = gridBuildings.Select(b => b.Id).Distinct().ToList();
            gridOnlyEstateIds = gridBuildings.Select(b => b.EstateId).Distinct().Where(e => !estateIds.Contains(e)).ToList();
            estateIds.UnionWith(gridBuildings.Select(b => b.EstateId));
        }

        var estates = estateIds.ToList();
        var visibleCommunities = await db.Estates.Where(e => estates.Contains(e.Id)).Select(e => e.CommunityId).Distinct().ToListAsync(ct);
        visibleCommunities = visibleCommunities.Union(communityIds).ToList();
        return new AccessScope(ScopeKind.Admin, false, estates, visibleCommunities, AdminUserId: adminId, ActorName: admin.UserName ?? "", Roles: roles,
            OfficeCommunityIds: communityIds.Distinct().ToList(), OfficeEstateIds: officeEstateIds,
            GridOnlyEstateIds: gridOnlyEstateIds, GridBuildingIds: gridBuildingIds);
    }
}
