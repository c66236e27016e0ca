using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat;

namespace NeighbourHub.Web.Features.Identity;

public sealed record ResidentSummary(long Id, string Nickname);

public sealed record LoginAnswer(string AccessToken, string RefreshToken, int ExpiresIn, ResidentSummary Resident);

/// <summary>Signs residents in with WeChat and rotates their refresh tokens.</summary>
public sealed class ResidentSessions(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    IWeChatMiniProgram wechat,
    TokenService tokens,
    IOptions<JwtOptions> options,
    TimeProvider clock,
    SignInLimits limits,
    ILogger<ResidentSessions> log)
{
    public async Task<LoginAnswer> LoginAsync(string code, CancellationToken ct)
    {
        // A code works once at WeChat; replaying one fast is a script, not a person.
        if (!limits.TryWeChatCode(code))
        {
            ProductMetrics.SignInFailed(admin: false, "throttled");
            throw new TooManyRequestsException("登录太频繁，请稍后再试。");
        }

        WeChatSession session;
        try
        {
            session = await wechat.Code2SessionAsync(code, ct);
        }
        catch (WeChatApiException e) when (e.Kind is WeChatErrorKind.InvalidCode or WeChatErrorKind.CodeUsed)
        {
            ProductMetrics.SignInFailed(admin: false, "invalid_code");
            throw new DomainValidationException("code", "登录凭证无效、已过期或已被使用，请重新登录（重新调用 wx.login）。");
        }
        catch (WeChatApiException e) when (e.Kind is WeChatErrorKind.RiskyUser)
        {
            ProductMetrics.SignInFailed(admin: false, "blocked");
            throw new ForbiddenException("该微信账号已被微信限制，暂时无法登录。");
        }

        if (!limits.TryOpenId(session.OpenId))
        {
            ProductMetrics.SignInFailed(admin: false, "throttled");
            throw new TooManyRequestsException("登录太频繁，请稍后再试。");
        }

        await using var db = System();
        var now = clock.GetUtcNow();
        var resident = await db.Residents.SingleOrDefaultAsync(r => r.OpenId == session.OpenId, ct);
        if (resident is null)
        {
            resident = new Resident { OpenId = session.OpenId, UnionId = session.UnionId, Nickname = DefaultNickname(session.OpenId), CreatedAt = now };
            db.Residents.Add(resident);
        }

        resident.LastLoginAt = now;
        resident.UnionId ??= session.UnionId;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (resident.Id == 0)
        {
            // Two first logins of the same user raced; the other one created the row.
            db.ChangeTracker.Clear();
            resident = await db.Residents.SingleAsync(r => r.OpenId == session.OpenId, ct);
        }

        return await IssueAsync(db, resident, Guid.NewGuid(), ct);
    }

    /// <summary>
    /// Spends a refresh token and issues the next of its family. A token that was already spent (or
    /// revoked) revokes the whole family: someone else holds a copy.
    /// </summary>
    public async Task<LoginAnswer> RefreshAsync(string raw, CancellationToken ct)
    {
        await using var db = System();
        var now = clock.GetUtcNow();
        var hash = TokenService.HashRefreshToken(raw);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null || token.ExpiresAt <= now)
        {
            ProductMetrics.SignInFailed(admin: false, "refresh_expired");
            throw new UnauthorizedException("登录已过期，请重新登录。");
        }

        // Conditional update: of two racing refreshes with one token, exactly one spends it.
        var spent = token.UsedAt is null && token.RevokedAt is null && await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.UsedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct) == 1;
        if (!spent)
        {
            await db.RefreshTokens.Where(t => t.FamilyId == token.FamilyId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
            ProductMetrics.SignInFailed(admin: false, "refresh_reused");
            log.LogWarning("Refresh token reuse for resident {ResidentId}; family {FamilyId} revoked", token.ResidentId, token.FamilyId);
            throw new UnauthorizedException("登录凭证已被使用过，为保护账号安全，本次登录的所有会话均已退出，请重新登录。");
        }

        var resident = await db.Residents.SingleAsync(r => r.Id == token.ResidentId, ct);
        return await IssueAsync(db, resident, token.FamilyId, ct);
    }

    private async Task<LoginAnswer> IssueAsync(NeighbourHubDbContext db, Resident resident, Guid family, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (raw, hash) = TokenService.NewRefreshToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            ResidentId = resident.Id,
            FamilyId = family,
            TokenHash = hash,
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RefreshTokenDays),
        });
        await db.SaveChangesAsync(ct);
        var (access, expiresIn) = tokens.ForResident(resident);
        return new LoginAnswer(access, raw, expiresIn, new ResidentSummary(resident.Id, resident.Nickname));
    }

    private NeighbourHubDbContext System()
    {
        var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        return db;
    }

    /// <summary>WeChat no longer hands out nicknames; residents start as 邻居 plus a few openid characters.</summary>
    private static string DefaultNickname(string openId) => "邻居" + (openId.Length > 4 ? openId[^4..] : openId);
}
