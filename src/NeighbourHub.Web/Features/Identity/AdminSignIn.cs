using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>
/// Checks an admin's password with lockout (Identity counts failures and locks the account) and
/// builds the identity both the console cookie and the API token carry.
/// </summary>
public sealed class AdminSignIn(UserManager<AdminUser> users, NeighbourHubDbContext db, ILogger<AdminSignIn> log)
{
    public enum Outcome { Success, Invalid, LockedOut }

    public async Task<(Outcome Outcome, ClaimsIdentity? Identity)> CheckAsync(string userName, string password, string authenticationType)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null || user.IsDisabled)
        {
            return (Outcome.Invalid, null);
        }

        if (await users.IsLockedOutAsync(user))
        {
            return (Outcome.LockedOut, null);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            log.LogWarning("Failed admin login for {UserName}", userName);
            return await users.IsLockedOutAsync(user) ? (Outcome.LockedOut, null) : (Outcome.Invalid, null);
        }

        await users.ResetAccessFailedCountAsync(user);
        var roles = await db.RoleAssignments.Where(a => a.AdminUserId == user.Id).Select(a => a.Role).Distinct().ToListAsync();
        var identity = new ClaimsIdentity(authenticationType, AuthClaims.Name, AuthClaims.Role);
        identity.AddClaim(new Claim(AuthClaims.Subject, user.Id.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(AuthClaims.Kind, AuthClaims.AdminKind));
        identity.AddClaim(new Claim(AuthClaims.Name, user.UserName ?? ""));
        identity.AddClaim(new Claim("nh:display", string.IsNullOrEmpty(user.DisplayName) ? user.UserName ?? "" : user.DisplayName));
        identity.AddClaims(roles.Select(r => new Claim(AuthClaims.Role, r.ToString())));

        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, false, [], [], AdminUserId: user.Id, ActorName: user.UserName ?? ""));
        db.Audit("admin.login", nameof(AdminUser), user.Id.ToString(CultureInfo.InvariantCulture), new { via = authenticationType });
        await db.SaveChangesAsync();
        return (Outcome.Success, identity);
    }
}
