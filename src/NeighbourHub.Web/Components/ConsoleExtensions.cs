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
}
