using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>
/// How often each kind of sign-in may be tried, and from where. Limits per client address are ASP.NET
/// rate-limiter policies (see <see cref="AddSignInRateLimits"/>); the per-subject limits — a WeChat login
/// code, an openid, an admin account name — need the request body, so the handlers ask this class.
/// Resident logins are generous per address (a carrier NAT, or a hundred neighbours on the community
/// hall's Wi-Fi at an event, share one) and strict per code and openid; admin logins are strict per
/// address, and failures are counted per account name too — a name guessed at from many addresses then
/// signs in only from addresses it used lately (<see cref="AdminSignIn"/>), so the limit cannot be turned
/// into a denial of service. Each kind has its own bucket, so residents never use up the staff's.
/// Counters live in each instance's memory: with N instances a subject gets at most N times its limit
/// per minute, which still stops guessing; lockout itself is shared (<see cref="AdminSignIn"/>).
/// </summary>
public sealed class SignInLimits(IConfiguration config) : IDisposable
{
    public const string ResidentLoginPolicy = "resident-login";
    public const string RefreshPolicy = "token-refresh";
    public const string AdminLoginPolicy = "admin-login";

    private readonly PartitionedRateLimiter<string> _perWeChatCode = PerMinute(config.GetValue("RateLimiting:ResidentLoginPerCodePerMinute", 5));
    private readonly PartitionedRateLimiter<string> _perOpenId = PerMinute(config.GetValue("RateLimiting:ResidentLoginPerOpenIdPerMinute", 10));
    private readonly PartitionedRateLimiter<string> _failuresPerAdminAccount = PerMinute(config.GetValue("RateLimiting:AdminLoginFailuresPerAccountPerMinute", 30));

    public bool TryWeChatCode(string code) => Try(_perWeChatCode, code);

    public bool TryOpenId(string openId) => Try(_perOpenId, openId);

    /// <summary>Counts one failed sign-in for the account name, from any address.</summary>
    public void CountAdminAccountFailure(string normalizedUserName) => Try(_failuresPerAdminAccount, normalizedUserName);

    /// <summary>Whether the name has used up its failures for this minute (<see cref="AdminSignIn"/> then admits known addresses only).</summary>
    public bool AdminAccountUnderAttack(string normalizedUserName) =>
        _failuresPerAdminAccount.GetStatistics(normalizedUserName)?.CurrentAvailablePermits == 0;

    public void Dispose()
    {
        _perWeChatCode.Dispose();
        _perOpenId.Dispose();
        _failuresPerAdminAccount.Dispose();
    }

    /// <summary>The per-address policies, each its own bucket.</summary>
    public static void AddSignInRateLimits(RateLimiterOptions o, IConfiguration config)
    {
        AddPerAddress(o, ResidentLoginPolicy, config.GetValue("RateLimiting:ResidentLoginPerAddressPerMinute", 300));
        AddPerAddress(o, RefreshPolicy, config.GetValue("RateLimiting:RefreshPerAddressPerMinute", 600));
        AddPerAddress(o, AdminLoginPolicy, config.GetValue("RateLimiting:AdminLoginPerAddressPerMinute", 10));
    }

    /// <summary>The client's address as the forwarded-headers middleware settled it (only trusted proxies may change it).</summary>
    public static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static void AddPerAddress(RateLimiterOptions o, string policy, int permitsPerMinute) =>
        o.AddPolicy(policy, http => RateLimitPartition.GetFixedWindowLimiter(ClientAddress(http),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    private static PartitionedRateLimiter<string> PerMinute(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    private static bool Try(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }
}
