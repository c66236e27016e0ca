using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>What a staff member is to one estate's fund.</summary>
/// <param name="IsTrustee">Keeps the books and proposes: staff of the firm serving the estate today; in a self-managed estate (no firm), its committee members.</param>
/// <param name="IsCommittee">Holds the second key: a committee member (业委会 / 物管会) of this estate.</param>
/// <param name="Name">How residents read who acted: the account's display name and what they are.</param>
public sealed record FundRole(long AdminUserId, bool IsTrustee, bool IsCommittee, string Name);

/// <summary>
/// Who holds which key of an estate's fund — the one place that answers "who may spend the owners' money?".
/// Platform and community admins see every fund in their scope but hold no key: the office supervises, the
/// owners' committee and the trustee decide.
/// </summary>
public sealed class FundRoles(TimeProvider clock)
{
    public async Task<FundRole> OfAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        if (scope.AdminUserId is not { } adminId || !scope.CanSeeEstate(estateId))
        {
            throw new NotFoundException("小区");
        }

        var today = clock.Today();
        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == adminId).ToListAsync(ct);
        var firms = await db.EstateFirmContracts.AsNoTracking().Unscoped(Because.StaffOfAnEstateInScope)
            .Where(c => c.EstateId == estateId).Where(Organisation.EstateFirmContract.ActiveOn(today)).Select(c => c.PropertyFirmId).ToListAsync(ct);
        var committee = assignments.Any(a => a.Role == AdminRole.CommitteeMember && a.EstateId == estateId);
        var firmStaff = assignments.Any(a => a.Role == AdminRole.FirmStaff && a.PropertyFirmId is { } f && firms.Contains(f));
        var trustee = firmStaff || (firms.Count == 0 && committee);
        var display = (await db.Users.AsNoTracking().Where(u => u.Id == adminId).Select(AdminUser.Named).SingleAsync(ct)).Name;
        var what = firmStaff ? "物业" : committee ? "业委会" : "社区";
        return new FundRole(adminId, trustee, committee, $"{display}（{what}）");
    }

    public async Task<FundRole> TrusteeAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var role = await OfAsync(db, estateId, ct);
        return role.IsTrustee ? role : throw new ForbiddenException("只有受托物业（无物业的小区为业委会成员）可以记账、提出支出和预算。");
    }

    public async Task<FundRole> CommitteeAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var role = await OfAsync(db, estateId, ct);
        return role.IsCommittee ? role : throw new ForbiddenException("只有本小区业委会成员可以审批。");
    }
}
