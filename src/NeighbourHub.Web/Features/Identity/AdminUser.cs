using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>A console account (ASP.NET Core Identity). What it may see comes from its <see cref="RoleAssignment"/>s.</summary>
public sealed class AdminUser : IdentityUser<long>
{
    public string DisplayName { get; set; } = "";
    public bool IsDisabled { get; set; }

    /// <summary>The name staff are shown by: the display name, or the account name when none is set. For queries.</summary>
    public static readonly Expression<Func<AdminUser, StaffName>> Named =
        u => new StaffName { Id = u.Id, Account = u.UserName!, Name = u.DisplayName == "" ? u.UserName! : u.DisplayName };

    private static readonly Func<AdminUser, StaffName> NamedInMemory = Named.Compile();

    /// <summary>The name staff are shown by (see <see cref="Named"/>).</summary>
    public string ShownName() => NamedInMemory(this).Name ?? "";
}

/// <summary>An account with the name it is shown by.</summary>
public sealed class StaffName
{
    public long Id { get; init; }
    public string Account { get; init; } = "";
    public string Name { get; init; } = "";
}

public enum AdminRole
{
    /// <summary>Street/district level: everything.</summary>
    PlatformAdmin,
    /// <summary>社区居委会: every estate of one community.</summary>
    CommunityAdmin,
    /// <summary>物业公司 staff: the estates their firm currently serves.</summary>
    FirmStaff,
    /// <summary>网格员: the estates whose buildings their grid covers.</summary>
    GridWorker,
    /// <summary>业委会 / 物管会 member: one estate.</summary>
    CommitteeMember,
}

/// <summary>
/// A role held over one node: exactly one of the scope ids is set, matching the role
/// (none for PlatformAdmin). <see cref="Validate"/> keeps that true.
/// </summary>
public sealed class RoleAssignment
{
    public long Id { get; set; }
    public long AdminUserId { get; set; }
    public AdminRole Role { get; set; }
    public long? CommunityId { get; set; }
    public long? PropertyFirmId { get; set; }
    public long? GridId { get; set; }
    public long? EstateId { get; set; }

    public static RoleAssignment Create(long adminUserId, AdminRole role, long? scopeId)
    {
        var a = new RoleAssignment { AdminUserId = adminUserId, Role = role };
        switch (role)
        {
            case AdminRole.PlatformAdmin:
                break;
            case AdminRole.CommunityAdmin:
                a.CommunityId = scopeId ?? throw new ArgumentException("A community admin needs a community.", nameof(scopeId));
                break;
            case AdminRole.FirmStaff:
                a.PropertyFirmId = scopeId ?? throw new ArgumentException("Firm staff need a firm.", nameof(scopeId));
                break;
            case AdminRole.GridWorker:
                a.GridId = scopeId ?? throw new ArgumentException("A grid worker needs a grid.", nameof(scopeId));
                break;
            case AdminRole.CommitteeMember:
                a.EstateId = scopeId ?? throw new ArgumentException("A committee member needs an estate.", nameof(scopeId));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(role));
        }

        return a;
    }

    /// <summary>The scope id this role is held over, whichever column holds it.</summary>
    public long? ScopeId => CommunityId ?? PropertyFirmId ?? GridId ?? EstateId;
}
