using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Identity;

public sealed record AdminAccountRow(long Id, string UserName, string DisplayName, bool IsDisabled, bool IsLockedOut, IReadOnlyList<RoleAssignmentRow> Roles);

public sealed record RoleAssignmentRow(long Id, AdminRole Role, long? ScopeId, string ScopeName);

/// <summary>Console accounts and their scoped roles. Platform admins only (policy on the page).</summary>
public sealed class AdminAccounts(TimeProvider clock)
{
    public async Task<AdminUser> CreateAsync(UserManager<AdminUser> users, string userName, string displayName, string password)
    {
        var user = new AdminUser { UserName = userName.Trim(), DisplayName = displayName.Trim(), LockoutEnabled = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            var e = result.Errors.First();
            var field = e.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "userName";
            throw new DomainValidationException(field, string.Join(" ", result.Errors.Select(x => x.Description)));
        }

        return user;
    }

    public async Task AssignAsync(NeighbourHubDbContext db, long adminUserId, AdminRole role, long? scopeId, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == adminUserId, ct))
        {
            throw new NotFoundException("管理员账号");
        }

        var scopeExists = role switch
        {
            AdminRole.PlatformAdmin => true,
            AdminRole.CommunityAdmin => await db.Communities.AnyAsync(c => c.Id == scopeId, ct),
            AdminRole.FirmStaff => await db.PropertyFirms.AnyAsync(f => f.Id == scopeId, ct),
            AdminRole.GridWorker => await db.Grids.AnyAsync(g => g.Id == scopeId, ct),
            AdminRole.CommitteeMember => await db.Estates.AnyAsync(e => e.Id == scopeId, ct),
            _ => false,
        };
        if (!scopeExists)
        {
            throw new DomainValidationException("scopeId", $"请选择这个角色所属的{ScopeNoun(role)}。");
        }

        var assignment = RoleAssignment.Create(adminUserId, role, role == AdminRole.PlatformAdmin ? null : scopeId);
        var duplicate = await db.RoleAssignments.AnyAsync(a => a.AdminUserId == adminUserId && a.Role == role
            && a.CommunityId == assignment.CommunityId && a.PropertyFirmId == assignment.PropertyFirmId
            && a.GridId == assignment.GridId && a.EstateId == assignment.EstateId, ct);
        if (duplicate)
        {
            throw new ConflictException("该账号在这个范围内已经拥有这个角色。");
        }

        db.RoleAssignments.Add(assignment);
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAssignmentAsync(NeighbourHubDbContext db, long assignmentId, CancellationToken ct)
    {
        var a = await db.RoleAssignments.SingleOrDefaultAsync(x => x.Id == assignmentId, ct) ?? throw new NotFoundException("角色授权");
        db.RoleAssignments.Remove(a);
        await db.SaveChangesAsync(ct);
    }

    public async Task SetDisabledAsync(NeighbourHubDbContext db, long adminUserId, bool disabled, CancellationToken ct)
    {
        var u = await db.Users.SingleOrDefaultAsync(x => x.Id == adminUserId, ct) ?? throw new NotFoundException("管理员账号");
        if (disabled && u.Id == db.Scope.Value.AdminUserId)
        {
            throw new ConflictException("不能停用自己的账号。");
        }

        u.IsDisabled = disabled;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Lifts every sign-in lockout of the account, from every address (audited like any admin change).</summary>
    public async Task UnlockAsync(NeighbourHubDbContext db, long adminUserId, CancellationToken ct)
    {
        var u = await db.Users.AsNoTracking().SingleOrDefaultAsync(x => x.Id == adminUserId, ct) ?? throw new NotFoundException("管理员账号");
        var name = AdminSignIn.Normalize(u.UserName ?? "");
        var rows = await db.AdminSignInAddresses.Where(l => l.UserName == name && l.LockedUntil != null).ToListAsync(ct);
        foreach (var row in rows)
        {
            row.LockedUntil = null;
            row.Failures = 0;
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task<List<AdminAccountRow>> ListAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var locked = (await db.AdminSignInAddresses.AsNoTracking().Where(l => l.LockedUntil > now).Select(l => l.UserName).ToListAsync(ct)).ToHashSet();
        var assignments = await db.RoleAssignments.AsNoTracking().ToListAsync(ct);
        var names = await ScopeNamesAsync(db, ct);
        return users.Select(u => new AdminAccountRow(u.Id, u.UserName ?? "", u.DisplayName, u.IsDisabled, locked.Contains(AdminSignIn.Normalize(u.UserName ?? "")),
            assignments.Where(a => a.AdminUserId == u.Id)
                .Select(a => new RoleAssignmentRow(a.Id, a.Role, a.ScopeId, a.ScopeId is { } id && names.TryGetValue((a.Role, id), out var n) ? n : "全部"))
                .ToList())).ToList();
    }

    public static async Task<Dictionary<(AdminRole, long), string>> ScopeNamesAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        var names = new Dictionary<(AdminRole, long), string>();
        foreach (var c in await db.Communities.AsNoTracking().ToListAsync(ct)) { names[(AdminRole.CommunityAdmin, c.Id)] = c.Name; }
        foreach (var f in await db.PropertyFirms.AsNoTracking().ToListAsync(ct)) { names[(AdminRole.FirmStaff, f.Id)] = f.Name; }
        foreach (var g in await db.Grids.AsNoTracking().ToListAsync(ct)) { names[(AdminRole.GridWorker, g.Id)] = g.Name; }
        foreach (var e in await db.Estates.AsNoTracking().ToListAsync(ct)) { names[(AdminRole.CommitteeMember, e.Id)] = e.Name; }
        return names;
    }

    public static string ScopeNoun(AdminRole role) => role switch
    {
        AdminRole.CommunityAdmin => "社区",
        AdminRole.FirmStaff => "物业公司",
        AdminRole.GridWorker => "网格",
        AdminRole.CommitteeMember => "小区",
        _ => "范围",
    };
}
