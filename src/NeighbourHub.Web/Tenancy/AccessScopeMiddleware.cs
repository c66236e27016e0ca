namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Where an API request gets its <see cref="CurrentScope"/>. Console circuits get theirs from
/// <see cref="Components.ConsoleDb"/>, background work opts in to <see cref="AccessScope.System"/>.
/// </summary>
public static class AccessScopeMiddleware
{
    /// <summary>
    /// Resolves who is asking into <see cref="CurrentScope"/> for every API request, after
    /// authentication and before any handler touches the database.
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
                http.RequestServices.GetRequiredService<CurrentScope>().Value = await scopes.ResolveAsync(http.User, http.RequestAborted);
            }

            await next();
        });
        return app;
    }
}
