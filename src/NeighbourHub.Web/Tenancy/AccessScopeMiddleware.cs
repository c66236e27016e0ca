using System.Globalization;
using System.Security.Claims;
using NeighbourHub.Web.Features.Identity;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Where an API request gets its <see cref="CurrentScope"/>. Console circuits get theirs from
/// <see cref="Components.ConsoleDb"/>, background work opts in to <see cref="AccessScope.System"/>.
/// </summary>
public static class AccessScopeMiddleware
{
    /// <summary>
    /// Resolves who is asking into <see cref="CurrentScope"/> for every API request, after
    /// authentication and before any handler touches the database; on an endpoint marked <see cref="ScopeOnDemand"/>
    /// a resident's scope is resolved when the handler first asks for it.
    /// </summary>
    public static WebApplication UseAccessScopes(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // API calls, and the console's file downloads (plain HTTP GETs outside the Blazor circuit).
            var path = http.Request.Path;
            if ((path.StartsWithSegments("/api") || path.StartsWithSegments("/admin/files")) && http.User.Identity?.IsAuthenticated == true)
            {
                // Cached per principal while its stamps are current (ScopeCache): a revoked role stops with the next request.
                var scopes = http.RequestServices.GetRequiredService<ScopeCache>();
                var current = http.RequestServices.GetRequiredService<CurrentScope>();
                if (http.GetEndpoint()?.Metadata.GetMetadata<ScopeOnDemand>() is not null && ResidentIdOf(http.User) is { } residentId)
                {
                    var user = http.User;
                    current.ResolveOnDemand(residentId, ct => scopes.ResolveAsync(user, ct));
                }
                else
                {
                    current.Value = await scopes.ResolveAsync(http.User, http.RequestAborted);
                }
            }

            await next();
        });
        return app;
    }

    private static long? ResidentIdOf(ClaimsPrincipal user) =>
        user.FindFirstValue(AuthClaims.Kind) == AuthClaims.ResidentKind
        && long.TryParse(user.FindFirstValue(AuthClaims.Subject), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
