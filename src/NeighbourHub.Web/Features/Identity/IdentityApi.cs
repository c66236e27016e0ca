using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat;

namespace NeighbourHub.Web.Features.Identity;

public sealed record CodeRequest(string? Code);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record PhoneAnswer(string PhoneMasked);

public sealed record MyResidence(long Id, long HouseholdId, long EstateId, string EstateName, string Address, ResidenceRelation Relation, ResidenceStatus Status);

public sealed record MeAnswer(long Id, string Nickname, string? PhoneMasked, IReadOnlyList<MyResidence> Residences, bool IsVolunteer);

public sealed record AdminLoginRequest(string? UserName, string? Password);

public sealed record AdminLoginAnswer(string AccessToken, int ExpiresIn);

public static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Identity");
        auth.MapPost("/wechat/login", Login).AllowAnonymous().RequireRateLimiting(SignInLimits.ResidentLoginPolicy);
        auth.MapPost("/refresh", Refresh).AllowAnonymous().RequireRateLimiting(SignInLimits.RefreshPolicy);
        auth.MapPost("/wechat/phone", BindPhone).RequireAuthorization(Policies.Resident);

        app.MapGet("/api/v1/me", Me).WithTags("Identity").RequireAuthorization(Policies.Resident);

        app.MapPost("/api/v1/admin/auth/login", AdminLogin).WithTags("Admin identity")
            .AllowAnonymous().RequireRateLimiting(SignInLimits.AdminLoginPolicy);

        // The console signs in with a plain HTML form post, so the cookie is set by a real HTTP response.
        app.MapPost("/admin/account/login", ConsoleLogin).ExcludeFromDescription()
            .AllowAnonymous().RequireRateLimiting(SignInLimits.AdminLoginPolicy);
        app.MapPost("/admin/account/logout", ConsoleLogout).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<LoginAnswer>, ValidationProblem>> Login(CodeRequest? body, ResidentSessions sessions, CancellationToken ct)
    {
        var v = new Validation().Required("code", body?.Code, 128);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await sessions.LoginAsync(body!.Code!, ct));
    }

    private static async Task<Results<Ok<LoginAnswer>, ValidationProblem>> Refresh(RefreshRequest? body, ResidentSessions sessions, CancellationToken ct)
    {
        var v = new Validation().Required("refreshToken", body?.RefreshToken, 128);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await sessions.RefreshAsync(body!.RefreshToken!, ct));
    }

    private static async Task<Results<Ok<PhoneAnswer>, ValidationProblem>> BindPhone(
        CodeRequest? body, NeighbourHubDbContext db, CurrentScope scope, IWeChatMiniProgram wechat, CancellationToken ct)
    {
        var v = new Validation().Required("code", body?.Code, 128);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        WeChatPhone phone;
        try
        {
            phone = await wechat.GetPhoneNumberAsync(body!.Code!, ct);
        }
        catch (WeChatApiException e) when (e.Kind is WeChatErrorKind.InvalidCode or WeChatErrorKind.CodeUsed)
        {
            return v.Add("code", "手机号授权凭证无效或已过期，请重新点击按钮授权手机号。").Problem();
        }

        var resident = await db.Residents.SingleAsync(r => r.Id == scope.Value.ResidentId, ct);
        resident.PhoneNumber = phone.PurePhoneNumber;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new PhoneAnswer(PhoneMasking.Mask(phone.PurePhoneNumber)!));
    }

    private static async Task<Ok<MeAnswer>> Me(NeighbourHubDbContext db, CurrentScope scope, CancellationToken ct)
    {
        var rows = await MeRows.For(db)(db, scope.Value.ResidentId!.Value).ToListAsync(ct);

        var resident = rows.Count > 0 ? rows[0] : throw new InvalidOperationException($"Resident {scope.Value.ResidentId} of a valid token is missing.");
        var residences = rows.Where(x => x.HomeId is not null).OrderBy(x => x.HomeId)
            .Select(x => new MyResidence(x.HomeId!.Value, x.HouseholdId!.Value, x.EstateId!.Value, x.EstateName!, x.Address!, x.Relation!.Value, x.Status!.Value)).ToList();
        return TypedResults.Ok(new MeAnswer(resident.Id, resident.Nickname, PhoneMasking.Mask(resident.PhoneNumber), residences, resident.IsVolunteer));
    }

    /// <summary>The resident and each of their homes (none: one row with no home).</summary>
    private sealed record MeRow(long Id, string Nickname, string? PhoneNumber, bool IsVolunteer, long? HomeId, long? HouseholdId, long? EstateId, string? EstateName,
        string? Address, ResidenceRelation? Relation, ResidenceStatus? Status);

    /// <summary>
    /// One query, the resident left-joined to their homes, compiled (<see cref="UnscopedQueries.Expand{TContext, T1, TResult}"/>): /me is
    /// the mini-program's most frequent call. Names come from the directory, which is readable for the resident's own
    /// applications even before approval. Unscoped lifts the filters for the whole query, so the explicit ResidentId
    /// conditions are what keep this to the caller's own rows.
    /// </summary>
    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, IAsyncEnumerable<MeRow>>> MeRows = new(() => EF.CompileAsyncQuery(UnscopedQueries.Expand(
        (NeighbourHubDbContext db, long residentId) =>
            from p in db.Residents.AsNoTracking()
            where p.Id == residentId
            join x in
                from r in db.Residences
                where r.ResidentId == residentId
                join h in db.Households.Unscoped(Because.ResidentsOwnHomes) on r.HouseholdId equals h.Id
                join u in db.Units.Unscoped(Because.ResidentsOwnHomes) on h.UnitId equals u.Id
                join b in db.Buildings.Unscoped(Because.ResidentsOwnHomes) on h.BuildingId equals b.Id
                join e in db.Estates.Unscoped(Because.ResidentsOwnHomes) on r.EstateId equals e.Id
                // Nullable members: the left join below yields nulls for a resident with no home yet.
                select new
                {
                    r.ResidentId,
                    Id = (long?)r.Id,
                    HouseholdId = (long?)r.HouseholdId,
                    EstateId = (long?)r.EstateId,
                    EstateName = e.Name,
                    Address = b.Name + u.Name + h.Room,
                    Relation = (ResidenceRelation?)r.Relation,
                    Status = (ResidenceStatus?)r.Status,
                } on p.Id equals x.ResidentId into mine
            from x in mine.DefaultIfEmpty()
            select new MeRow(p.Id, p.Nickname, p.PhoneNumber, p.IsVolunteer, x.Id, x.HouseholdId, x.EstateId, x.EstateName, x.Address, x.Relation, x.Status))));

    private static async Task<Results<Ok<AdminLoginAnswer>, ValidationProblem, ProblemHttpResult>> AdminLogin(
        AdminLoginRequest? body, AdminSignIn signIn, TokenService tokens, HttpContext http)
    {
        var v = new Validation().Required("userName", body?.UserName, 64).Required("password", body?.Password, 128);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var (outcome, identity) = await signIn.CheckAsync(body!.UserName!, body.Password!, SignInLimits.ClientAddress(http), AuthSchemes.Admin);
        return outcome switch
        {
            AdminSignIn.Outcome.Success => TypedResults.Ok(ToAnswer(tokens.ForAdmin(identity!))),
            AdminSignIn.Outcome.Throttled => TypedResults.Problem(statusCode: 429, detail: AdminSignIn.ThrottledText),
            _ => TypedResults.Problem(statusCode: 401, title: "登录失败", detail: AdminSignIn.InvalidText),
        };

        static AdminLoginAnswer ToAnswer((string Token, int ExpiresIn) t) => new(t.Token, t.ExpiresIn);
    }

    private static async Task<RedirectHttpResult> ConsoleLogin(
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl, AdminSignIn signIn, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            return TypedResults.Redirect("/admin/login?error=missing");
        }

        var (outcome, identity) = await signIn.CheckAsync(userName, password, SignInLimits.ClientAddress(http), AuthSchemes.AdminCookie);
        if (outcome != AdminSignIn.Outcome.Success)
        {
            return TypedResults.Redirect($"/admin/login?error={(outcome == AdminSignIn.Outcome.Throttled ? "throttled" : "invalid")}");
        }

        await http.SignInAsync(AuthSchemes.AdminCookie, new ClaimsPrincipal(identity!));
        // Only local paths: an open redirect after login is a phishing tool.
        var target = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith("/admin", StringComparison.Ordinal) && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            ? returnUrl
            : "/admin";
        return TypedResults.Redirect(target);
    }

    private static async Task<RedirectHttpResult> ConsoleLogout(HttpContext http, ILogger<AdminSignIn> log)
    {
        log.LogInformation("Admin {UserName} signed out", http.User.Identity?.Name);
        await http.SignOutAsync(AuthSchemes.AdminCookie);
        return TypedResults.Redirect("/admin/login");
    }
}
