using System.Globalization;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;

namespace NeighbourHub.Web.Components;

public static class ConsoleExtensions
{
    public static WebApplicationBuilder AddAdminConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        // MudBlazor speaks English unless given a localizer; the console is zh-CN (see MapAdminConsole).
        builder.Services.AddTransient<MudBlazor.MudLocalizer, ChineseMudLocalizer>();
        builder.Services.AddScoped<ConsoleDb>();
        builder.Services.AddHttpContextAccessor();
        return builder;
    }

    public static WebApplication MapAdminConsole(this WebApplication app)
    {
        // The console speaks zh-CN: dates as 2026/11/23, money as ¥1,234.50.
        var zh = new CultureInfo("zh-CN");
        CultureInfo.DefaultThreadCurrentCulture = zh;
        CultureInfo.DefaultThreadCurrentUICulture = zh;
        app.UseRequestLocalization(new RequestLocalizationOptions { DefaultRequestCulture = new RequestCulture(zh), SupportedCultures = [zh], SupportedUICultures = [zh] });
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// A browser opening an address under /admin that answers 404 (no such page, or a file outside the role's scope) gets
    /// the console's Chinese page, not the problem-details JSON an API client gets; the interactive router then shows its
    /// NotFound content for the address typed. Registered on the application itself (so the re-executed request is routed
    /// again) right after the status-code pages and before authentication (so it passes authentication, authorization
    /// and antiforgery like any page load); every other request turns this inner handler off and keeps the outer one's
    /// problem details.
    /// </summary>
    public static WebApplication UseConsoleNotFoundPage(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/admin/not-found");
        app.Use((http, next) =>
        {
            if (!IsConsoleNavigation(http) && http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            return next(http);
        });
        return app;
    }

    /// <summary>A page load in a browser (GET, HTML wanted) of a console address.</summary>
    private static bool IsConsoleNavigation(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) && http.Request.Path.StartsWithSegments("/admin")
        && http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
