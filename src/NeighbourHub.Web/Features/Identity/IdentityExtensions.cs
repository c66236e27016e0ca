using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Identity;

public static class IdentityExtensions
{
    public static WebApplicationBuilder AddIdentityAndTenancy(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var jwt = builder.Configuration.GetSection(JwtOptions.SectionName).Get<JwtOptions>() ?? new JwtOptions();
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName);
        var signingKey = SigningKey.From(jwt, builder.Environment);
        services.AddSingleton(signingKey);
        services.AddSingleton<TokenService>();
        services.AddScoped<ResidentSessions>();
        services.AddSingleton<AccessScopeResolver>();
        services.AddSingleton<ScopeVersions>(sp => sp.GetService<StackExchange.Redis.IConnectionMultiplexer>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisScopeVersions>(sp, redis, builder.Configuration["Redis:KeyPrefix"] ?? "nh:")
            : new LocalScopeVersions());
        services.AddSingleton<ScopeCache>();
        services.AddSingleton<ScopeChangeInterceptor>();
        services.AddScoped<AdminSignIn>();
        services.AddSingleton<SignInLimits>();

        services.AddIdentityCore<AdminUser>(o =>
            {
                // Lockout is ours, per account name and client address (AdminSignIn), never Identity's per-account one.
                o.Lockout.AllowedForNewUsers = false;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.User.RequireUniqueEmail = false;
            })
            .AddErrorDescriber<ChineseIdentityErrors>()
            .AddEntityFrameworkStores<NeighbourHubDbContext>();

        services.AddAuthentication(AuthSchemes.ByPath)
            .AddPolicyScheme(AuthSchemes.ByPath, "Chosen by path", o => o.ForwardDefaultSelector = http =>
            {
                var path = http.Request.Path;
                if (path.StartsWithSegments("/api/v1/admin"))
                {
                    return AuthSchemes.Admin;
                }

                return path.StartsWithSegments("/api") ? AuthSchemes.Resident : AuthSchemes.AdminCookie;
            })
            .AddJwtBearer(AuthSchemes.Resident, o => ConfigureBearer(o, jwt, signingKey, AuthClaims.ResidentAudience))
            .AddJwtBearer(AuthSchemes.Admin, o => ConfigureBearer(o, jwt, signingKey, AuthClaims.AdminAudience))
            .AddCookie(AuthSchemes.AdminCookie, o =>
            {
                o.Cookie.Name = "nh.admin";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/admin/login";
                o.LogoutPath = "/admin/account/logout";
                o.AccessDeniedPath = "/admin/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // Console pages redirect to the login page; an API answers 401/403 problem details instead
                // (UseStatusCodePages writes the body), whichever scheme the policy challenged last.
                o.Events.OnRedirectToLogin = ctx => ApiStatusOrRedirect(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiStatusOrRedirect(ctx, StatusCodes.Status403Forbidden);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Resident, p => p.AddAuthenticationSchemes(AuthSchemes.Resident)
                .RequireAuthenticatedUser().RequireClaim(AuthClaims.Kind, AuthClaims.ResidentKind))
            .AddPolicy(Policies.Admin, p => AdminPolicy(p))
            .AddPolicy(Policies.ManageAccounts, p => AdminPolicy(p, AdminRole.PlatformAdmin))
            .AddPolicy(Policies.ReadAuditLog, p => AdminPolicy(p, AdminRole.PlatformAdmin))
            .AddPolicy(Policies.ManageOrganisation, p => AdminPolicy(p, AdminRole.PlatformAdmin, AdminRole.CommunityAdmin))
            .AddPolicy(Policies.ManageBilling, p => AdminPolicy(p, AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff))
            .AddPolicy(Policies.ManageTimeBank, p => AdminPolicy(p, AdminRole.PlatformAdmin, AdminRole.CommunityAdmin))
            .AddPolicy(Policies.ManageEvents, p => AdminPolicy(p, AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff, AdminRole.GridWorker))
            .AddPolicy(Policies.VerifyResidents, p => AdminPolicy(p,
                AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.GridWorker, AdminRole.FirmStaff));
        services.AddCascadingAuthenticationState();
        return builder;
    }

    private static Task ApiStatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
        }
        else
        {
            ctx.Response.Redirect(ctx.RedirectUri);
        }

        return Task.CompletedTask;
    }

    private static AuthorizationPolicyBuilder AdminPolicy(AuthorizationPolicyBuilder p, params AdminRole[] roles)
    {
        p.AddAuthenticationSchemes(AuthSchemes.Admin, AuthSchemes.AdminCookie)
            .RequireAuthenticatedUser()
            .RequireClaim(AuthClaims.Kind, AuthClaims.AdminKind);
        return roles.Length == 0 ? p : p.RequireClaim(AuthClaims.Role, roles.Select(r => r.ToString()));
    }

    private static void ConfigureBearer(JwtBearerOptions o, JwtOptions jwt, SigningKey key, string audience)
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = audience,
            IssuerSigningKey = key.Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            NameClaimType = AuthClaims.Name,
            RoleClaimType = AuthClaims.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }
}
