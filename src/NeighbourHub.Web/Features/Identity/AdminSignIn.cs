using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>
/// Checks an admin's password and builds the identity both the console cookie and the API token carry.
/// Failures are counted per (account name, client address) in <see cref="AdminSignInAddress"/>: after
/// <c>Admin:MaxFailedLogins</c> failures within <c>Admin:LockoutMinutes</c> that name is refused from that
/// address for <c>Admin:LockoutMinutes</c>, shared by every instance and lifted early from the console.
/// A wrong password, an unknown or disabled name and a locked one all answer <see cref="Outcome.Invalid"/>
/// after the same work (a password hash is always checked), so nobody learns which names exist.
/// </summary>
public sealed class AdminSignIn(
    UserManager<AdminUser> users, NeighbourHubDbContext db, SignInLimits limits, IConfiguration config, TimeProvider clock, ILogger<AdminSignIn> log)
{
    public enum Outcome { Success, Invalid, Throttled }

    /// <summary>The one answer to a wrong password, an unknown name and a locked one.</summary>
    public const string InvalidText = "用户名或密码错误。连续失败多次后，该账号在此网络上会暂停登录一段时间；如需立即恢复，请联系平台管理员解锁。";

    public const string ThrottledText = "登录尝试太频繁，请一分钟后再试。";

    /// <summary>Compared against when the name is unknown, so that answer takes as long as a wrong password.</summary>
    private static readonly Lazy<(AdminUser User, string Hash)> Decoy = new(() =>
    {
        var user = new AdminUser { UserName = "decoy" };
        return (user, new PasswordHasher<AdminUser>().HashPassword(user, Guid.NewGuid().ToString()));
    });

    private int MaxFailures => config.GetValue("Admin:MaxFailedLogins", 5);

    private TimeSpan LockoutPeriod => TimeSpan.FromMinutes(config.GetValue("Admin:LockoutMinutes", 15));

    /// <summary>How long a successful sign-in makes an address "known" for the name.</summary>
    private static readonly TimeSpan KnownAddressPeriod = TimeSpan.FromDays(30);

    public async Task<(Outcome Outcome, ClaimsIdentity? Identity)> CheckAsync(string userName, string password, string clientAddress, string authenticationType)
    {
        var name = Normalize(userName);
        var now = clock.GetUtcNow();
        var record = await db.AdminSignInAddresses.AsNoTracking()
            .SingleOrDefaultAsync(l => l.UserName == name && l.ClientAddress == clientAddress);
        if (record?.LockedUntil > now)
        {
            log.LogWarning("Admin login for {UserName} from {Address} refused: locked until {Until}", userName, clientAddress, record.LockedUntil);
            await AuditFailureAsync(userName, clientAddress, "locked", null);
            ProductMetrics.SignInFailed(admin: true, "locked");
            return (Outcome.Invalid, null);
        }

        // Guessed at from many addresses this minute: only addresses the name signed in from lately get through,
        // so the attack slows to a crawl without keeping the admin out of their usual office or phone.
        var known = record?.LastSucceededAt > now - KnownAddressPeriod;
        if (!known && limits.AdminAccountUnderAttack(name))
        {
            log.LogWarning("Admin login for {UserName} from unknown address {Address} refused: the account is under attack", userName, clientAddress);
            await AuditFailureAsync(userName, clientAddress, "throttled", null);
            ProductMetrics.SignInFailed(admin: true, "throttled");
            return (Outcome.Throttled, null);
        }

        var user = await users.FindByNameAsync(userName);
        bool passwordOk;
        if (user is null || user.IsDisabled)
        {
            _ = users.PasswordHasher.VerifyHashedPassword(Decoy.Value.User, Decoy.Value.Hash, password);
            passwordOk = false;
        }
        else
        {
            passwordOk = await users.CheckPasswordAsync(user, password);
        }

        if (!passwordOk)
        {
            limits.CountAdminAccountFailure(name);
            await CountFailureAsync(name, clientAddress, record, now);
            log.LogWarning("Failed admin login for {UserName} from {Address}", userName, clientAddress);
            await AuditFailureAsync(userName, clientAddress, user is null ? "unknown_name" : user.IsDisabled ? "disabled" : "wrong_password", user?.Id);
            ProductMetrics.SignInFailed(admin: true, "invalid"); // one word for all three: the metric must not tell names apart either
            return (Outcome.Invalid, null);
        }

        await RememberSuccessAsync(name, clientAddress, record, now);
        var roles = await db.RoleAssignments.Where(a => a.AdminUserId == user!.Id).Select(a => a.Role).Distinct().ToListAsync();
        var identity = new ClaimsIdentity(authenticationType, AuthClaims.Name, AuthClaims.Role);
        identity.AddClaim(new Claim(AuthClaims.Subject, user!.Id.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(AuthClaims.Kind, AuthClaims.AdminKind));
        identity.AddClaim(new Claim(AuthClaims.Name, user.UserName ?? ""));
        identity.AddClaim(new Claim("nh:display", user.ShownName()));
        identity.AddClaims(roles.Select(r => new Claim(AuthClaims.Role, r.ToString())));

        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, false, [], [], AdminUserId: user.Id, ActorName: user.UserName ?? ""));
        db.Audit("admin.login", nameof(AdminUser), user.Id.ToString(CultureInfo.InvariantCulture), new { via = authenticationType });
        await db.SaveChangesAsync();
        return (Outcome.Success, identity);
    }

    /// <summary>
    /// A refused sign-in goes into the audit log beside admin.login: the name tried, the client address and why (wrong
    /// password, unknown or disabled name, locked, throttled) — never the password tried. Only platform admins read the
    /// log, so it may say what the person at the login form is never told.
    /// </summary>
    private async Task AuditFailureAsync(string userName, string clientAddress, string reason, long? userId)
    {
        var tried = userName.Trim();
        tried = tried.Length <= 64 ? tried : tried[..64];
        db.ChangeTracker.Clear();
        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, false, [], [], ActorName: tried));
        db.Audit("admin.login.failed", nameof(AdminUser), userId?.ToString(CultureInfo.InvariantCulture), new { userName = tried, address = clientAddress, reason });
        await db.SaveChangesAsync();
    }

    /// <summary>Identity's normalisation (upper-case), trimmed and cut to the column's length.</summary>
    public static string Normalize(string userName)
    {
        var name = userName.Trim().ToUpperInvariant();
        return name.Length <= 64 ? name : name[..64];
    }

    /// <summary>A success clears the address's failures and makes it known for the name.</summary>
    private async Task RememberSuccessAsync(string name, string address, AdminSignInAddress? record, DateTimeOffset now)
    {
        if (record is null)
        {
            db.AdminSignInAddresses.Add(new AdminSignInAddress { UserName = name, ClientAddress = address, FirstFailureAt = now, LastSucceededAt = now });
            try
            {
                await db.SaveChangesAsync();
                return;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // a racing attempt created it: update that one
            }
        }

        await db.AdminSignInAddresses.Where(l => l.UserName == name && l.ClientAddress == address)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0).SetProperty(l => l.LockedUntil, (DateTimeOffset?)null).SetProperty(l => l.LastSucceededAt, now));
    }

    /// <summary>
    /// One more failure for (name, address). The increment is a single conditional UPDATE, so racing
    /// attempts are all counted; a window that lapsed (or a lock that expired) starts again at one.
    /// </summary>
    private async Task CountFailureAsync(string name, string address, AdminSignInAddress? row, DateTimeOffset now)
    {
        var max = MaxFailures;
        var until = now + LockoutPeriod;
        if (row is null)
        {
            db.AdminSignInAddresses.Add(new AdminSignInAddress { UserName = name, ClientAddress = address, Failures = 1, FirstFailureAt = now, LockedUntil = max <= 1 ? until : null });
            try
            {
                await db.SaveChangesAsync();
                return;
            }
            catch (DbUpdateException)
            {
                // Another attempt created the row at the same moment: count on it below.
                db.ChangeTracker.Clear();
            }
        }

        var windowStart = now - LockoutPeriod;
        var restarted = await db.AdminSignInAddresses
            .Where(l => l.UserName == name && l.ClientAddress == address && (l.FirstFailureAt < windowStart || l.LockedUntil != null && l.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 1).SetProperty(l => l.FirstFailureAt, now).SetProperty(l => l.LockedUntil, (DateTimeOffset?)null));
        if (restarted == 0)
        {
            await db.AdminSignInAddresses.Where(l => l.UserName == name && l.ClientAddress == address)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(l => l.LockedUntil, l => l.Failures + 1 >= max ? until : l.LockedUntil)
                    .SetProperty(l => l.Failures, l => l.Failures + 1));
        }
    }
}
